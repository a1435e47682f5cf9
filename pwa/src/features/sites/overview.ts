// The site page's first card in plain words: the status as a sentence, each value's age, the last alarm and the
// capability line. Pure, so the words are tested without a page.
import { formatNumber, label, t, type Lang, type MessageKey } from '../../platform/i18n'
import { isTripped } from '../alarms/clearing'
import { isActive, isTest, sortAlarms } from '../alarms/model'
import type { Alarm } from '../alarms/types'
import type { Device } from '../devices/types'
import { channelName, devicePlace } from './naming'
import type { SiteCapabilities, SiteStatus } from './types'

export interface Reading {
  /** Unix seconds. */
  ts: number
  value: number
}

/** The newer of two readings (either may be missing). */
export function newest(a: Reading | null | undefined, b: Reading | null | undefined): Reading | undefined {
  if (!a) return b ?? undefined
  if (!b) return a
  return b.ts > a.ts ? b : a
}

// A device is offline after 3 poll intervals without data (docs/detection.md); a value older than that is stale.
const STALE_INTERVALS = 3
const MIN_STALE_S = 60

export function isStale(ts: number, nowS: number, pollIntervalS = 30): boolean {
  return nowS - ts > Math.max(MIN_STALE_S, STALE_INTERVALS * pollIntervalS)
}

/** How old a reading is: "刚刚" under a minute, then "3 分钟前", "2 小时前", "5 天前" ("3 minutes ago"). */
export function readingAge(ts: number, nowS: number, lang?: Lang): string {
  const age = Math.max(0, nowS - ts)
  if (age < 60) return t('overview.age_now', undefined, lang)
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'always' })
  if (age < 3600) return format.format(-Math.floor(age / 60), 'minute')
  if (age < 2 * 86400) return format.format(-Math.floor(age / 3600), 'hour')
  return format.format(-Math.floor(age / 86400), 'day')
}

/** The newest real alarm (self-tests left out), active or not. */
export function lastAlarm(alarms: Alarm[]): Alarm | undefined {
  return [...alarms].filter((a) => !isTest(a)).sort((a, b) => b.started_at - a.started_at || b.id - a.id)[0]
}

/** Where the last alarm stands: still active, ended by itself (已恢复), or ended by a trip (已跳闸断电). */
export function lastAlarmState(alarm: Alarm): MessageKey {
  if (isActive(alarm)) return 'overview.alarm_active'
  return isTripped(alarm) ? 'overview.alarm_tripped' : 'overview.alarm_cleared'
}

/** Where an alarm is, in the site's own words: the channel's name, else the device's circuit. */
export function alarmPlace(alarm: Alarm, devices: readonly Device[], lang?: Lang): string {
  const device = devices.find((d) => d.id === alarm.device_id)
  const channel = device?.channels.find((c) => c.id === alarm.channel_id)
  if (channel) return channelName(channel, device, lang)
  return (device && devicePlace(device)) || alarm.device_name
}

/** The status in one sentence: what is wrong and where, or that all is well and how much is watched. */
export function statusSentence(status: SiteStatus, alarms: Alarm[], devices: readonly Device[], lang?: Lang): string {
  if (status === 'normal') {
    const watched = devices
      .filter((d) => d.state === 'commissioned')
      .reduce((n, d) => n + d.channels.filter((c) => c.settings.enabled).length, 0)
    return watched === 0 ? t('overview.status_normal_none', undefined, lang) : t('overview.status_normal', { count: watched }, lang)
  }
  if (status === 'power_off') {
    const open = devices.find((d) => d.switch === 'open')
    return t('overview.status_power_off', { place: open ? devicePlace(open) || open.name : '' }, lang)
  }
  const live = sortAlarms(alarms.filter((a) => isActive(a) && !isTest(a)))
  const first = live.find((a) => a.level === status)
  if (!first) return label('status', status, lang)
  const text = t(`overview.status_${status}`, {
    place: alarmPlace(first, devices, lang),
    cause: label('cause', first.cause, lang),
  }, lang)
  const more = live.length - 1
  return more > 0 ? `${text} ${t('overview.status_more', { count: more }, lang)}` : text
}

export interface CapabilityItem {
  code: string
  name: string
  present: boolean
}

/** Each required capability with whether the site has it, and the verdict for its venue type. */
export function capabilityLine(
  capabilities: SiteCapabilities,
  venueType: string,
  lang?: Lang,
): { items: CapabilityItem[]; verdict: string } {
  const venue = label('venue_type', venueType, lang)
  const items = capabilities.required.map((code) => ({
    code,
    name: label('capability', code, lang),
    present: capabilities.present.includes(code),
  }))
  if (items.length === 0) return { items, verdict: t('overview.none_required', { venue }, lang) }
  return { items, verdict: t(capabilities.compliant ? 'overview.compliant' : 'overview.not_compliant', { venue }, lang) }
}

/** A value as the live list shows it: "135 mA", "0.5"; unit words from the catalog ("半波/秒"). */
export function valueText(value: number, unit: string, lang?: Lang): string {
  const shown = label('unit', unit, lang)
  return shown ? `${formatNumber(value, lang)} ${shown}` : formatNumber(value, lang)
}
