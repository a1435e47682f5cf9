// Reads that work offline: ask the server; on success keep a copy in IndexedDB; when the server cannot be
// reached, answer from that copy and say how old it is.
import { applySnapshot } from './alarms/model'
import { getAlarm, getAlarms, getSite, getSites, NetworkError } from './api'
import {
  deleteSiteDetail,
  findSavedAlarm,
  loadSiteAlarms,
  loadSiteDetail,
  loadSiteList,
  saveSiteAlarms,
  saveSiteDetail,
  saveSiteList,
} from './store/db'
import type { Alarm, Site, SiteDetail } from './types'

// Cleared alarms stay in a site's list for a week: long enough to see what happened over a weekend or a
// holiday, short enough to keep the list (and the copy on the phone) small.
export const RECENT_ALARMS_S = 7 * 24 * 3600

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

async function keep(save: () => Promise<void>): Promise<void> {
  try {
    await save()
  } catch (error) {
    // Storage full or blocked: the fresh data is still shown, it just won't be there offline.
    console.warn('andian: could not save data for offline use', error)
  }
}

async function cachedRead<T>(
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

export function readSites(): Promise<Cached<Site[]>> {
  return cachedRead(getSites, saveSiteList, async () => {
    const saved = await loadSiteList()
    return saved && { data: saved.sites, fetchedAt: saved.fetchedAt }
  })
}

export function readSite(id: number): Promise<Cached<SiteDetail>> {
  return cachedRead(
    () => getSite(id),
    saveSiteDetail,
    async () => {
      const saved = await loadSiteDetail(id)
      return saved && { data: saved.site, fetchedAt: saved.fetchedAt }
    },
  )
}

/** The server says the site is gone or hidden from this user: drop the copy as well. */
export function forgetSite(id: number): Promise<void> {
  return deleteSiteDetail(id)
}

/** A site's active alarms and those cleared in the last week, as one list: active first, newest first. */
export async function fetchSiteAlarms(siteId: number, now: number = Date.now()): Promise<Alarm[]> {
  const since = Math.floor(now / 1000) - RECENT_ALARMS_S
  const [active, cleared] = await Promise.all([
    getAlarms({ site_id: siteId, active: true }),
    getAlarms({ site_id: siteId, active: false, since }),
  ])
  return applySnapshot([...active, ...cleared])
}

export function readSiteAlarms(siteId: number): Promise<Cached<Alarm[]>> {
  return cachedRead(
    () => fetchSiteAlarms(siteId),
    (alarms, fetchedAt) => saveSiteAlarms(siteId, alarms, fetchedAt),
    async () => {
      const saved = await loadSiteAlarms(siteId)
      return saved && { data: saved.alarms, fetchedAt: saved.fetchedAt }
    },
  )
}

/** Keep the list as the page now shows it (after live events), for the next time the phone is offline. */
export function keepSiteAlarms(siteId: number, alarms: Alarm[], fetchedAt: number = Date.now()): Promise<void> {
  return keep(() => saveSiteAlarms(siteId, alarms, fetchedAt))
}

/**
 * One alarm (the page a message's link opens). Offline, the copy in a site's saved alarm list, when the site
 * page was opened on this device in the last week. Not saved by itself: a site's list is written only by
 * that site's live page, so a single alarm never lands over a newer list.
 */
export function readAlarm(id: number): Promise<Cached<Alarm>> {
  return cachedRead(
    () => getAlarm(id),
    async () => undefined,
    async () => {
      const saved = await findSavedAlarm(id)
      return saved && { data: saved.alarm, fetchedAt: saved.fetchedAt }
    },
  )
}
