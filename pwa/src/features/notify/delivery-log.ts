// An alarm's delivery log as the alarm page shows it: the messages grouped by the transition that caused them
// (raised, escalated, cleared), and each message's state in words. Pure.
import { formatRecent, label, t, type Lang } from '../../platform/i18n'
import type { AlarmLevel } from '../alarms/types'
import type { Delivery, DeliveryAttempt } from './types'

export interface DeliveryGroup {
  key: string
  transition: string
  /** Unix seconds. */
  at: number
  level: AlarmLevel
  deliveries: Delivery[]
}

/** One group per transition (a second escalation is its own group), in the order the server lists them. */
export function groupDeliveries(deliveries: readonly Delivery[]): DeliveryGroup[] {
  const groups = new Map<string, DeliveryGroup>()
  for (const d of deliveries) {
    const key = `${d.transition}@${d.transition_at}`
    const group = groups.get(key)
    if (group) group.deliveries.push(d)
    else groups.set(key, { key, transition: d.transition, at: d.transition_at, level: d.level, deliveries: [d] })
  }
  return [...groups.values()]
}

export function lastAttempt(d: Delivery): DeliveryAttempt | undefined {
  return d.attempts.at(-1)
}

const CHANNELS = ['sms', 'call', 'email', 'wecom', 'wechat', 'dingtalk', 'feishu', 'webhook'] as const

/** How the person was told, in words: "短信", "电话", "邮件", "企业微信"; a service andian has no word for by its name. */
export function channelText(d: Delivery, lang?: Lang): string {
  const known = CHANNELS.find((c) => c === d.channel)
  return known ? t(`channel.${known}`, undefined, lang) : d.service
}

/** Why the last attempt failed: the service's own words, else the status ("超时"). */
export function failureOf(attempt: DeliveryAttempt | undefined, lang?: Lang): string {
  if (!attempt) return '—'
  return attempt.error || label('send_status', attempt.status, lang)
}

/**
 * The state of one message: "已通过短信通知 3:02", "等待摘要，约 4:00 发送", "已并入汇总，约 3:10 发送",
 * "重试中：已尝试 2 次，…；约 3:05 再试", "待发送".
 */
export function deliveryStateText(d: Delivery, lang?: Lang, now: number = Date.now()): string {
  const at = (seconds: number) => formatRecent(seconds * 1000, now, lang)
  switch (d.state) {
    case 'sent':
      return t('delivery.sent_by', { channel: channelText(d, lang), time: d.sent_at === null ? '—' : at(d.sent_at) }, lang)
    case 'waiting':
      if (d.mode === 'digest') return t('delivery.waiting_digest', { time: at(d.due_at) }, lang)
      if (d.mode === 'summary') return t('delivery.waiting_summary', { time: at(d.due_at) }, lang)
      return t('delivery.waiting', { time: at(d.due_at) }, lang)
    case 'retrying':
      return t(
        'delivery.retrying',
        { count: d.attempts.length, error: failureOf(lastAttempt(d), lang), time: at(d.due_at) },
        lang,
      )
    case 'pending':
      return t('delivery.pending', undefined, lang)
    default:
      return d.state
  }
}
