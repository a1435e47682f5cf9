// public/sw-notifications.js is imported as is into the generated service worker. Here the real file runs in
// a VM context whose `self` is a minimal service worker global (clients, location, addEventListener).
import { readFileSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { NAVIGATE_MESSAGE, navigateTarget } from './sw-messages'

const SOURCE = readFileSync(new URL('../../../public/sw-notifications.js', import.meta.url), 'utf8')
const ORIGIN = 'https://andian.example'

interface FakeWindow {
  url: string
  focus: ReturnType<typeof vi.fn>
  postMessage: ReturnType<typeof vi.fn>
}

function fakeWindow(url: string, focusFails = false): FakeWindow {
  const client: FakeWindow = {
    url,
    focus: vi.fn(async () => {
      if (focusFails) throw new Error('InvalidAccessError')
      return client
    }),
    postMessage: vi.fn(),
  }
  return client
}

/** Load the worker script with these open windows, then tap a notification carrying `data`. */
async function tap(data: unknown, windows: FakeWindow[]) {
  const handlers: Record<string, (event: unknown) => void> = {}
  const clients = {
    matchAll: vi.fn(async () => windows),
    openWindow: vi.fn(async () => null),
  }
  const self = {
    clients,
    location: { origin: ORIGIN },
    addEventListener: (type: string, fn: (event: unknown) => void) => (handlers[type] = fn),
  }
  runInNewContext(SOURCE, { self, URL })
  const close = vi.fn()
  let done: Promise<unknown> = Promise.resolve()
  handlers.notificationclick?.({ notification: { data, close }, waitUntil: (p: Promise<unknown>) => (done = p) })
  await done
  return { clients, close, handlers }
}

describe('notificationclick (public/sw-notifications.js)', () => {
  it('focuses an open window of the app and tells it to go to the alarm', async () => {
    const other = fakeWindow('https://elsewhere.example/')
    const app = fakeWindow(`${ORIGIN}/sites/12`)
    const { clients, close } = await tap({ url: '/alarms/42' }, [other, app])
    expect(close).toHaveBeenCalled()
    expect(app.focus).toHaveBeenCalled()
    expect(app.postMessage).toHaveBeenCalledWith({ type: NAVIGATE_MESSAGE, url: '/alarms/42' })
    expect(other.focus).not.toHaveBeenCalled()
    expect(clients.openWindow).not.toHaveBeenCalled()
  })

  it('opens a new window at the alarm when none is open', async () => {
    const { clients } = await tap({ url: '/alarms/42' }, [])
    expect(clients.openWindow).toHaveBeenCalledWith('/alarms/42')
  })

  it('opens a new window when the open one may not be focused', async () => {
    const app = fakeWindow(`${ORIGIN}/`, true)
    const { clients } = await tap({ url: '/alarms/7' }, [app])
    expect(app.postMessage).not.toHaveBeenCalled()
    expect(clients.openWindow).toHaveBeenCalledWith('/alarms/7')
  })

  it('never leaves the app: a foreign or missing URL opens the start page', async () => {
    expect((await tap({ url: 'https://evil.example/' }, [])).clients.openWindow).toHaveBeenCalledWith('/')
    expect((await tap({ url: '//evil.example/' }, [])).clients.openWindow).toHaveBeenCalledWith('/')
    expect((await tap(null, [])).clients.openWindow).toHaveBeenCalledWith('/')
  })
})

describe('navigateTarget (the app side)', () => {
  it.each([
    [{ type: NAVIGATE_MESSAGE, url: '/alarms/42' }, '/alarms/42'],
    [{ type: NAVIGATE_MESSAGE, url: '//evil.example/x' }, null],
    [{ type: NAVIGATE_MESSAGE, url: '/\\evil.example' }, null],
    [{ type: NAVIGATE_MESSAGE, url: 'https://evil.example/' }, null],
    [{ type: NAVIGATE_MESSAGE, url: 42 }, null],
    [{ type: 'SKIP_WAITING' }, null],
    ['andian:navigate', null],
    [null, null],
  ] as const)('%j → %s', (data, path) => {
    expect(navigateTarget(data)).toBe(path)
  })
})
