import { describe, expect, it, vi } from 'vitest'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { addPoint, HISTORY_S, mergeHistory, SeriesStore, STEP_S, type Series } from './series'

useFakeServer()

const s = (ts: number[], value: number[] = ts.map((t) => t * 10)): Series => ({ ts, value })

describe('addPoint', () => {
  it.each([
    ['appends a newer point', s([1, 2]), 3, s([1, 2, 3])],
    ['inserts a late point in order', s([1, 3]), 2, s([1, 2, 3])],
    ['replaces a point at the same time', s([1, 2, 3]), 2, s([1, 2, 3])],
    ['starts an empty series', s([]), 5, s([5])],
  ])('%s', (_name, series, ts, expected) => {
    expect(addPoint(series, ts, ts * 10, 0)).toEqual(expected)
  })

  it('drops points older than the window', () => {
    expect(addPoint(s([1, 2, 3]), 4, 40, 3)).toEqual(s([3, 4]))
    expect(addPoint(s([1]), 2, 20, 9)).toEqual(s([]))
  })

  it('replaces the value at an existing time', () => {
    expect(addPoint(s([1, 2], [10, 20]), 2, 99, 0)).toEqual(s([1, 2], [10, 99]))
  })
})

describe('mergeHistory', () => {
  it('keeps the history and only the live points after it', () => {
    const history = s([60, 120, 180])
    const live = s([100, 181, 190], [1, 2, 3])
    expect(mergeHistory(history, live, 0)).toEqual({ ts: [60, 120, 180, 181, 190], value: [600, 1200, 1800, 2, 3] })
  })

  it('trims to the window', () => {
    expect(mergeHistory(s([60, 120]), s([]), 100)).toEqual(s([120]))
  })
})

describe('SeriesStore', () => {
  const NOW = 1_763_856_000

  it('loads the last hours once, keeping live readings that came in meanwhile', async () => {
    await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
    const store = new SeriesStore(() => NOW)
    const changed: number[] = []
    store.subscribe((id) => changed.push(id))
    server.answers.push(json(200, { ts: [NOW - 120, NOW - 60], value: [150, 160] }))
    const loading = store.load(1012)
    expect(store.get(1012).state).toBe('loading')
    store.addReading({ channel_id: 1012, device_id: 112, channel: 'residual_ma', ts: NOW - 1, value: 420 })
    await loading
    const url = new URL(server.calls[0]!.url, 'http://x')
    expect(url.pathname).toBe('/api/v1/channels/1012/readings')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: String(NOW - HISTORY_S),
      to: String(NOW),
      step: String(STEP_S),
    })
    expect(store.get(1012)).toEqual({
      state: 'ready',
      series: { ts: [NOW - 120, NOW - 60, NOW - 1], value: [150, 160, 420] },
      latest: { ts: NOW - 1, value: 420 }, // the live value, newer than the last minute's mean
    })
    await store.load(1012) // loaded already: no second request
    expect(server.calls).toHaveLength(1)
    expect(changed.every((id) => id === 1012)).toBe(true)
  })

  it('the latest value comes from the history until a reading arrives', async () => {
    await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
    const store = new SeriesStore(() => NOW)
    server.answers.push(json(200, { ts: [NOW - 60], value: [31.5] }))
    await store.load(7)
    expect(store.get(7).latest).toEqual({ ts: NOW - 60, value: 31.5 })
    store.addReading({ channel_id: 7, device_id: 1, channel: 'temp_c', ts: NOW, value: 33 })
    expect(store.get(7).latest).toEqual({ ts: NOW, value: 33 })
    store.addReading({ channel_id: 7, device_id: 1, channel: 'temp_c', ts: NOW - 30, value: 1 }) // late
    expect(store.get(7).latest?.value).toBe(33)
  })

  it('can try again after a failure', async () => {
    await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
    const store = new SeriesStore(() => NOW)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    server.answers.push(json(500, { status_code: 500, detail: 'boom' }))
    await store.load(7)
    expect(store.get(7).state).toBe('failed')
    server.answers.push(json(200, { ts: [], value: [] }))
    await store.load(7)
    expect(store.get(7)).toMatchObject({ state: 'ready', latest: undefined })
  })
})
