// One inspection (/inspections/{id}): the checklist by section, answered item by item with big buttons, progress
// and save state in a bar at the thumb, then 签名 and 提交巡检. A signed inspection is read-only and links to the
// hazards its failed items became. Everything is kept on the device as it is done (inspections/device-answers.ts)
// and synced by the loop, so the page works offline once the inspection has been synced to the device.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { formatDateTime, getLanguage, label, t } from '../../platform/i18n'
import { isOnline } from '../../platform/online'
import { ErrorMessage, Loading } from '../../ui/feedback'
import { PhotoViewer } from '../photos/Photos'
import { readInspection } from '../sync/local'
import { inspectionOf, type LocalInspection } from '../sync/overlay'
import { PendingMark } from '../sync/PendingMark'
import { RejectedChanges } from '../sync/RejectedChanges'
import { requestSync, watchRecords } from '../sync/start'
import { useHeld, useLocalView, useOutbox, type Held } from '../sync/use-local'
import { ChecklistWriter, itemViews, type ItemView } from './device-answers'
import { InspectionItem } from './InspectionItem'
import { InspectionResult, InspectionSign } from './InspectionSign'
import { itemAnchor, itemText, nextUnanswered, progressOf, sectionName, sectionsOf, syncSummary, syncText } from './model'

function Header({ detail }: { detail: LocalInspection }) {
  const lang = getLanguage()
  return (
    <section class="card insp-header" data-testid="insp-detail" data-inspection-id={String(detail.id)} data-state={detail.state}>
      <div class="alarm-head">
        <span class={`state-chip insp-state-${detail.state}`} data-testid="insp-state" data-state={detail.state}>
          {label('inspection_state', detail.state)}
        </span>
        {detail.pending > 0 && (
          <span data-testid="insp-pending" data-count={String(detail.pending)}>
            <PendingMark />
          </span>
        )}
      </div>
      <h1 data-testid="insp-title">{itemText({ text: detail.title }, lang)}</h1>
      <p class="hazard-site">
        <a href={`/sites/${detail.site_id}`} data-testid="insp-site">
          {detail.site_name}
        </a>
      </p>
      <p class="muted" data-testid="insp-meta">
        {t('inspection.started', { name: detail.inspector, time: formatDateTime(detail.started_at * 1000) })}
      </p>
    </section>
  )
}

function Checklist({ detail, held, onSigned }: { detail: LocalInspection; held: Held; onSigned: () => void }) {
  const [viewing, setViewing] = useState<string | null>(null)
  const [failures, setFailures] = useState<Record<string, string>>({})
  const lang = getLanguage()
  const readOnly = detail.state === 'completed'
  const stored = useMemo(() => itemViews(detail), [detail])
  // An item the device could not store says so (storage full or blocked): nothing is lost silently.
  const views = useMemo(() => {
    const next = { ...stored }
    for (const [key, error] of Object.entries(failures)) if (next[key]) next[key] = { ...next[key], state: 'failed', error }
    return next
  }, [stored, failures])
  const viewsRef = useRef(views)
  viewsRef.current = views
  const writer = useMemo(
    () =>
      new ChecklistWriter(
        { entity_id: detail.entity_id, id: detail.id, title: itemText({ text: detail.title }, lang) },
        detail.items,
        (item) => itemText(item, lang),
        () => viewsRef.current,
        (key, error) => setFailures((f) => ({ ...f, [key]: String(error) })),
      ),
    [detail.entity_id],
  )
  // Leaving the page writes the notes still being typed.
  useEffect(() => () => void writer.flush(), [writer])
  const sections = useMemo(() => sectionsOf(detail.items), [detail.items])
  const progress = progressOf(detail.items, views)
  const sync = syncSummary(views)
  const [lastJump, setLastJump] = useState<string | undefined>(undefined)

  function nextItem() {
    const key = nextUnanswered(detail.items, views, lastJump)
    if (!key) return
    setLastJump(key)
    document.getElementById(itemAnchor(key))?.scrollIntoView({ behavior: 'smooth', block: 'center' })
  }

  return (
    <>
      {sections.map((section) => {
        const done = section.items.filter((n) => views[n.item.key]?.answer).length
        return (
          <section key={section.name} class="insp-section" data-testid="insp-section" data-section={section.name}>
            <h2>
              {sectionName(section.name)}{' '}
              <span class="muted">
                {done}/{section.items.length}
              </span>
            </h2>
            <ol class="insp-items">
              {section.items.map(({ item, number }) => (
                <InspectionItem
                  key={item.key}
                  item={item}
                  number={number}
                  view={views[item.key] ?? BLANK_VIEW}
                  writer={writer}
                  readOnly={readOnly}
                  lang={lang}
                  onOpenPhoto={setViewing}
                />
              ))}
            </ol>
          </section>
        )
      })}
      {!readOnly && <InspectionSign detail={detail} views={views} writer={writer} held={held} onSigned={onSigned} />}
      {!readOnly && (
        <div
          class="insp-bar"
          data-testid="insp-progress"
          data-answered={String(progress.answered)}
          data-total={String(progress.total)}
          data-failed={String(progress.fail)}
        >
          <div class="insp-bar-text">
            <strong data-testid="insp-progress-text">{t('inspection.progress', { done: progress.answered, total: progress.total })}</strong>
            {progress.fail > 0 && <span class="insp-bar-failed">{t('inspection.progress_failed', { count: progress.fail })}</span>}
            <span class={`insp-sync sync-${sync.state}`} role="status" data-testid="insp-sync" data-state={sync.state}>
              {(progress.answered > 0 || sync.state !== 'saved') && syncText(sync)}
              {sync.state === 'waiting' && isOnline() && (
                <button type="button" class="link-button" data-testid="insp-retry" onClick={() => void requestSync()}>
                  {t('sync.now')}
                </button>
              )}
            </span>
          </div>
          <progress max={progress.total} value={progress.answered} aria-hidden="true" />
          {progress.answered < progress.total && (
            <button type="button" class="insp-next" data-testid="insp-next" onClick={nextItem}>
              {t('inspection.next')}
            </button>
          )}
        </div>
      )}
      {viewing && <PhotoViewer url={viewing} onClose={() => setViewing(null)} />}
    </>
  )
}

const BLANK_VIEW: ItemView = { answer: null, note: '', kept: [], attachments: [], state: 'none', error: null }

export function InspectionPage({ id }: { id: string }) {
  const held = useHeld()
  const load = useLocalView((hidden) => readInspection(id, hidden), `inspection/${id}`, held)
  useEffect(() => watchRecords(), [])
  const entries = useOutbox()
  const [signedHere, setSignedHere] = useState(false)
  const shown = load.state === 'ready' ? load.value : undefined
  useEffect(() => {
    const title = shown ? itemText({ text: shown.title }, getLanguage()) : t('inspection.title')
    document.title = `${title} · ${t('app.name')}`
  })

  const back = (
    <a href={shown ? `/sites/${shown.site_id}` : '/'} class="back" data-testid="insp-back">
      {shown ? t('inspection.back_site') : t('common.back')}
    </a>
  )
  if (!shown) {
    if (load.state !== 'missing') return <main class="page">{back}<Loading /></main>
    return (
      <main class="page">
        {back}
        <ErrorMessage
          text={load.offline ? t('inspection.offline') : t('inspection.not_found')}
          onRetry={load.offline ? () => void requestSync() : undefined}
        />
      </main>
    )
  }
  const refused = (entries ?? []).filter((e) => e.status === 'rejected' && inspectionOf(e) === shown.entity_id)
  return (
    <main class="page insp-page">
      {back}
      <Header detail={shown} />
      {refused.length > 0 && (
        <section class="banner banner-error" role="alert" data-testid="insp-refused">
          <p>{t('inspection.refused_here')}</p>
          <RejectedChanges entries={refused} link={false} />
        </section>
      )}
      {shown.state === 'completed' && <InspectionResult detail={shown} lang={getLanguage()} fresh={signedHere} />}
      {shown.checklist_missing ? (
        <ErrorMessage text={t('inspection.checklist_missing')} onRetry={() => void requestSync()} />
      ) : (
        <Checklist
          key={`${shown.entity_id}-${shown.state}`}
          detail={shown}
          held={held}
          onSigned={() => {
            setSignedHere(true)
            window.scrollTo(0, 0)
          }}
        />
      )}
    </main>
  )
}
