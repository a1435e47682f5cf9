// Small pieces of the hazard screens: severity badge, state chip, due date, and one hazard in a list.
import { dueText } from '../hazards/model'
import type { Hazard, HazardState, Severity } from '../hazards/types'
import { label, t } from '../i18n'
import { hazardPath } from '../router'

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

/** One hazard in a list (the hazard list, a site's section), linking to its page. */
export function HazardItem({ hazard, showSite = true }: { hazard: Hazard; showSite?: boolean }) {
  return (
    <li>
      <a
        href={hazardPath(hazard.id)}
        class={`card hazard-item severity-${hazard.severity}-edge${hazard.overdue ? ' is-overdue' : ''}`}
        data-testid="hazard-item"
        data-hazard-id={String(hazard.id)}
        data-state={hazard.state}
        data-severity={hazard.severity}
        data-overdue={String(hazard.overdue)}
      >
        <div class="hazard-item-head">
          <strong class="hazard-item-title" data-testid="hazard-item-title">
            {hazard.title}
          </strong>
          <StateChip state={hazard.state} testid="hazard-item-state" />
        </div>
        <div class="hazard-item-meta">
          <SeverityBadge severity={hazard.severity} testid="hazard-item-severity" />
          {showSite && <span data-testid="hazard-item-site">{hazard.site_name}</span>}
        </div>
        <div class="hazard-item-meta">
          <span data-testid="hazard-item-assignee">
            {hazard.assignee ? t('hazard.assignee_is', { name: hazard.assignee }) : t('hazard.unassigned')}
          </span>
          <DueLine hazard={hazard} testid="hazard-item-due" />
        </div>
      </a>
    </li>
  )
}
