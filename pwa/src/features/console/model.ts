// The operator's console without rendering: who gets it, the filters in the address, the queue's order, what
// counts as unacknowledged, which alarms are new (for the tone), and the wall screen's counts by district. Pure.
import { t, type Lang } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import { isActive, isTest } from '../alarms/model'
import type { Alarm, AlarmCause, AlarmLevel } from '../alarms/types'
import type { ConsoleFilters, PowerOffRequest } from './types'

export const CONSOLE_PATH = '/console'

/** The monitoring centre of the operator company, and admins (server: roles.CONSOLE). */
export function canUseConsole(role: Role | undefined): boolean {
  return role === 'operator' || role === 'admin'
}

export const CAUSES: readonly AlarmCause[] = [
  'overload', 'leakage', 'overtemp', 'arc', 'short_circuit', 'hot_joint', 'leakage_trend', 'imbalance', 'voltage',
  'sensor', 'offline',
]

/** Most severe first: an alarm before a lost device, a fault, and a pre-alarm. */
export const LEVELS: readonly AlarmLevel[] = ['alarm', 'offline', 'fault', 'prealarm']

const REGION_CODE = /^\d{6,12}$/

/** The filters in the address ("/console?district=430903&level=alarm&ack=no"); anything malformed is ignored. */
export function parseConsoleSearch(search: string): ConsoleFilters {
  const params = new URLSearchParams(search)
  const filters: ConsoleFilters = {}
  const district = params.get('district')
  if (district && REGION_CODE.test(district)) filters.district = district
  const cause = params.get('cause')
  if (cause && (CAUSES as readonly string[]).includes(cause)) filters.cause = cause
  const level = params.get('level')
  if (level && (LEVELS as readonly string[]).includes(level)) filters.level = level
  const ack = params.get('ack')
  if (ack === 'yes' || ack === 'no') filters.ack = ack
  const company = Number(params.get('company'))
  if (Number.isInteger(company) && company > 0) filters.company = company
  if (params.get('wall') === '1') filters.wall = true
  return filters
}

/** The console's address for the filters (the inverse of parseConsoleSearch). */
export function consolePath(filters: ConsoleFilters): string {
  const params = new URLSearchParams()
  if (filters.district) params.set('district', filters.district)
  if (filters.cause) params.set('cause', filters.cause)
  if (filters.level) params.set('level', filters.level)
  if (filters.ack) params.set('ack', filters.ack)
  if (filters.company !== undefined) params.set('company', String(filters.company))
  if (filters.wall) params.set('wall', '1')
  const text = params.toString()
  return text ? `${CONSOLE_PATH}?${text}` : CONSOLE_PATH
}

/** A real, active alarm nobody has acknowledged: what the console highlights, counts and sounds for. */
export function needsAck(alarm: Alarm): boolean {
  return isActive(alarm) && !isTest(alarm) && alarm.acknowledged_at === null
}

function rank(level: string): number {
  const index = (LEVELS as readonly string[]).indexOf(level)
  return index === -1 ? LEVELS.length : index
}

/**
 * The queue: active before ended; among them unacknowledged real alarms first, self-tests (自检) last; then the
 * most severe level; then the newest (ties: the later id).
 */
export function sortQueue(alarms: readonly Alarm[]): Alarm[] {
  const group = (a: Alarm) => (needsAck(a) ? 0 : isTest(a) ? 2 : 1)
  return [...alarms].sort(
    (a, b) =>
      Number(isActive(b)) - Number(isActive(a)) ||
      group(a) - group(b) ||
      rank(a.level) - rank(b.level) ||
      b.started_at - a.started_at ||
      b.id - a.id,
  )
}

/** The headline count: active real alarms not acknowledged (self-tests never count). */
export function unackedCount(alarms: readonly Alarm[]): number {
  return alarms.filter(needsAck).length
}

/**
 * The alarms that need acknowledging and were not in the queue before (``known``: the ids already seen). The
 * first read only learns what is there: an empty ``known`` with ``first`` sounds for nothing.
 */
export function newArrivals(known: ReadonlySet<number>, alarms: readonly Alarm[], first: boolean): number[] {
  if (first) return []
  return alarms.filter((a) => needsAck(a) && !known.has(a.id)).map((a) => a.id)
}

export interface DistrictCount {
  code: string
  name: string
  active: number
  unacked: number
}

/** The wall screen's tiles: active real alarms by district, those with the most unacknowledged first. */
export function countsByDistrict(alarms: readonly Alarm[]): DistrictCount[] {
  const out = new Map<string, DistrictCount>()
  for (const alarm of alarms) {
    if (!isActive(alarm) || isTest(alarm)) continue
    const code = alarm.district_code ?? ''
    const entry = out.get(code) ?? { code, name: alarm.district || code || '—', active: 0, unacked: 0 }
    entry.active += 1
    if (alarm.acknowledged_at === null) entry.unacked += 1
    out.set(code, entry)
  }
  return [...out.values()].sort((a, b) => b.unacked - a.unacked || b.active - a.active || a.name.localeCompare(b.name))
}

/** The districts seen in the queue, for the district filter (name by code, in code order). */
export function districtsOf(alarms: readonly Alarm[]): { code: string; name: string }[] {
  const seen = new Map<string, string>()
  for (const a of alarms) if (a.district_code) seen.set(a.district_code, a.district || a.district_code)
  return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([code, name]) => ({ code, name }))
}

/** Seconds since the queue was last read, whole. */
export function secondsSince(fetchedAt: number, now: number = Date.now()): number {
  return Math.max(0, Math.floor((now - fetchedAt) / 1000))
}

/** The queue is stale when the last reads failed for longer than three refreshes. */
export const REFRESH_MS = 10_000

export function isStale(fetchedAt: number, now: number = Date.now()): boolean {
  return now - fetchedAt > 3 * REFRESH_MS
}

/** The selection kept only for alarms still shown and still waiting for acknowledgement. */
export function keepSelection(selected: ReadonlySet<number>, alarms: readonly Alarm[]): Set<number> {
  const open = new Set(alarms.filter(needsAck).map((a) => a.id))
  return new Set([...selected].filter((id) => open.has(id)))
}

/** Admins pick the operator company whose alarms the console shows (server: ?company_id=, every one by default). */
export function picksCompany(role: Role | undefined): boolean {
  return role === 'admin'
}

/** The site page opened at the device's own card, where its remote controls are (the card's anchor). */
export function controlPath(siteId: number, deviceId: number): string {
  return `/sites/${siteId}#${deviceAnchor(deviceId)}`
}

/** The id of a device's card on the site page. */
export function deviceAnchor(deviceId: number): string {
  return `device-${deviceId}`
}

/** How long an alarm has lasted, in its two largest units: "40 秒", "12 分钟", "5 小时 3 分钟", "2 天 11 小时". */
export function elapsedText(seconds: number, lang?: Lang): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return t('unit.seconds', { value: s }, lang)
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return t('unit.minutes', { count: minutes }, lang)
  const [big, small, bigKey, smallKey] =
    minutes < 1440
      ? ([Math.floor(minutes / 60), minutes % 60, 'unit.hours', 'unit.minutes'] as const)
      : ([Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), 'unit.days', 'unit.hours'] as const)
  const head = t(bigKey, { count: big }, lang)
  return small ? `${head} ${t(smallKey, { count: small }, lang)}` : head
}

/** What a catching-up box's line says: the readings it still holds, or, when only other records are left, those. */
export function backlogLine(backlog: Record<string, number>): { key: 'console.box_readings' | 'console.box_records'; count: number } {
  const readings = backlog.readings ?? 0
  if (readings > 0) return { key: 'console.box_readings', count: readings }
  return { key: 'console.box_records', count: Object.values(backlog).reduce((sum, n) => sum + Math.max(0, n), 0) }
}

/** An alarm's power-off requests as read (newest first), with those made here since the read began: a read that was
 * on its way when the owner sent a request answers without it, and must not take it off the page. */
export function withNewer(read: readonly PowerOffRequest[], known: readonly PowerOffRequest[] | undefined): PowerOffRequest[] {
  const newest = Math.max(0, ...read.map((r) => r.id))
  return [...(known ?? []).filter((r) => r.id > newest), ...read]
}
