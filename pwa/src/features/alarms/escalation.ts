// Who has been told about an alarm: the escalation ladder of story 1. The owner is told at once; when nobody
// acknowledges in time the operator company's monitoring centre is told (tier 1), then the grid inspector
// (tier 2). The server climbs the ladder; this module only puts it into words. Pure.
import { formatDuration, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { NotifyPolicy } from '../notify/types'
import { isActive } from './model'
import type { Alarm, EscalationTier } from './types'

export function tierOf(alarm: Pick<Alarm, 'escalated_tier'>): EscalationTier {
  const tier = alarm.escalated_tier ?? 0
  return tier >= 2 ? 2 : tier >= 1 ? 1 : 0
}

const STATE: Record<EscalationTier, MessageKey> = {
  0: 'escalation.state_0',
  1: 'escalation.state_1',
  2: 'escalation.state_2',
}

/** The alarm page's line: "已通知业主", "已通知运营单位：…无人确认", "已通知网格员：…". */
export function escalationText(alarm: Pick<Alarm, 'escalated_tier'>, lang?: Lang): string {
  return t(STATE[tierOf(alarm)], undefined, lang)
}

/** The short flag of an escalated alarm in a list ("已通知运营单位"); null while only the owner was told. */
export function escalationFlag(alarm: Pick<Alarm, 'escalated_tier'>, lang?: Lang): string | null {
  const tier = tierOf(alarm)
  if (tier === 0) return null
  return t(tier === 1 ? 'escalation.flag_1' : 'escalation.flag_2', undefined, lang)
}

/**
 * What happens if nobody acknowledges, from the site's policy: "10 分钟内无人确认，将通知运营单位；30 分钟内
 * 仍无人确认，将通知网格员。" Null once acknowledged, cleared or at the top of the ladder. Durations, not
 * clock times: they count from when the alarm was raised at its level, which the page does not know exactly.
 */
export function nextEscalationText(alarm: Alarm, policy: NotifyPolicy | undefined, lang?: Lang): string | null {
  if (!policy || !isActive(alarm) || alarm.acknowledged_at !== null) return null
  const [first, second] = policy.escalate_after_s
  const tier = tierOf(alarm)
  if (tier === 0) {
    return t('escalation.next_0', { first: formatDuration(first, lang), second: formatDuration(second, lang) }, lang)
  }
  if (tier === 1) return t('escalation.next_1', { second: formatDuration(second, lang) }, lang)
  return null
}
