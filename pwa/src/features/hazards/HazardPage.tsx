// One hazard (/hazards/{id}): the page messages about hazards link to. What it is and where, who fixes it by
// when, what the signed-in person may do now, and the thread of everything that happened, with photos. It shows
// the hazard as this device has it (sync/local.ts): the last pull with the user's changes not yet synced on top,
// so it opens offline and what was done offline shows at once; a change the server refused is shown above.
import { useEffect } from 'preact/hooks'
import { formatDate, formatDateTime, label, t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { alarmPath, HAZARDS_PATH } from '../../shell/router'
import { ErrorMessage, Loading } from '../../ui/feedback'
import { readHazard } from '../sync/local'
import { hazardOf, type LocalHazard } from '../sync/overlay'
import { PendingMark } from '../sync/PendingMark'
import { RejectedChanges } from '../sync/RejectedChanges'
import { requestSync, watchRecords } from '../sync/start'
import { useHeld, useLocalView, useOutbox } from '../sync/use-local'
import { HazardActions } from './HazardActions'
import { SeverityBadge, StateChip } from './HazardBadges'
import { HazardComment } from './HazardComment'
import { HazardEdit } from './HazardEdit'
import { HazardTimeline } from './HazardTimeline'
import { overdueDays } from './model'
import { nextStepText } from './words'
import type { Person } from './workflow'

const FIXED: ReadonlySet<string> = new Set(['rectified', 'verified', 'closed'])
const CHECKED: ReadonlySet<string> = new Set(['verified', 'closed'])

function Who({ name, at }: { name: string | null; at: number | null }) {
  return (
    <>
      {name ?? t('event.system')}
      {at !== null && <span class="muted"> · {formatDateTime(at * 1000)}</span>}
    </>
  )
}

function HazardHeader({ hazard }: { hazard: LocalHazard }) {
  const days = overdueDays(hazard)
  const due = hazard.state === 'open' || hazard.state === 'assigned'
  const pending = (field: string) => hazard.pendingFields.includes(field)
  return (
    <section
      class={`card hazard-detail severity-${hazard.severity}-edge`}
      data-testid="hazard-detail"
      data-hazard-id={hazard.id > 0 ? String(hazard.id) : hazard.entity_id}
      data-entity-id={hazard.entity_id}
      data-state={hazard.state}
      data-pending={String(hazard.pending)}
    >
      <div class="alarm-head">
        <SeverityBadge severity={hazard.severity} />
        <StateChip state={hazard.state} />
        {pending('state') && <PendingMark />}
      </div>
      <h1 class="hazard-title" data-testid="hazard-title">
        {hazard.title}
        {pending('title') && <PendingMark />}
      </h1>
      <p class="hazard-site">
        <a href={`/sites/${hazard.site_id}`} data-testid="hazard-site">
          {hazard.site_name}
        </a>
      </p>
      {hazard.description && (
        <p class="hazard-description" data-testid="hazard-description">
          {hazard.description}
          {pending('description') && <PendingMark />}
        </p>
      )}
      <dl class="facts">
        <dt>{t('hazard.assignee')}</dt>
        <dd data-testid="hazard-assignee">{hazard.assignee ?? <span class="muted">{t('hazard.unassigned')}</span>}</dd>
        <dt>{t('hazard.due')}</dt>
        <dd data-testid="hazard-due" data-overdue={String(hazard.overdue)}>
          {formatDate(hazard.due_at * 1000)}
          {hazard.overdue && (
            <strong class="overdue" data-testid="hazard-overdue">
              {' '}
              {t('hazard.overdue_days', { count: days })}
            </strong>
          )}
          {!due && <span class="muted"> · {label('hazard_state', hazard.state)}</span>}
        </dd>
        <dt>{t('hazard.source')}</dt>
        <dd data-testid="hazard-source" data-source={hazard.source}>
          {label('hazard_source', hazard.source)}
          {hazard.source === 'alarm' && hazard.alarm_id !== null && (
            <>
              {' · '}
              <a href={alarmPath(hazard.alarm_id)} data-testid="hazard-alarm-link">
                {t('hazard.view_alarm')}
              </a>
            </>
          )}
        </dd>
        <dt>{t('hazard.reported')}</dt>
        <dd data-testid="hazard-reported">
          <Who name={hazard.created_by} at={hazard.created_at} />
        </dd>
        {/* A rejected hazard is being fixed again: its last rectification is in the thread, not here. */}
        {hazard.rectified_at !== null && FIXED.has(hazard.state) && (
          <>
            <dt>{t('hazard.rectified')}</dt>
            <dd data-testid="hazard-rectified-by">
              <Who name={hazard.rectified_by} at={hazard.rectified_at} />
            </dd>
          </>
        )}
        {hazard.verified_at !== null && CHECKED.has(hazard.state) && (
          <>
            <dt>{t('hazard.verified')}</dt>
            <dd data-testid="hazard-verified-by">
              <Who name={hazard.verified_by} at={hazard.verified_at} />
            </dd>
          </>
        )}
      </dl>
      <p class="hazard-next" data-testid="hazard-next">
        {nextStepText(hazard)}
      </p>
    </section>
  )
}

/** Changes made on this device that the server has not taken yet: the page says so. */
function PendingNote({ hazard }: { hazard: LocalHazard }) {
  if (hazard.pending === 0) return null
  return (
    <p class="banner banner-pending" role="status" data-testid="hazard-pending" data-count={String(hazard.pending)}>
      {t('hazard.pending_note', { count: hazard.pending })}
    </p>
  )
}

export function HazardPage({ id }: { id: string }) {
  const held = useHeld()
  const load = useLocalView((hidden) => readHazard(id, hidden), id, held)
  useEffect(() => watchRecords(), [])
  const entries = useOutbox()
  const hazard = load.state === 'ready' ? load.value : undefined
  useEffect(() => {
    document.title = `${hazard?.title ?? t('hazard.title')} · ${t('app.name')}`
  })
  const user = getSession()?.user
  const me: Person | undefined = user && { id: user.id, role: user.role, display_name: user.display_name }

  const back = (
    <a href={HAZARDS_PATH} class="back" data-testid="hazard-back">
      {t('hazard.back_list')}
    </a>
  )
  if (!hazard) {
    if (load.state !== 'missing') return <main class="page">{back}<Loading /></main>
    return (
      <main class="page">
        {back}
        <ErrorMessage text={load.offline ? t('hazard.offline') : t('hazard.not_found')} onRetry={load.offline ? () => void requestSync() : undefined} />
      </main>
    )
  }
  const refused = (entries ?? []).filter((e) => e.status === 'rejected' && hazardOf(e) === hazard.entity_id)
  return (
    <main class="page hazard-page">
      {back}
      {refused.length > 0 && (
        <section class="banner banner-error" role="alert" data-testid="hazard-refused">
          <p>{t('hazard.refused_here')}</p>
          <RejectedChanges entries={refused} link={false} />
        </section>
      )}
      <PendingNote hazard={hazard} />
      <HazardHeader hazard={hazard} />
      <HazardEdit hazard={hazard} me={me} held={held} />
      <HazardActions hazard={hazard} me={me} held={held} />
      <h2>{t('hazard.thread')}</h2>
      <HazardTimeline hazard={hazard} />
      <HazardComment hazard={hazard} held={held} />
    </main>
  )
}
