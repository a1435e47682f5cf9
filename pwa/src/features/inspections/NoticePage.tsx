// The rectification notice (整改通知书) of a signed inspection (/inspections/{id}/notice), made from the device's
// copy so the unit can read and sign it where the inspection was done, with no signal: each finding with its
// number, what was found, the requirement, the due date and the photos; the inspector; and the unit's signature
// (its representative's name and drawn signature, NoticeSign.tsx, synced as an `inspection` `transition` to
// `acknowledged`). Online, the server's PDF of the same notice (GET /api/v1/inspections/{id}/notice).
import { useEffect, useState } from 'preact/hooks'
import { formatDate, formatDateTime, getLanguage, label, t } from '../../platform/i18n'
import { requestFile } from '../../platform/http'
import { isOnline } from '../../platform/online'
import { inspectionPath } from '../../shell/router'
import { ErrorMessage, Loading } from '../../ui/feedback'
import { SEVERITY_DUE_S } from '../hazards/model'
import { readInspection } from '../sync/local'
import type { LocalInspection } from '../sync/overlay'
import { useLocalView } from '../sync/use-local'
import { hazardTitle, itemNumbers } from './findings'
import { itemText } from './model'
import { UnitSign } from './NoticeSign'

export interface NoticeRow {
  number: number
  key: string
  title: string
  note: string
  requirement: string
  major: boolean
  /** Unix seconds. */
  due: number
  photos: number
}

/** The findings of an inspection in checklist order, as the notice lists them. Pure. */
export function noticeRows(detail: Pick<LocalInspection, 'items' | 'answers' | 'completed_at' | 'started_at'>, lang = getLanguage()): NoticeRow[] {
  const numbers = itemNumbers(detail.items)
  const answers = new Map(detail.answers.map((a) => [a.key, a]))
  const from = detail.completed_at ?? detail.started_at
  return detail.items
    .flatMap((item) => {
      const a = answers.get(item.key)
      if (a?.answer !== 'fail') return []
      const severity = item.major ? 'major' : 'general'
      return [{
        number: numbers.get(item.key) ?? 0,
        key: item.key,
        title: hazardTitle(item, a.note),
        note: a.note.trim(),
        requirement: itemText(item, lang),
        major: item.major,
        due: from + SEVERITY_DUE_S[severity],
        photos: a.attachments.length,
      }]
    })
    .sort((x, y) => x.number - y.number)
}

function PdfLink({ id }: { id: number }) {
  const [state, setState] = useState<string | null>(null)
  if (id <= 0 || !isOnline()) return <p class="muted">{t('rectify.pdf_offline')}</p>
  async function open() {
    setState(null)
    try {
      const file = await requestFile('GET', `/api/v1/inspections/${id}/notice?format=pdf&lang=${getLanguage()}`)
      const url = URL.createObjectURL(new Blob([file.blob], { type: 'application/pdf' }))
      window.open(url, '_blank', 'noopener')
      setTimeout(() => URL.revokeObjectURL(url), 60_000) // the new tab has read it by then, as downloadBlob assumes
    } catch (error) {
      setState(t('rectify.pdf_failed', { error: String(error) }))
    }
  }
  return (
    <p>
      <button type="button" class="ack-button" data-testid="notice-pdf" onClick={() => void open()}>
        {t('rectify.pdf')}
      </button>
      {state && <span class="form-error">{state}</span>}
    </p>
  )
}

export function NoticePage({ id }: { id: string }) {
  const load = useLocalView((hidden) => readInspection(id, hidden), `notice/${id}`)
  const shown = load.state === 'ready' ? load.value : undefined
  useEffect(() => {
    document.title = `${t('rectify.title')} · ${t('app.name')}`
  })
  const back = (
    <a href={inspectionPath(id)} class="back" data-testid="notice-back">
      {t('rectify.back')}
    </a>
  )
  if (!shown) {
    if (load.state !== 'missing') return <main class="page">{back}<Loading /></main>
    return <main class="page">{back}<ErrorMessage text={t('inspection.not_found')} /></main>
  }
  if (shown.state !== 'completed') return <main class="page">{back}<p data-testid="notice-not-signed">{t('rectify.not_signed')}</p></main>
  const lang = getLanguage()
  const rows = noticeRows(shown, lang)
  return (
    <main class="page notice-page" data-testid="notice" data-findings={String(rows.length)}>
      {back}
      <h1>{t('rectify.title')}</h1>
      <section class="card">
        <p data-testid="notice-unit">{t('rectify.unit', { name: shown.site_name })}</p>
        <p class="muted">{t('rectify.checklist', { title: itemText({ text: shown.title }, lang), count: shown.items.length })}</p>
        <p class="muted">{t('rectify.inspector', { name: shown.inspector, time: formatDateTime((shown.completed_at ?? shown.started_at) * 1000) })}</p>
      </section>
      <p>{rows.length > 0 ? t('rectify.intro') : t('rectify.none')}</p>
      <ol class="hazard-list notice-findings">
        {rows.map((r) => (
          <li key={r.key} class="card" data-testid="notice-finding" data-number={String(r.number)}>
            <strong>{r.number}. {r.title}</strong>
            {r.note && r.note !== r.title && <p>{r.note}</p>}
            <p class="muted">{t('rectify.requirement', { text: r.requirement })}</p>
            <p>
              <span class={r.major ? 'severity-major' : ''}>{label('severity', r.major ? 'major' : 'general', lang)}</span> ·{' '}
              <span data-testid="notice-due">{t('rectify.due', { date: formatDate(r.due * 1000, lang) })}</span>
              {r.photos > 0 && <> · {t('rectify.photos', { count: r.photos })}</>}
            </p>
          </li>
        ))}
      </ol>
      <section class="card">
        <p data-testid="notice-inspector-sign">{t('rectify.inspector_sign', { name: shown.signed_by ?? '—' })}</p>
        <h2>{t('rectify.unit_sign')}</h2>
        <UnitSign detail={shown} />
      </section>
      <PdfLink id={shown.id} />
    </main>
  )
}
