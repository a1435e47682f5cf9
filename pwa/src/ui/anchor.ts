// Links to a part of a page that is drawn after its data arrives ("/sites/12#device-7": the console's remote-control
// link opens the device's own card). The browser scrolls to a fragment only when the page loads, so after each
// navigation this waits for the element to appear, then scrolls to it, focuses it and marks it for a moment.

/** How long a page may take to draw the element (a slow network), in milliseconds. */
const WAIT_MS = 15_000
const MARK_MS = 4_000

/** The element id a fragment names ("#device-7" → "device-7"); null for none or one that is not a plain id. */
export function anchorId(hash: string): string | null {
  if (!hash.startsWith('#') || hash.length < 2) return null
  let id: string
  try {
    id = decodeURIComponent(hash.slice(1))
  } catch {
    return null
  }
  return /^[\w-]{1,100}$/.test(id) ? id : null
}

let stop: (() => void) | null = null

function show(target: HTMLElement): void {
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1')
  target.scrollIntoView({ block: 'start' })
  target.focus({ preventScroll: true })
  target.classList.add('anchor-target')
  setTimeout(() => target.classList.remove('anchor-target'), MARK_MS)
}

/** Bring the element the address's fragment names into view once it exists (the last call wins). */
export function revealHash(hash: string = location.hash): void {
  stop?.()
  stop = null
  const id = anchorId(hash)
  if (id === null) return
  const found = document.getElementById(id)
  if (found) {
    show(found)
    return
  }
  const observer = new MutationObserver(() => {
    const target = document.getElementById(id)
    if (!target) return
    cancel()
    show(target)
  })
  const timer = setTimeout(() => cancel(), WAIT_MS)
  function cancel(): void {
    observer.disconnect()
    clearTimeout(timer)
    if (stop === cancel) stop = null
  }
  stop = cancel
  observer.observe(document.body, { childList: true, subtree: true })
}
