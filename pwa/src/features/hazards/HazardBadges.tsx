// Small pieces of the hazard screens: the severity badge, the state chip and the due date.
import { label } from '../../platform/i18n'
import { dueText } from './model'
import type { Hazard, HazardState, Severity } from './types'

export function SeverityBadge({ severity, testid = 'hazard-severity' }: { severity: Severity; testid?: string }) {
  return (
    <span class={`badge severity-${severity}`} data-testid={testid} data-severity={severity}>
      {label('severity', severity)}
    </span>
  )
}

export function StateChip({ state, testid = 'hazard-state' }: { state: HazardState; testid?: string }) {
  return (
    <span class={`state-chip state-${state}`} data-testid={testid} data-state={state}>
      {label('hazard_state', state)}
    </span>
  )
}

type Dated = Pick<Hazard, 'state' | 'overdue' | 'due_at' | 'rectified_at' | 'verified_at' | 'closed_at'>

export function DueLine({ hazard, testid = 'hazard-due' }: { hazard: Dated; testid?: string }) {
  const due = dueText(hazard)
  return (
    <span class={due.overdue ? 'due overdue' : 'due'} data-testid={testid} data-overdue={String(due.overdue)}>
      {due.text}
    </span>
  )
}
