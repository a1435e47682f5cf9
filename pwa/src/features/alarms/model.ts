// The alarm list of one site as the page keeps it: pure functions, alarms in, alarms out, no I/O.
//
// Invariant: an alarm only moves forward — raised, maybe escalated (prealarm → alarm), maybe acknowledged,
// finally cleared; a cause that comes back is a new alarm with a new id. So two versions of one alarm merge
// into the further one, and the list ends up the same whatever order events and re-reads arrive in, and
// however often an event is repeated.
//
// A self-test alarm (`test`) is listed like any other, but it is the device showing that it works: it never
// makes the banner, a beep or a notification, and never colours a channel, a device or the site.
import type { Channel, Device } from '../devices/types'
import type { SiteStatus } from '../sites/types'
import type { Alarm, AlarmEvent, EscalationTier } from './types'

/**
 * Worst first, as the server ranks a site's `status` (the worst active alarm): a fault or an offline device
 * leaves a circuit unwatched, which is worse than a warning on a watched one; an open breaker leaves a circuit
 * without power, which matters more than a warning but less than a circuit nobody watches. The site list
 * sorts by it too.
 */
export const STATUS_ORDER: Record<SiteStatus, number> = {
  alarm: 0,
  fault: 1,
  offline: 2,
  power_off: 3,
  prealarm: 4,
  normal: 5,
}

const rank = (status: string): number => STATUS_ORDER[status as SiteStatus] ?? STATUS_ORDER.normal

export function isActive(alarm: Alarm): boolean {
  return alarm.cleared_at === null
}

/** Raised during a self-test; missing (older servers, saved copies) means not. */
export function isTest(alarm: Pick<Alarm, 'test'>): boolean {
  return alarm.test === true
}

/** Active and real: what colours channels, devices and the site, and what the banner shows. */
function isLive(alarm: Alarm): boolean {
  return isActive(alarm) && !isTest(alarm)
}

function worse<T extends string>(a: T, b: T): T {
  return rank(b) < rank(a) ? b : a
}

/** How far an alarm has come; the version that has come further wins the fields that change. */
function progress(alarm: Alarm): number {
  return (alarm.cleared_at === null ? 0 : 100) + (10 - rank(alarm.level)) + (alarm.acknowledged_at === null ? 0 : 1)
}

/** Two versions of one alarm (same id) as one: cleared stays cleared, acknowledged stays acknowledged. */
export function mergeAlarm(known: Alarm, incoming: Alarm): Alarm {
  const [behind, ahead] = progress(incoming) >= progress(known) ? [known, incoming] : [incoming, known]
  const acked =
    known.acknowledged_at === null
      ? incoming
      : incoming.acknowledged_at === null || known.acknowledged_at <= incoming.acknowledged_at
        ? known
        : incoming
  const merged: Alarm = {
    ...behind,
    ...ahead,
    level: worse(known.level, incoming.level),
    cleared_at: known.cleared_at ?? incoming.cleared_at,
    acknowledged_at: acked.acknowledged_at,
    acknowledged_by: acked.acknowledged_by,
  }
  // The escalation ladder only goes up, too.
  if (known.escalated_tier !== undefined || incoming.escalated_tier !== undefined) {
    merged.escalated_tier = Math.max(known.escalated_tier ?? 0, incoming.escalated_tier ?? 0) as EscalationTier
  }
  return merged
}

/** An `alarm` event of the live stream without its `transition`: the alarm as the list keeps it. */
export function alarmOf(event: AlarmEvent): Alarm {
  const { transition: _transition, ...alarm } = event
  return alarm
}

/** Active first, then cleared; newest first within each (ties: the higher id, i.e. the later one). */
export function sortAlarms(alarms: Alarm[]): Alarm[] {
  return [...alarms].sort(
    (a, b) =>
      Number(isActive(b)) - Number(isActive(a)) || b.started_at - a.started_at || b.id - a.id,
  )
}

/** The list with `alarm` added, or merged into the version it already has. */
export function applyAlarm(list: Alarm[], alarm: Alarm): Alarm[] {
  const index = list.findIndex((a) => a.id === alarm.id)
  if (index === -1) return sortAlarms([...list, alarm])
  const merged = mergeAlarm(list[index] as Alarm, alarm)
  const next = [...list]
  next[index] = merged
  return sortAlarms(next)
}

/**
 * A fresh read from the server replaces the list (so alarms that dropped out of the window go), then the live
 * events that arrived while it was under way are merged in again: the read may predate them.
 */
export function applySnapshot(snapshot: Alarm[], eventsSince: Alarm[] = []): Alarm[] {
  return [...snapshot, ...eventsSince].reduce(applyAlarm, [] as Alarm[])
}

/** The worst active level, as a site status; `normal` with none. Self-test alarms do not count. */
export function worstStatus(alarms: Alarm[]): SiteStatus {
  return alarms.filter(isLive).reduce<SiteStatus>((w, a) => worse(w, a.level as SiteStatus), 'normal')
}

/**
 * The site's status from its alarm list and its devices' breakers, as the server ranks it: the worst active
 * alarm, or `power_off` when a breaker is open and nothing worse (alarm, fault, offline) is going on.
 */
export function siteStatusOf(alarms: Alarm[], devices: readonly Pick<Device, 'switch'>[]): SiteStatus {
  const open = devices.some((d) => d.switch === 'open')
  return worse(worstStatus(alarms), open ? 'power_off' : 'normal')
}

/** The active alarms of one channel. Device-level alarms (offline) have no channel. */
export function channelAlarms(alarms: Alarm[], channel: Channel): Alarm[] {
  return alarms.filter((a) => isActive(a) && a.channel_id === channel.id)
}

/** The active alarms of a device as a whole (channel null: offline, device faults). */
export function deviceAlarms(alarms: Alarm[], deviceId: number): Alarm[] {
  return alarms.filter((a) => isActive(a) && a.device_id === deviceId && a.channel_id === null)
}

export interface Banner {
  level: 'alarm' | 'prealarm'
  /** Newest first. */
  alarms: Alarm[]
}

/**
 * What the site-wide banner shows: active alarms of level `alarm`, else of level `prealarm`, else nothing.
 * Self-test alarms never.
 */
export function bannerOf(alarms: Alarm[]): Banner | null {
  for (const level of ['alarm', 'prealarm'] as const) {
    const matching = alarms.filter((a) => isLive(a) && a.level === level)
    if (matching.length > 0) return { level, alarms: sortAlarms(matching) }
  }
  return null
}

/**
 * Whether a live event should sound and vibrate: an alarm raised at, or escalated to, level `alarm` — once
 * per alarm, however often the event is repeated. Re-reads of the list and self-tests never alert. `alerted`
 * is updated.
 */
export function shouldAlert(event: AlarmEvent, alerted: Set<number>): boolean {
  if (event.level !== 'alarm' || event.cleared_at !== null || isTest(event)) return false
  if (event.transition !== 'raised' && event.transition !== 'escalated') return false
  if (alerted.has(event.id)) return false
  alerted.add(event.id)
  return true
}
