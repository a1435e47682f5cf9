// Reads that work offline: ask the server; on success keep a copy in IndexedDB; when the server cannot be
// reached, answer from that copy and say how old it is. The features' reads (sites/data.ts, alarms/data.ts)
// are made of these.
import { NetworkError } from './http'

export interface Cached<T> {
  data: T
  /** When the data came from the server (ms since the epoch). */
  fetchedAt: number
  /** True when the server could not be reached and this is the saved copy. */
  offline: boolean
}

/** Offline, and nothing saved on this device yet. Carries the network error that caused it. */
export class NoCachedData extends Error {
  constructor(options?: { cause?: unknown }) {
    super('offline and nothing cached', options)
    this.name = 'NoCachedData'
  }
}

/** Save a copy for offline use; when the device will not store it, say so in the console and carry on. */
export async function keep(save: () => Promise<void>): Promise<void> {
  try {
    await save()
  } catch (error) {
    // Storage full or blocked: the fresh data is still shown, it just won't be there offline.
    console.warn('andian: could not save data for offline use', error)
  }
}

export async function cachedRead<T>(
  fetchFresh: () => Promise<T>,
  save: (data: T, fetchedAt: number) => Promise<void>,
  load: () => Promise<{ data: T; fetchedAt: number } | undefined>,
): Promise<Cached<T>> {
  try {
    const data = await fetchFresh()
    const fetchedAt = Date.now()
    await keep(() => save(data, fetchedAt))
    return { data, fetchedAt, offline: false }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
    const saved = await load()
    if (!saved) throw new NoCachedData({ cause: error })
    return { ...saved, offline: true }
  }
}
