import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getSession, startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import {
  LiveStream,
  RECONNECT_DELAYS_MS,
  reconnectDelay,
  SILENCE_TIMEOUT_MS,
  STABLE_AFTER_MS,
  type LiveState,
} from './stream'

useFakeServer() // a fresh IndexedDB for the session

/** A streamed answer the test writes to; aborting the request errors the body, as in a browser. */
function openStream(signal: AbortSignal) {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')))
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  }
}

type Reply = 'network' | number | 'stream'

/** fetch answers from `replies` in order; each call is logged with its time and headers. */
function stubLive(replies: Reply[]) {
  const calls: { at: number; url: string; headers: Record<string, string> }[] = []
  const streams: ReturnType<typeof openStream>[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ at: Date.now(), url, headers: init.headers as Record<string, string> })
    const reply = replies.shift() ?? 'network'
    if (reply === 'network') throw new TypeError('Failed to fetch')
    if (reply === 'stream') {
      const stream = openStream(init.signal as AbortSignal)
      streams.push(stream)
      return stream.response
    }
    return new Response(JSON.stringify({ status_code: reply, detail: 'no' }), { status: reply })
  })
  return { calls, streams }
}

function track() {
  const states: LiveState[] = []
  const events: string[] = []
  let opens = 0
  const live = new LiveStream('/api/v1/live?site_id=1', {
    onOpen: () => void (opens += 1),
    onEvent: (e) => void events.push(`${e.type}:${e.data}`),
    onState: (s) => void states.push(s),
  })
  return { live, states, events, opens: () => opens }
}

beforeEach(async () => {
  await startSession({ token: 'tok-live', expires_at: Date.now() / 1000 + 3600, user })
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('reconnectDelay', () => {
  it('waits 1, 2, 5, then 10 s for good', () => {
    expect(RECONNECT_DELAYS_MS).toEqual([1000, 2000, 5000, 10000])
    expect([0, 1, 2, 3, 4, 5, 50].map(reconnectDelay)).toEqual([1000, 2000, 5000, 10000, 10000, 10000, 10000])
  })
})

describe('LiveStream', () => {
  it('sends the token in a header, never in the URL, and delivers events', async () => {
    const { calls, streams } = stubLive(['stream'])
    const { live, events, states, opens } = track()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(calls[0]?.url).toBe('/api/v1/live?site_id=1')
    expect(calls[0]?.headers.Authorization).toBe('Bearer tok-live')
    expect(calls[0]?.headers.Accept).toBe('text/event-stream')
    expect(opens()).toBe(0) // headers alone: the server may not have subscribed the stream yet
    expect(states).toEqual(['connecting'])
    streams[0]?.write(': keep-alive\n\nevent: reading\ndata: {"v":')
    streams[0]?.write('1}\n\n')
    await vi.advanceTimersByTimeAsync(0)
    expect(events).toEqual(['reading:{"v":1}'])
    expect(states).toEqual(['connecting', 'live'])
    live.stop()
    expect(live.getState()).toBe('closed')
  })

  it('backs off 1, 2, 5, 10, 10 s between failed attempts', async () => {
    const { calls } = stubLive(['network', 503, 'network', 'network', 'network', 'network'])
    const { live, states } = track()
    const t0 = Date.now()
    live.start()
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 5000 + 10000 + 10000)
    expect(calls.map((c) => c.at - t0)).toEqual([0, 1000, 3000, 8000, 18000, 28000])
    expect(states).toEqual(['connecting', 'reconnecting'])
    live.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toHaveLength(6) // stopped: no more attempts
  })

  it('reconnects after the server ends the stream, and calls onOpen again to re-read', async () => {
    const { calls, streams } = stubLive(['stream', 'stream'])
    const { live, states, opens } = track()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    streams[0]?.write(': andian live\n\n')
    streams[0]?.end()
    await vi.advanceTimersByTimeAsync(999)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(2)
    streams[1]?.write(': andian live\n\n')
    await vi.advanceTimersByTimeAsync(0)
    expect(opens()).toBe(2)
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live'])
    live.stop()
  })

  it('starts the waits again at 1 s after a connection that stayed up', async () => {
    const { calls, streams } = stubLive(['network', 'network', 'network', 'stream', 'network'])
    const { live } = track()
    live.start()
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 5000) // fourth attempt opens the stream
    expect(calls).toHaveLength(4)
    await vi.advanceTimersByTimeAsync(STABLE_AFTER_MS)
    streams[0]?.write(': ping\n\n')
    streams[0]?.end()
    const ended = Date.now()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls.map((c) => c.at - ended).at(-1)).toBe(1000)
    live.stop()
  })

  it('drops a connection that went silent and reconnects', async () => {
    const { calls, streams } = stubLive(['stream', 'stream'])
    const { live } = track()
    live.start()
    await vi.advanceTimersByTimeAsync(SILENCE_TIMEOUT_MS - 1)
    streams[0]?.write(': ping\n\n') // a keep-alive resets the timer
    await vi.advanceTimersByTimeAsync(SILENCE_TIMEOUT_MS - 1)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1 + reconnectDelay(0))
    expect(calls).toHaveLength(2)
    live.stop()
  })

  it('retryNow skips the wait', async () => {
    const { calls } = stubLive(['network', 'network', 'network', 'network'])
    const { live } = track()
    live.start()
    await vi.advanceTimersByTimeAsync(3000)
    expect(calls).toHaveLength(3) // waiting 5 s for the fourth
    live.retryNow()
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toHaveLength(4)
    live.stop()
  })

  it('gives up on 403 and 404: retrying would not help', async () => {
    for (const status of [403, 404]) {
      const { calls } = stubLive([status])
      const { live, states } = track()
      live.start()
      await vi.advanceTimersByTimeAsync(60_000)
      expect(calls).toHaveLength(1)
      expect(states).toEqual(['connecting', 'failed'])
    }
  })

  it('ends the session on 401', async () => {
    stubLive([401])
    const { live, states } = track()
    live.start()
    await vi.waitFor(() => expect(getSession()).toBeNull())
    expect(states).toEqual(['connecting', 'failed'])
  })

  it('keeps the connection when a handler throws', async () => {
    const { streams } = stubLive(['stream'])
    const seen: string[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const live = new LiveStream('/api/v1/live?site_id=1', {
      onEvent: (e) => {
        seen.push(e.data)
        if (e.data === 'bad') throw new Error('boom')
      },
    })
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    streams[0]?.write('data: bad\n\ndata: good\n\n')
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual(['bad', 'good'])
    expect(live.getState()).toBe('live')
    expect(warn).toHaveBeenCalledOnce()
    live.stop()
  })
})
