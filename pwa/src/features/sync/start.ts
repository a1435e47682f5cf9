// When the sync loop runs, for whom. One loop per signed-in user, started at sign-in (or at start-up with a saved
// session) and stopped when the session ends. Triggers: start, the browser's `online` event, the server
// answering again (online.ts: with the server down navigator.onLine stays true, so reachability comes from
// requests), a change written while online, the page coming back into view, a live `hazard` event, a timer
// while a record's page is open, the retry timer after a failed round (loop.ts), and Background Sync.
//
// Background Sync: where the browser has it (`'sync' in registration`), a change written with no network
// registers the tag BACKGROUND_SYNC_TAG. The generated service worker cannot run the loop (it has no copy of
// this code), so public/sw-sync.js only posts SYNC_MESSAGE to the open windows of the app when the browser fires
// the tag, and this page runs the loop. With no window open, nothing is sent until the app is opened again.
import { isOnline, onOnlineChange } from '../../platform/online'
import { getSession, onSessionChange } from '../../platform/session'
import { submitWaitingAccepts } from '../devices/drafts'
import { keepGridOffline } from '../inspections/offline'
import { onSyncChange } from './changes'
import { deviceIdentity } from './identity'
import { SyncLoop, type LoopStatus, type Settled } from './loop'
import { httpTransport } from './transport'
import type { RoundOutcome } from './types'

/** Keep in sync with public/sw-sync.js. */
export const BACKGROUND_SYNC_TAG = 'andian-sync'
export const SYNC_MESSAGE = 'andian:sync'

/**
 * While a hazard or an inspection is open, pull this often: another person's change shows without a reload. A
 * pull with nothing new is one small request.
 */
export const WATCH_PULL_MS = 15_000

let loop: SyncLoop | null = null
let loopUser: number | null = null
let watchers = 0
let watchTimer: ReturnType<typeof setInterval> | undefined
let started = false

const IDLE: LoopStatus = { running: false, progress: null, outcome: null, failures: 0 }

export function syncStatus(): LoopStatus {
  return loop?.status ?? IDLE
}

/** Sync now (or right after the round under way). */
export function requestSync(): Promise<RoundOutcome> {
  return loop ? loop.request() : Promise.resolve('signed_out')
}

/** The network is back: sync, and send the acceptances kept for later (devices/drafts.ts). */
function reconnected(): void {
  void requestSync()
  void submitWaitingAccepts().catch(() => undefined)
}

/** Wait for the server's answer to one mutation; `pending` when no network. */
export function settleMutation(mutationId: string, timeoutMs?: number): Promise<Settled> {
  return loop ? loop.settle(mutationId, timeoutMs) : Promise.resolve({ status: 'pending' })
}

/** A page showing records that others may change: pull every WATCH_PULL_MS while it is open. */
export function watchRecords(): () => void {
  watchers++
  watchTimer ??= setInterval(() => {
    if (isOnline() && document.visibilityState !== 'hidden') void requestSync()
  }, WATCH_PULL_MS)
  return () => {
    watchers--
    if (watchers === 0) {
      clearInterval(watchTimer)
      watchTimer = undefined
    }
  }
}

function follow(userId: number | null): void {
  if (userId === loopUser) return
  loop?.stop()
  loop = null
  loopUser = userId
  if (userId === null) return
  loop = new SyncLoop({
    transport: httpTransport,
    userId: () => getSession()?.user.id ?? null,
    clientId: async () => (await deviceIdentity()).clientId,
  })
  void loop.request()
  void submitWaitingAccepts().catch(() => undefined)
}

interface SyncRegistration {
  sync?: { register(tag: string): Promise<void> }
}

function registerBackgroundSync(): void {
  if (!('serviceWorker' in navigator)) return
  void navigator.serviceWorker.ready
    .then((registration) => (registration as unknown as SyncRegistration).sync?.register(BACKGROUND_SYNC_TAG))
    .catch(() => undefined) // no Background Sync here: the page's own triggers remain
}

/** Once at start-up: follow the session and listen for the triggers. */
export function initSync(): void {
  if (started) return
  started = true
  follow(getSession()?.user.id ?? null)
  onSessionChange((session) => follow(session?.user.id ?? null))
  onOnlineChange((online) => online && reconnected())
  onSyncChange((change) => {
    // After a pull, an inspector's grid (sites, site pages, checklists) is kept for a walk-through with no signal.
    if (change === 'records') void keepGridOffline().catch(() => undefined)
    if (change !== 'written') return
    if (isOnline()) void requestSync()
    else registerBackgroundSync()
  })
  window.addEventListener('online', reconnected)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && isOnline()) void requestSync()
  })
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: unknown } | null
    if (data?.type === SYNC_MESSAGE) void requestSync()
  })
}
