// Chart data of a site's channels: the last hours from the readings endpoint, with the live stream's readings
// appended as they come, and each channel's latest value. In memory only: charts are not kept offline.
import { getReadings } from './api'
import type { ReadingEvent } from './types'

// The "last hours" a shop owner looks at when an alarm wakes them; at one point a minute that is 360 points
// per channel, light for a phone to fetch and draw.
export const HISTORY_S = 6 * 3600
export const STEP_S = 60

/** Parallel arrays sorted by time (Unix seconds), as uPlot takes them. */
export interface Series {
  ts: number[]
  value: number[]
}

export interface ChannelSeries {
  /** `idle` until load() is asked for (the row became visible). */
  state: 'idle' | 'loading' | 'ready' | 'failed'
  series: Series
  /** The newest value known, from the stream or the history, with its time. */
  latest: { ts: number; value: number } | undefined
}

const EMPTY: ChannelSeries = { state: 'idle', series: { ts: [], value: [] }, latest: undefined }

/** `series` with (ts, value) in time order — a point at a time already there replaces it — and without points before `from`. */
export function addPoint(series: Series, ts: number, value: number, from: number): Series {
  const out: Series = { ts: [], value: [] }
  let placed = false
  for (let i = 0; i < series.ts.length; i++) {
    const t = series.ts[i] as number
    if (!placed && ts <= t) {
      placed = true
      out.ts.push(ts)
      out.value.push(value)
      if (ts === t) continue
    }
    out.ts.push(t)
    out.value.push(series.value[i] as number)
  }
  if (!placed) {
    out.ts.push(ts)
    out.value.push(value)
  }
  return trim(out, from)
}

/** History from the server, then the live points newer than its last one (they arrived while it loaded). */
export function mergeHistory(history: Series, live: Series, from: number): Series {
  const last = history.ts.at(-1) ?? -Infinity
  let merged = trim(history, from)
  live.ts.forEach((t, i) => {
    if (t > last) merged = addPoint(merged, t, live.value[i] as number, from)
  })
  return merged
}

/** Without the points before `from`. */
function trim(series: Series, from: number): Series {
  const keep = series.ts.findIndex((t) => t >= from)
  if (keep === 0) return series
  if (keep === -1) return { ts: [], value: [] }
  return { ts: series.ts.slice(keep), value: series.value.slice(keep) }
}

function newer(a: ChannelSeries['latest'], ts: number): boolean {
  return a === undefined || ts >= a.ts
}

export class SeriesStore {
  private readonly channels = new Map<number, ChannelSeries>()
  private readonly listeners = new Set<(channelId: number) => void>()

  constructor(private readonly nowS: () => number = () => Date.now() / 1000) {}

  get(channelId: number): ChannelSeries {
    return this.channels.get(channelId) ?? EMPTY
  }

  /** Re-render a row or chart when its channel changes. Returns the unsubscribe function. */
  subscribe(fn: (channelId: number) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private set(channelId: number, next: ChannelSeries): void {
    this.channels.set(channelId, next)
    for (const fn of this.listeners) fn(channelId)
  }

  /** Fetch the last HISTORY_S of a channel, once; again after a failure, or with `force` (after a reconnect). */
  async load(channelId: number, force = false): Promise<void> {
    const current = this.get(channelId)
    if (current.state === 'loading' || (current.state === 'ready' && !force)) return
    this.set(channelId, { ...current, state: 'loading' })
    const to = this.nowS()
    const from = to - HISTORY_S
    try {
      const history = await getReadings(channelId, Math.floor(from), Math.ceil(to), STEP_S)
      const now = this.get(channelId) // live points may have come in meanwhile
      const series = mergeHistory(history, now.series, from)
      const lastTs = history.ts.at(-1)
      const fromHistory = lastTs === undefined ? undefined : { ts: lastTs, value: history.value.at(-1) as number }
      const latest = fromHistory && newer(now.latest, fromHistory.ts) ? fromHistory : now.latest
      this.set(channelId, { state: 'ready', series, latest })
    } catch (error) {
      console.warn('andian: could not load readings of channel', channelId, error)
      this.set(channelId, { ...this.get(channelId), state: 'failed' })
    }
  }

  /** Fill the gap a dropped connection left: reload every channel that was loaded. */
  reloadLoaded(): void {
    for (const [id, channel] of this.channels) if (channel.state === 'ready') void this.load(id, true)
  }

  /** A `reading` event of the live stream. */
  addReading(reading: ReadingEvent): void {
    const current = this.get(reading.channel_id)
    const from = this.nowS() - HISTORY_S
    this.set(reading.channel_id, {
      state: current.state,
      series: addPoint(current.series, reading.ts, reading.value, from),
      latest: newer(current.latest, reading.ts) ? { ts: reading.ts, value: reading.value } : current.latest,
    })
  }
}
