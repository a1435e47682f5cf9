// One inspection (/inspections/{id}): the checklist by section, answered item by item with big buttons and saved
// as the inspector goes (inspections/answers.ts), progress and save state in a bar at the thumb, then 签名 and
// 提交巡检. A signed inspection is read-only and links to the hazards its failed items became.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../api'
import { ErrorMessage, Loading } from '../components/bits'
import { InspectionItem } from '../components/InspectionItem'
import { InspectionResult, InspectionSign } from '../components/InspectionSign'
import { PhotoViewer } from '../components/Photos'
import { useLoad } from '../hooks'
import { formatDateTime, getLanguage, label, t } from '../i18n'
import { getInspection } from '../inspections/api'
import {
  itemAnchor,
  itemText,
  nextUnanswered,
  progressOf,
  refusalText,
  sectionName,
  sectionsOf,
  syncSummary,
  syncText,
} from '../inspections/model'
import type { InspectionDetail } from '../inspections/types'
import { useAnswerBook } from '../inspections/use-answers'
import { onRetry } from '../online'

function Header({ detail }: { detail: InspectionDetail }) {
  const lang = getLanguage()
  return (
    <section class="card insp-header" data-testid="insp-detail" data-inspection-id={String(detail.id)} data-state={detail.state}>
      <div class="alarm-head">
        <span class={`state-chip insp-state-${detail.state}`} data-testid="insp-state" data-state={detail.state}>
          {label('inspection_state', detail.state)}
        </span>
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

function Checklist({ detail, onSigned, onStale }: { detail: InspectionDetail; onSigned: (d: InspectionDetail) => void; onStale: () => void }) {
  const [book, views] = useAnswerBook(detail, onStale)
  const [viewing, setViewing] = useState<string | null>(null)
  const lang = getLanguage()
  const readOnly = book.readOnly
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
                  view={book.item(item.key)}
                  book={book}
                  readOnly={readOnly}
                  lang={lang}
                  onOpenPhoto={setViewing}
                />
              ))}
            </ol>
          </section>
        )
      })}
      {!readOnly && <InspectionSign book={book} views={views} onSigned={onSigned} onStale={onStale} />}
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
              {sync.state === 'failed' && (
                <button type="button" class="link-button" data-testid="insp-retry" onClick={() => void book.flush()}>
                  {t('offline.retry')}
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

export function InspectionPage({ id }: { id: number }) {
  const [load, reload] = useLoad(() => getInspection(id), id)
  useEffect(() => onRetry(reload), [])
  // The inspection as last read, or as the server answered the signing.
  const [detail, setDetail] = useState<InspectionDetail>()
  const [signedHere, setSignedHere] = useState(false)
  useEffect(() => {
    if (load.state === 'ready') setDetail(load.value)
  }, [load])
  useEffect(() => {
    const title = detail ? itemText({ text: detail.title }, getLanguage()) : t('inspection.title')
    document.title = `${title} · ${t('app.name')}`
  })

  const shown = detail?.id === id ? detail : undefined
  const back = (
    <a href={shown ? `/sites/${shown.site_id}` : '/'} class="back" data-testid="insp-back">
      {shown ? t('inspection.back_site') : t('common.back')}
    </a>
  )
  if (!shown) {
    if (load.state !== 'failed') return <main class="page">{back}<Loading /></main>
    const missing = load.error instanceof ApiError && load.error.status === 404
    return (
      <main class="page">
        {back}
        <ErrorMessage
          text={load.error instanceof NetworkError ? t('inspection.offline') : refusalText(load.error)}
          onRetry={missing ? undefined : reload}
        />
      </main>
    )
  }
  return (
    <main class="page insp-page">
      {back}
      <Header detail={shown} />
      {shown.state === 'completed' && <InspectionResult detail={shown} lang={getLanguage()} fresh={signedHere} />}
      <Checklist
        key={`${shown.id}-${shown.state}`}
        detail={shown}
        onSigned={(signed) => {
          setSignedHere(true)
          setDetail(signed)
          window.scrollTo(0, 0)
        }}
        onStale={reload}
      />
    </main>
  )
}
