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

/** A hazard in a list: the server's shape, with the id it was made with and its changes not yet synced. */
type Listed = Hazard & { entity_id?: string; pending?: number }

/** One hazard in a list (the hazard list, a site's section), linking to its page. */
export function HazardItem({ hazard, showSite = true }: { hazard: Listed; showSite?: boolean }) {
  // A hazard reported on this device has no number until the server has it: its page is found by the id it was made with.
  const ref = hazard.id > 0 ? String(hazard.id) : (hazard.entity_id ?? '')
  return (
    <li>
      <a
        href={hazardPath(ref)}
        class={`card hazard-item severity-${hazard.severity}-edge${hazard.overdue ? ' is-overdue' : ''}`}
        data-testid="hazard-item"
        data-hazard-id={ref}
        data-state={hazard.state}
        data-severity={hazard.severity}
        data-overdue={String(hazard.overdue)}
        data-pending={String(hazard.pending ?? 0)}
      >
        <div class="hazard-item-head">
          <strong class="hazard-item-title" data-testid="hazard-item-title">
            {hazard.title}
          </strong>
          <StateChip state={hazard.state} testid="hazard-item-state" />
          {(hazard.pending ?? 0) > 0 && <PendingMark />}
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

/** "待同步": shown next to what was changed on this device and is not on the server yet. */
export function PendingMark() {
  return (
    <span class="pending-mark" data-testid="pending-mark">
      {t('sync.pending_mark')}
    </span>
  )
}
