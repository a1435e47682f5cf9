// Whether the andian server is reachable. navigator.onLine only says a network interface is up (it stays
// true when the server is down, and its events are not always delivered), so the API client reports the
// outcome of every request here, and an answer counts as proof of a network.
//
// While the server is unreachable, screens that show cached data are asked to read again: at once on the
// browser's "online" event, else on the schedule below.

// Seconds between attempts while unreachable; the last one repeats. One small GET per attempt at most.
const RETRY_DELAYS_MS = [5_000, 15_000, 30_000, 60_000]

let browserOnline = globalThis.navigator?.onLine ?? true
let serverReachable = true
let retryTimer: ReturnType<typeof setTimeout> | undefined
let retryCount = 0
const listeners = new Set<(online: boolean) => void>()
const retryListeners = new Set<() => void>()

export function isOnline(): boolean {
  return browserOnline && serverReachable
}

function update(change: () => void): void {
  const before = isOnline()
  change()
  const after = isOnline()
  if (after !== before) for (const fn of listeners) fn(after)
}

function retryNow(): void {
  clearTimeout(retryTimer)
  retryTimer = undefined
  for (const fn of retryListeners) fn()
}

function scheduleRetry(): void {
  if (retryTimer !== undefined || retryListeners.size === 0) return
  const delay = RETRY_DELAYS_MS[Math.min(retryCount, RETRY_DELAYS_MS.length - 1)]
  retryCount += 1
  retryTimer = setTimeout(retryNow, delay)
}

/** Called by the API client after each request: true when an answer came back, false when none did. */
export function reportReachable(reachable: boolean): void {
  update(() => {
    serverReachable = reachable
    if (reachable) browserOnline = true
  })
  if (reachable) {
    clearTimeout(retryTimer)
    retryTimer = undefined
    retryCount = 0
  } else {
    scheduleRetry()
  }
}

export function onOnlineChange(fn: (online: boolean) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/**
 * `fn` is called when it is worth reading from the server again: the browser is back online, or the
 * next scheduled attempt is due while the server is unreachable. Returns the unsubscribe function.
 */
export function onRetry(fn: () => void): () => void {
  retryListeners.add(fn)
  if (!isOnline()) scheduleRetry()
  return () => {
    retryListeners.delete(fn)
    if (retryListeners.size === 0) {
      clearTimeout(retryTimer)
      retryTimer = undefined
    }
  }
}

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () =>
    update(() => {
      browserOnline = false
    }),
  )
  window.addEventListener('online', () => {
    update(() => {
      browserOnline = true
    })
    retryCount = 0
    retryNow()
  })
}
