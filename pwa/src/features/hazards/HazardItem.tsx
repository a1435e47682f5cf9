// One hazard in a list (the hazard list, a site's section): title, state, severity, site, who fixes it by when.
import { t } from '../../platform/i18n'
import { hazardPath } from '../../shell/router'
import { PendingMark } from '../sync/PendingMark'
import { DueLine, SeverityBadge, StateChip } from './HazardBadges'
import type { Hazard } from './types'

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
