// One live stream (GET /api/v1/live?site_id=N, Server-Sent Events) and its reconnects. This class is the
// only owner of the connection: one request at a time, and a wait between attempts.
//
// EventSource cannot send an Authorization header, and the token must never be in a URL (it would end up in
// server and proxy logs), so the stream is a fetch() whose body is read chunk by chunk into the SSE parser.
import { reportReachable } from '../../platform/online'
import { endSession, getSession } from '../../platform/session'
import { SseParser, type SseEvent } from './sse'

// Waits before reconnecting, by attempt; the last one repeats. Short at first so a server restart or a
// dropped mobile connection is bridged within a second or two; capped at 10 s so an alarm raised during a
// long outage shows at most ~10 s after the network returns, at one request per 10 s meanwhile.
export const RECONNECT_DELAYS_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000]

// A connection that stayed up this long was healthy: the next failure starts the waits again from 1 s.
// (Without this, a server that accepts and at once closes would be hammered every second.)
export const STABLE_AFTER_MS = 30_000

// No bytes for this long, not even a keep-alive comment, means the connection died silently (a phone that
// changed networks keeps a dead socket open): drop it and reconnect. The server's keep-alive must come more
// often than this.
export const SILENCE_TIMEOUT_MS = 45_000

export function reconnectDelay(attempt: number): number {
  return RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)] as number
}

/**
 * `connecting` before the first answer, `live` while events flow, `reconnecting` between attempts,
 * `failed` when the server refused the stream for good (403, 404: retrying would not help), `closed`
 * after stop().
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'failed' | 'closed'

export interface LiveStreamHandlers {
  /** The stream's first bytes came, the first time and after each reconnect: re-read what was missed. */
  onOpen?: () => void
  onEvent: (event: SseEvent) => void
  onState?: (state: LiveState) => void
}

type Outcome = 'ended' | 'failed' | 'refused'

// 4xx answers that may pass: timeouts and rate limits. Any other 4xx is final for this page.
const RETRYABLE_CLIENT_ERRORS = new Set([408, 429])

export class LiveStream {
  private state: LiveState = 'closed'
  private running = false
  private controller: AbortController | undefined
  private wake: (() => void) | undefined

  constructor(
    private readonly url: string,
    private readonly handlers: LiveStreamHandlers,
  ) {}

  getState(): LiveState {
    return this.state
  }

  start(): void {
    if (this.running) return
    this.running = true
    void this.run()
  }

  stop(): void {
    this.running = false
    this.controller?.abort()
    this.wake?.()
    this.setState('closed')
  }

  /** Skip the wait before the next attempt: the browser is back online, or the page is visible again. */
  retryNow(): void {
    this.wake?.()
  }

  private setState(state: LiveState): void {
    if (state === this.state) return
    this.state = state
    this.handlers.onState?.(state)
  }

  private async run(): Promise<void> {
    let attempt = 0
    let first = true
    while (this.running) {
      this.setState(first ? 'connecting' : 'reconnecting')
      first = false
      const startedAt = Date.now()
      const outcome = await this.connectOnce()
      if (!this.running) return
      if (outcome === 'refused') {
        this.running = false
        this.setState('failed')
        return
      }
      if (Date.now() - startedAt >= STABLE_AFTER_MS) attempt = 0
      this.setState('reconnecting')
      await this.sleep(reconnectDelay(attempt))
      attempt += 1
    }
  }

  private async connectOnce(): Promise<Outcome> {
    const token = getSession()?.token
    if (!token) return 'refused'
    const controller = new AbortController()
    this.controller = controller
    let silence: ReturnType<typeof setTimeout> | undefined
    const heard = () => {
      clearTimeout(silence)
      silence = setTimeout(() => controller.abort(), SILENCE_TIMEOUT_MS)
    }
    heard()
    try {
      let response: Response
      try {
        response = await fetch(this.url, {
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
          cache: 'no-store',
          signal: controller.signal,
        })
      } catch {
        if (this.running) reportReachable(false)
        return 'failed'
      }
      reportReachable(true)
      if (response.status === 401) {
        await endSession() // the token was revoked or expired: the app shows the login page
        return 'refused'
      }
      if (response.status >= 400 && response.status < 500 && !RETRYABLE_CLIENT_ERRORS.has(response.status)) {
        return 'refused'
      }
      if (!response.ok || !response.body) return 'failed'

      const parser = new SseParser()
      const reader = response.body.getReader()
      let open = false
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'ended'
        heard()
        // Open from the first bytes, not the headers: a server may send its headers before it has subscribed
        // this stream, and a re-read started earlier could miss what happens in between.
        if (!open) {
          open = true
          this.setState('live')
          this.handlers.onOpen?.()
        }
        for (const event of parser.push(value)) this.deliver(event)
      }
    } catch {
      return 'failed' // the connection broke, or the silence timer aborted it
    } finally {
      clearTimeout(silence)
      controller.abort()
      if (this.controller === controller) this.controller = undefined
    }
  }

  private deliver(event: SseEvent): void {
    try {
      this.handlers.onEvent(event)
    } catch (error) {
      // One bad event must not drop the connection and every event after it.
      console.warn('andian: could not handle a live event', event.type, error)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wake = done
    })
  }
}
