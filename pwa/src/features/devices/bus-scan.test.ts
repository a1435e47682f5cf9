import { describe, expect, it } from 'vitest'
import { busScan, foundUnit } from '../../test/wired'
import { IDLE, isPolling, MAX_MISSES, mayStart, progressOf, scanReducer, type ScanEvent, type ScanModel } from './bus-scan'

const run = (events: ScanEvent[], from: ScanModel = IDLE) => events.reduce(scanReducer, from)

describe('following a bus scan', () => {
  it('runs from the start to done, polling while running', () => {
    const starting = run([{ type: 'start' }])
    expect(starting).toEqual({ phase: 'starting', scan: null, misses: 0 })
    expect(isPolling(starting)).toBe(false)
    expect(mayStart(starting)).toBe(false)

    const running = run([{ type: 'answer', scan: busScan() }], starting)
    expect(running.phase).toBe('running')
    expect(isPolling(running)).toBe(true)
    expect(mayStart(running)).toBe(false)

    const halfway = busScan({ done: 12, found: [foundUnit(3), foundUnit(7)] })
    const later = run([{ type: 'answer', scan: halfway }], running)
    expect(later).toEqual({ phase: 'running', scan: halfway, misses: 0 })
    expect(progressOf(halfway)).toEqual({ done: 12, total: 32, found: 2, ratio: 0.375 })

    const done = run([{ type: 'answer', scan: busScan({ state: 'done', done: 32, found: halfway.found }) }], later)
    expect(done.phase).toBe('done')
    expect(isPolling(done)).toBe(false)
    expect(mayStart(done)).toBe(true)
  })

  it('cancels: the button is not offered twice, and the server says when it stopped', () => {
    const running = run([{ type: 'start' }, { type: 'answer', scan: busScan({ done: 5 }) }])
    const cancelling = scanReducer(running, { type: 'cancel' })
    expect(cancelling.phase).toBe('cancelling')
    expect(isPolling(cancelling)).toBe(true) // until the box says cancelled
    // A poll answered before the box stopped keeps the screen cancelling.
    expect(scanReducer(cancelling, { type: 'answer', scan: busScan({ done: 6 }) }).phase).toBe('cancelling')
    expect(scanReducer(cancelling, { type: 'cancel' })).toBe(cancelling)
    const cancelled = scanReducer(cancelling, { type: 'answer', scan: busScan({ state: 'cancelled', done: 6 }) })
    expect(cancelled.phase).toBe('cancelled')
    expect(isPolling(cancelled)).toBe(false)
    expect(mayStart(cancelled)).toBe(true)
  })

  it('goes on running when the cancel was refused', () => {
    const cancelling = run([{ type: 'start' }, { type: 'answer', scan: busScan() }, { type: 'cancel' }])
    expect(scanReducer(cancelling, { type: 'cancel_failed' }).phase).toBe('running')
  })

  it('ends failed with the box’s reason', () => {
    const failed = run([
      { type: 'start' },
      { type: 'answer', scan: busScan() },
      { type: 'answer', scan: busScan({ state: 'failed', error: 'link_lost: the serial port was closed' }) },
    ])
    expect(failed.phase).toBe('failed')
    expect(failed.scan?.error).toContain('link_lost')
  })

  it('a refused start goes back to the form', () => {
    expect(run([{ type: 'start' }, { type: 'refused' }])).toEqual(IDLE)
  })

  it('stops asking after polls without an answer, and asks again on request', () => {
    let model = run([{ type: 'start' }, { type: 'answer', scan: busScan() }])
    for (let i = 1; i < MAX_MISSES; i++) {
      model = scanReducer(model, { type: 'miss' })
      expect(model).toMatchObject({ phase: 'running', misses: i })
    }
    model = scanReducer(model, { type: 'miss' })
    expect(model.phase).toBe('lost')
    expect(isPolling(model)).toBe(false)
    expect(mayStart(model)).toBe(true)
    const resumed = scanReducer(model, { type: 'resume' })
    expect(resumed).toMatchObject({ phase: 'running', misses: 0 })
    // An answer forgives the misses.
    const missed = scanReducer(resumed, { type: 'miss' })
    expect(scanReducer(missed, { type: 'answer', scan: busScan({ done: 2 }) }).misses).toBe(0)
  })

  it('stops at once when the box forgot the scan', () => {
    const model = run([{ type: 'start' }, { type: 'answer', scan: busScan() }, { type: 'miss', final: true }])
    expect(model.phase).toBe('lost')
  })

  it('drops answers about another scan, or after the screen went back to the form', () => {
    const running = run([{ type: 'start' }, { type: 'answer', scan: busScan({ id: 4 }) }])
    expect(scanReducer(running, { type: 'answer', scan: busScan({ id: 3, state: 'done' }) })).toBe(running)
    expect(scanReducer(IDLE, { type: 'answer', scan: busScan() })).toBe(IDLE)
  })

  it('shows a full bar for an empty range and never more than the total', () => {
    expect(progressOf(busScan({ total: 0, done: 0 })).ratio).toBe(1)
    expect(progressOf(busScan({ total: 32, done: 40 }))).toMatchObject({ done: 32, ratio: 1 })
  })
})
