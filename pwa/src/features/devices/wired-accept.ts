// The acceptance of a wired device (建设一个、验收一个、合格一个), without rendering: the commissioning record's steps
// before the checklist are done by the server at once for a wired device (pair: it answered at its link; identify and
// self-test: not supported without the model's coils), so the screen runs them in order and then asks for the
// signed checklist, the same as over Bluetooth. Pure: data in, data out.
import { t } from '../../platform/i18n'
import { STEPS, stepOf } from './commission'
import type { Commissioning, CommissioningStep, StepName } from './types'

/** What the acceptance card shows: a start button, the steps running, the checklist, or the signed result. */
export type AcceptStage = 'start' | 'steps' | 'checklist' | 'accepted'

export function acceptStage(commissioning: Commissioning | undefined, deviceState: string): AcceptStage {
  if (commissioning?.state === 'commissioned') return 'accepted'
  if (!commissioning) return deviceState === 'commissioned' ? 'accepted' : 'start'
  return nextAutoStep(commissioning) === null ? 'checklist' : 'steps'
}

/** The first step before the checklist that is not done yet (null: only the checklist is left). */
export function nextAutoStep(commissioning: Commissioning): Exclude<StepName, 'accept'> | null {
  for (const step of STEPS) {
    if (step === 'accept') return null
    if (stepOf(commissioning, step).status !== 'done') return step
  }
  return null
}

/** A step that failed before the checklist (the device did not answer at its link…): its words, else null. */
export function autoStepFailure(commissioning: Commissioning): string | null {
  const step = nextAutoStep(commissioning)
  if (step === null) return null
  const state: CommissioningStep = stepOf(commissioning, step)
  return state.status === 'failed' ? (state.error ?? state.code ?? t('wired.accept_failed')) : null
}

/** Why the server did a step at once, in the installer's words: the read at the link, or no coil for it. */
export function autoStepReason(step: CommissioningStep): string {
  if (step.status !== 'done') return step.error ?? ''
  if (step.step === 'pair' && step.result?.['paired'] === 'wired') return t('wired.accept_paired')
  if (step.result?.['supported'] === false) return t('wired.accept_unsupported')
  return '✓'
}

/** Who signed and when, from the accept step of a commissioned record. */
export function signedBy(commissioning: Commissioning): string {
  const signed = stepOf(commissioning, 'accept').result?.['signed_by']
  return typeof signed === 'string' ? signed : ''
}
