// Whether the unit may sign the rectification notice now: a name, and a drawing that is kept on the device (saved
// on the server, or kept to go up with the sync). Pure: the page says the answer in the user's language.
import { t, type Lang } from '../../platform/i18n'
import type { KeptSignature } from '../devices/evidence'
import { SIGNATURE_MAX } from './model'

export type UnitSignProblem = 'name' | 'too_long' | 'drawing' | 'saving' | 'failed'

/** The first thing missing before the unit signs, or null: the name, then the drawing (drawn, saved or kept). */
export function unitSignProblem(name: string, drawing: KeptSignature | null): UnitSignProblem | null {
  const typed = name.trim()
  if (!typed) return 'name'
  if (typed.length > SIGNATURE_MAX) return 'too_long'
  if (!drawing) return 'drawing'
  if (drawing.status === 'saving') return 'saving'
  if (drawing.status === 'failed' || !drawing.sha256) return 'failed'
  return null
}

export function unitSignProblemText(problem: UnitSignProblem, drawing: KeptSignature | null, lang?: Lang): string {
  switch (problem) {
    case 'name':
      return t('rectify.unit_error', undefined, lang)
    case 'too_long':
      return t('hazard.error_too_long', { max: SIGNATURE_MAX }, lang)
    case 'drawing':
      return t('notice_sign.draw', undefined, lang)
    case 'saving':
      return t('notice_sign.wait', undefined, lang)
    case 'failed':
      return t('signature.failed', { detail: drawing?.detail ?? '' }, lang)
  }
}
