// One hazard (/hazards/{id}): the page messages about hazards link to. What it is and where, who fixes it by
// when, what the signed-in person may do now, and the thread of everything that happened, with photos.
import { useEffect, useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../api'
import { describeError, ErrorMessage, Loading } from '../components/bits'
import { HazardActions } from '../components/HazardActions'
import { SeverityBadge, StateChip } from '../components/HazardBits'
import { HazardComment } from '../components/HazardComment'
import { HazardTimeline } from '../components/HazardTimeline'
import { getHazard } from '../hazards/api'
import { overdueDays } from '../hazards/model'
import type { HazardDetail } from '../hazards/types'
import { nextStepText } from '../hazards/words'
import type { Person } from '../hazards/workflow'
import { useLoad } from '../hooks'
import { formatDate, formatDateTime, label, t } from '../i18n'
import { onRetry } from '../online'
import { alarmPath, HAZARDS_PATH } from '../router'
import { getSession } from '../session'

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

function HazardHeader({ hazard }: { hazard: HazardDetail }) {
  const days = overdueDays(hazard)
  const due = hazard.state === 'open' || hazard.state === 'assigned'
  return (
    <section
      class={`card hazard-detail severity-${hazard.severity}-edge`}
      data-testid="hazard-detail"
      data-hazard-id={String(hazard.id)}
      data-state={hazard.state}
    >
      <div class="alarm-head">
        <SeverityBadge severity={hazard.severity} />
        <StateChip state={hazard.state} />
      </div>
      <h1 class="hazard-title" data-testid="hazard-title">
        {hazard.title}
      </h1>
      <p class="hazard-site">
        <a href={`/sites/${hazard.site_id}`} data-testid="hazard-site">
          {hazard.site_name}
        </a>
      </p>
      {hazard.description && (
        <p class="hazard-description" data-testid="hazard-description">
          {hazard.description}
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

function failureText(error: unknown): string {
  if (error instanceof ApiError && error.status === 404) return t('hazard.not_found')
  if (error instanceof NetworkError) return t('hazard.offline')
  return describeError(error)
}

export function HazardPage({ id }: { id: number }) {
  const [load, reload] = useLoad(() => getHazard(id), id)
  useEffect(() => onRetry(reload), [])
  // The hazard as last read, or as the server answered a move or a comment made here.
  const [hazard, setHazard] = useState<HazardDetail>()
  useEffect(() => {
    if (load.state === 'ready') setHazard(load.value)
  }, [load])
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
  const shown = hazard?.id === id ? hazard : undefined
  if (!shown) {
    if (load.state !== 'failed') return <main class="page">{back}<Loading /></main>
    const missing = load.error instanceof ApiError && load.error.status === 404
    return (
      <main class="page">
        {back}
        <ErrorMessage text={failureText(load.error)} onRetry={missing ? undefined : reload} />
      </main>
    )
  }
  return (
    <main class="page hazard-page">
      {back}
      {load.state === 'failed' && <ErrorMessage text={failureText(load.error)} onRetry={reload} />}
      <HazardHeader hazard={shown} />
      <HazardActions hazard={shown} me={me} onChanged={setHazard} onStale={reload} />
      <h2>{t('hazard.thread')}</h2>
      <HazardTimeline hazard={shown} />
      <HazardComment hazard={shown} onChanged={setHazard} />
    </main>
  )
}
