// A site's alarms and one alarm that work offline (platform/cached-read.ts): the server's answer, or the copy saved
// on this device when the server cannot be reached.
import { cachedRead, keep, type Cached } from '../../platform/cached-read'
import { findSavedAlarm, loadSiteAlarms, saveSiteAlarms } from '../../platform/db'
import { getAlarm, getAlarms } from './api'
import { applySnapshot } from './model'
import type { Alarm } from './types'

// Cleared alarms stay in a site's list for a week: long enough to see what happened over a weekend or a
// holiday, short enough to keep the list (and the copy on the phone) small.
export const RECENT_ALARMS_S = 7 * 24 * 3600

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
