// What the hazard page says around the moves: the button, the question before a move that needs one, the
// outcome, and who the hazard is waiting for. Pure.
import { formatDate, t, type Lang } from '../../platform/i18n'
import { defaultDueText } from './model'
import type { Hazard } from './types'
import type { HazardAction } from './workflow'

type Subject = Pick<Hazard, 'state' | 'assignee' | 'due_at' | 'severity'>

/** The button that starts a move: "指派整改", "改派" (an assigned hazard), "整改完成", "验收通过", … */
export function actionLabel(action: HazardAction, hazard: Pick<Hazard, 'state'>, lang?: Lang): string {
  if (action === 'assign') return t(hazard.state === 'open' ? 'hazard.action_assign' : 'hazard.action_reassign', undefined, lang)
  return t(`hazard.action_${action}`, undefined, lang)
}

/** The question asked before the move is sent. */
export function confirmText(action: HazardAction, hazard: Subject, lang?: Lang): string {
  if (action === 'reject') return t('hazard.confirm_reject', { name: hazard.assignee ?? '—' }, lang)
  return t(`hazard.confirm_${action}`, undefined, lang)
}

/** The confirm button: "确认验收通过", "确认退回整改", "确认关闭", "确认指派". */
export function submitLabel(action: HazardAction, lang?: Lang): string {
  return t(`hazard.submit_${action}`, undefined, lang)
}

/** What happened, from the hazard the server answered with. */
export function resultText(hazard: Pick<Hazard, 'state' | 'assignee'>, lang?: Lang): string {
  if (hazard.state === 'assigned') return t('hazard.result_assigned', { name: hazard.assignee ?? '—' }, lang)
  return t(`hazard.result_${hazard.state}`, undefined, lang)
}

/** Who or what the hazard is waiting for now. */
export function nextStepText(hazard: Pick<Hazard, 'state' | 'assignee'>, lang?: Lang): string {
  if (hazard.state === 'assigned') return t('hazard.next_assigned', { name: hazard.assignee ?? '—' }, lang)
  return t(`hazard.next_${hazard.state}`, undefined, lang)
}

/**
 * What happens to the due date when no date is chosen: a new assignment gets the default for its severity; a
 * reassignment keeps the date unless it has passed (server/hazards/service.py transition).
 */
export function assignDueHint(hazard: Subject, now: number = Date.now(), lang?: Lang): string {
  if (hazard.state === 'assigned' && hazard.due_at * 1000 > now) {
    return t('hazard.due_keeps', { date: formatDate(hazard.due_at * 1000, lang) }, lang)
  }
  return defaultDueText(hazard.severity, now, lang)
}
