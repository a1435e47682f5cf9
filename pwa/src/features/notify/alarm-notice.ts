// Whether a live alarm event pops up as a system notification on this device, and what it says. Pure.
//
// Only what needs someone to act now does: an alarm or an offline device, raised at or escalated to that
// level, once per alarm and level however often the event repeats. Pre-alarms and faults reach people as
// digests through their subscriptions instead. Reads of the alarm list never get here: only live events do,
// so nothing the page loaded as history pops up, and neither does a self-test alarm (the device showing that
// it works).
import { channelLabel, formatQuantity, label, t, type Lang } from '../../platform/i18n'
import { alarmPath } from '../../shell/router'
import { causeAdvice, causeText } from '../alarms/causes'
import { isTest } from '../alarms/model'
import type { Alarm, AlarmEvent, AlarmLevel, AlarmTransition } from '../alarms/types'
import type { ChannelSettings } from '../devices/types'
import type { SiteDetail } from '../sites/types'

const NOTIFY_LEVELS: ReadonlySet<AlarmLevel> = new Set(['alarm', 'offline'])
const NOTIFY_TRANSITIONS: ReadonlySet<AlarmTransition> = new Set(['raised', 'escalated'])

/** Whether the event notifies. `notified` (alarm id and level) is updated, so a repeat does not. */
export function shouldNotify(event: AlarmEvent, notified: Set<string>): boolean {
  if (!NOTIFY_LEVELS.has(event.level) || !NOTIFY_TRANSITIONS.has(event.transition)) return false
  if (event.cleared_at !== null || isTest(event)) return false
  const key = `${event.id}:${event.level}`
  if (notified.has(key)) return false
  notified.add(key)
  return true
}

export interface AlarmNotice {
  /** "【报警】桃花仑综合市场 12号摊位 插座回路断路器 剩余电流 420 mA" */
  title: string
  /** The cause in plain words, then what to do now. */
  body: string
  /** One notification per alarm: a later one for the same alarm replaces it. */
  tag: string
  /** Opened when the notification is tapped (the service worker's notificationclick). */
  url: string
  /** An alarm stays on screen until the user acts on it; an offline device may go away by itself. */
  requireInteraction: boolean
}

/** The site as the page has it, for the site's name and the channel's settings; undefined before it is read. */
export type NoticeSite = Pick<SiteDetail, 'name' | 'devices'>

function settingsOf(alarm: Alarm, site: NoticeSite | undefined): ChannelSettings | undefined {
  if (alarm.channel_id === null || !site) return undefined
  for (const device of site.devices) for (const c of device.channels) if (c.id === alarm.channel_id) return c.settings
  return undefined
}

export function noticeOf(alarm: Alarm, site: NoticeSite | undefined, lang?: Lang, now: number = Date.now()): AlarmNotice {
  const what = [site?.name, alarm.device_name]
  if (alarm.channel) what.push(channelLabel(alarm.channel, lang))
  if (alarm.peak !== null) what.push(formatQuantity(alarm.peak, alarm.unit, lang))
  const title = t(
    'notice.title',
    { level: label('status', alarm.level, lang), what: what.filter((part) => part).join(' ') },
    lang,
  )
  const cause = causeText(alarm, settingsOf(alarm, site), lang, now)
  const body = `${cause}\n${t('alarms.advice', undefined, lang)}${causeAdvice(alarm, lang)}`
  return { title, body, tag: `alarm-${alarm.id}`, url: alarmPath(alarm.id), requireInteraction: alarm.level === 'alarm' }
}
