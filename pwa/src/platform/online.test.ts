import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isOnline, onOnlineChange, onRetry, reportReachable } from './online'

beforeEach(() => {
  vi.useFakeTimers()
  reportReachable(true)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('online state', () => {
  it('follows the outcome of requests and tells listeners on change only', () => {
    const seen: boolean[] = []
    const stop = onOnlineChange((online) => seen.push(online))
    reportReachable(false)
    reportReachable(false)
    expect(isOnline()).toBe(false)
    reportReachable(true)
    stop()
    expect(seen).toEqual([false, true])
  })

  it('asks screens to read again on a backing-off schedule while unreachable', () => {
    let retries = 0
    const stop = onRetry(() => {
      retries += 1
      reportReachable(false) // the retried request fails again
    })
    reportReachable(false)
    vi.advanceTimersByTime(4_999)
    expect(retries).toBe(0)
    vi.advanceTimersByTime(1)
    expect(retries).toBe(1)
    vi.advanceTimersByTime(15_000)
    expect(retries).toBe(2)
    vi.advanceTimersByTime(30_000 + 60_000 + 60_000)
    expect(retries).toBe(5)

    reportReachable(true) // an answer came: no more retries
    vi.advanceTimersByTime(600_000)
    expect(retries).toBe(5)
    stop()
  })

  it('does not retry when no screen wants it', () => {
    let retries = 0
    const stop = onRetry(() => (retries += 1))
    stop()
    reportReachable(false)
    vi.advanceTimersByTime(600_000)
    expect(retries).toBe(0)
  })
})
