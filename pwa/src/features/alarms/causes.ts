// What an alarm means and what to do about it, in plain words, with its numbers filled in. The words are in
// the i18n catalogs (cause.* and advice.*); this module picks the message and formats the numbers.
import { formatDate, formatFromNow, formatNumber, formatQuantity, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { ChannelSettings } from '../devices/types'
import type { Alarm, AlarmCause } from './types'

const TEXT: Record<AlarmCause, MessageKey> = {
  overload: 'cause.overload',
  leakage: 'cause.leakage',
  overtemp: 'cause.overtemp',
  arc: 'cause.arc',
  short_circuit: 'cause.short_circuit',
  hot_joint: 'cause.hot_joint',
  leakage_trend: 'cause.leakage_trend',
  imbalance: 'cause.imbalance',
  voltage: 'cause.voltage',
  sensor: 'cause.sensor',
  offline: 'cause.offline',
}

const ADVICE: Record<AlarmCause, MessageKey> = {
  overload: 'advice.overload',
  leakage: 'advice.leakage',
  overtemp: 'advice.overtemp',
  arc: 'advice.arc',
  short_circuit: 'advice.short_circuit',
  hot_joint: 'advice.hot_joint',
  leakage_trend: 'advice.leakage_trend',
  imbalance: 'advice.imbalance',
  voltage: 'advice.voltage',
  sensor: 'advice.sensor',
  offline: 'advice.offline',
}

const SENSOR_REASON: Record<string, MessageKey> = {
  out_of_range: 'cause.sensor_out_of_range',
  stuck: 'cause.sensor_stuck',
  link: 'cause.sensor_link',
}

function isKnown(cause: string): cause is AlarmCause {
  return Object.hasOwn(TEXT, cause)
}

function messageFor(alarm: Alarm): MessageKey {
  if (alarm.cause === 'overload' && alarm.level === 'prealarm') return 'cause.overload_prealarm'
  if (alarm.cause === 'sensor') return SENSOR_REASON[String(alarm.detail?.reason)] ?? 'cause.sensor'
  return isKnown(alarm.cause) ? TEXT[alarm.cause] : 'cause.unknown'
}

/**
 * The alarm in one or two sentences, e.g. "漏电流持续超过 300 mA（最高 420 mA），…". `settings` are those of the
 * alarm's channel, for what the alarm itself does not carry (minimum duration, rated current, alarm level).
 */
export function causeText(
  alarm: Alarm,
  settings: ChannelSettings | undefined,
  lang?: Lang,
  now: number = Date.now(),
): string {
  const q = (value: number | null | undefined) => formatQuantity(value, alarm.unit, lang)
  const projected = alarm.detail?.projected_at
  const when =
    typeof projected === 'number'
      ? t('common.when', { relative: formatFromNow(projected * 1000, now, lang), date: formatDate(projected * 1000, lang) }, lang)
      : t('common.soon', undefined, lang)
  const delay = settings?.delay_s
  const arcCount = alarm.raised_value ?? alarm.peak
  const params = {
    cause: alarm.cause,
    threshold: q(alarm.threshold),
    peak: q(alarm.peak),
    // A count of arcing half-cycles: the sentence says what is counted. The count that raised the alarm, as
    // its first message said (`peak` is the highest count since, shown apart); older servers send only `peak`.
    count: arcCount === null ? '—' : formatNumber(arcCount, lang),
    delay: delay === undefined ? '—' : t('unit.seconds', { value: delay }, lang),
    rated: q(settings?.rated_a ?? alarm.threshold),
    excess: formatQuantity(numberOr(alarm.detail?.excess_c), '°C', lang),
    when,
  }
  if (alarm.cause === 'leakage_trend') params.threshold = q(settings?.alarm ?? alarm.threshold)
  return t(messageFor(alarm), params, lang)
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' ? value : null
}

/** One line of advice: what the person on site should do now. */
export function causeAdvice(alarm: Alarm, lang?: Lang): string {
  return t(isKnown(alarm.cause) ? ADVICE[alarm.cause] : 'advice.unknown', undefined, lang)
}
