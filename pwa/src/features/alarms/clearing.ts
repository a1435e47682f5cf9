// How an alarm ended, in words: the fault went away (已恢复), or the breaker opened and cut the power
// (已跳闸断电). A trip removes the symptom, not the cause, so such an alarm keeps its advice and says to have the
// circuit checked before switching it back on. Pure.
import { formatDateTime, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { Alarm } from './types'

type Ended = Pick<Alarm, 'cleared_at' | 'cleared_reason' | 'tripped_by'>

/** Cleared because the breaker opened; missing `cleared_reason` (older servers, saved copies) means not. */
export function isTripped(alarm: Ended): boolean {
  return alarm.cleared_at !== null && alarm.cleared_reason === 'trip'
}

/** Who opened the breaker: "王值班 远程分闸", or "断路器自动跳闸" when nobody did it remotely. */
export function trippedWho(alarm: Pick<Alarm, 'tripped_by'>, lang?: Lang): string {
  const name = alarm.tripped_by?.trim()
  return name ? t('alarms.tripped_by', { name }, lang) : t('alarms.tripped_self', undefined, lang)
}

/**
 * How a cleared alarm ended, with when: "已于 2025年11月23日 09:37 恢复", or
 * "已跳闸断电 · 王值班 远程分闸 · 2025年11月23日 09:37". Null while the alarm is active.
 */
export function endedText(alarm: Ended, lang?: Lang): string | null {
  if (alarm.cleared_at === null) return null
  const time = formatDateTime(alarm.cleared_at * 1000, lang)
  if (!isTripped(alarm)) return t('alarms.cleared', { time }, lang)
  return t('alarms.cleared_trip', { who: trippedWho(alarm, lang), time }, lang)
}

/** The name of the end time in an alarm's facts: 恢复时间, or 跳闸断电时间. */
export function endedLabel(alarm: Ended): MessageKey {
  return isTripped(alarm) ? 'alarm.tripped_at' : 'alarm.cleared'
}

/** Whether what to do still applies: while active, and after a trip (the cause is still there). */
export function needsAdvice(alarm: Ended): boolean {
  return alarm.cleared_at === null || isTripped(alarm)
}
