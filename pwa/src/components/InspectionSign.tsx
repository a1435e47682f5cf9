// Signing an inspection (签名, 提交巡检) with the checks and the question before it, and the outcome of a signed
// one: who signed, how many items failed, and the hazards they became.
import { useState } from 'preact/hooks'
import { ApiError } from '../api'
import { formatDateTime, t, type Lang } from '../i18n'
import { completeInspection } from '../inspections/api'
import type { AnswerBook, ItemView } from '../inspections/answers'
import {
  confirmText,
  itemAnchor,
  madeHazards,
  progressOf,
  refusalText,
  SIGNATURE_MAX,
  signCheck,
  signReady,
  type SignCheck,
} from '../inspections/model'
import type { InspectionDetail } from '../inspections/types'
import { hazardPath } from '../router'

function jump(key: string | undefined): void {
  if (key) document.getElementById(itemAnchor(key))?.scrollIntoView({ behavior: 'smooth', block: 'center' })
}

/** What stops the signing, each with a link to the first item concerned. */
function Problems({ check, onRetry }: { check: SignCheck; onRetry: () => void }) {
  const lines: { key: string; text: string; first?: string; retry?: boolean }[] = []
  if (check.unanswered.length > 0) {
    lines.push({ key: 'unanswered', text: t('inspection.problem_unanswered', { count: check.unanswered.length }), first: check.unanswered[0] })
  }
  if (check.noNote.length > 0) {
    lines.push({ key: 'note', text: t('inspection.problem_note', { count: check.noNote.length }), first: check.noNote[0] })
  }
  if (check.unsaved.length > 0) {
    lines.push({ key: 'unsaved', text: t('inspection.problem_unsaved', { count: check.unsaved.length }), first: check.unsaved[0], retry: true })
  }
  if (lines.length === 0) return null
  return (
    <ul class="form-error insp-problems" role="alert" data-testid="insp-sign-problems">
      {lines.map((line) => (
        <li key={line.key} data-testid={`insp-problem-${line.key}`}>
          {line.text}{' '}
          {line.first && (
            <button type="button" class="link-button" onClick={() => jump(line.first)}>
              {t('inspection.go_to_item')}
            </button>
          )}
          {line.retry && (
            <button type="button" class="link-button" onClick={onRetry}>
              {t('offline.retry')}
            </button>
          )}
        </li>
      ))}
    </ul>
  )
}

interface SignProps {
  book: AnswerBook
  views: Readonly<Record<string, ItemView>>
  onSigned: (detail: InspectionDetail) => void
  /** The inspection was signed meanwhile (409): read it again. */
  onStale: () => void
}

export function InspectionSign({ book, views, onSigned, onStale }: SignProps) {
  const [signedBy, setSignedBy] = useState('')
  const [summary, setSummary] = useState('')
  const [check, setCheck] = useState<SignCheck | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const items = book.inspection.items
  const failed = progressOf(items, views).fail

  function review(): SignCheck {
    const next = signCheck(items, book.items, book.unsaved(), signedBy)
    setCheck(next)
    return next
  }

  async function ask(event: Event) {
    event.preventDefault()
    setError(null)
    await book.flush() // what waits goes up first: the checks count what the server has
    if (signReady(review())) setConfirming(true)
  }

  async function sign() {
    setSending(true)
    setError(null)
    try {
      await book.flush()
      const now = signCheck(items, book.items, book.unsaved(), signedBy)
      if (!signReady(now)) {
        setCheck(now)
        setConfirming(false)
        return
      }
      onSigned(await completeInspection(book.inspection.id, { signed_by: signedBy.trim(), summary: summary.trim() }))
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) onStale()
      setError(refusalText(caught))
      setConfirming(false)
    } finally {
      setSending(false)
    }
  }

  return (
    <form class="card insp-sign" data-testid="insp-sign" onSubmit={ask} noValidate>
      <h2>{t('inspection.sign_title')}</h2>
      <label class="field">
        <span>{t('inspection.summary')}</span>
        <textarea
          rows={2}
          maxLength={2000}
          value={summary}
          placeholder={t('inspection.summary_hint')}
          disabled={sending}
          data-testid="insp-summary"
          onInput={(e) => setSummary(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{t('inspection.signature')}</span>
        <input
          value={signedBy}
          maxLength={SIGNATURE_MAX}
          autoComplete="name"
          placeholder={t('inspection.signature_hint')}
          aria-invalid={Boolean(check?.signature)}
          disabled={sending}
          data-testid="insp-signature"
          onInput={(e) => {
            setSignedBy(e.currentTarget.value)
            setConfirming(false)
          }}
        />
      </label>
      {check?.signature && (
        <p class="form-error field-error" role="alert" data-testid="insp-signature-error">
          {check.signature}
        </p>
      )}
      {check && <Problems check={check} onRetry={() => void book.flush().then(review)} />}
      {error && (
        <p class="form-error" role="alert" data-testid="insp-sign-error">
          {error}
        </p>
      )}
      {confirming ? (
        <div class="insp-confirm" data-testid="insp-confirm" data-failed={String(failed)}>
          <p data-testid="insp-confirm-text">{confirmText(failed)}</p>
          <div class="ack-actions">
            <button type="button" class="ack-button danger" disabled={sending} data-testid="insp-confirm-yes" onClick={() => void sign()}>
              {sending ? t('inspection.signing') : t('inspection.confirm_yes')}
            </button>
            <button type="button" class="link-button" disabled={sending} data-testid="insp-confirm-no" onClick={() => setConfirming(false)}>
              {t('inspection.confirm_no')}
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" class="primary" disabled={sending} data-testid="insp-submit">
          {t('inspection.submit')}
        </button>
      )}
    </form>
  )
}

/** A signed inspection: who signed and when, and the hazards its failed items became. */
export function InspectionResult({ detail, lang, fresh }: { detail: InspectionDetail; lang: Lang; fresh: boolean }) {
  const hazards = madeHazards(detail, lang)
  return (
    <section class="banner banner-success insp-result" role="status" data-testid="insp-result" data-hazards={String(hazards.length)}>
      <p>
        <strong>{fresh ? t('inspection.result_fresh') : t('inspection.result_done')}</strong>
      </p>
      <p data-testid="insp-signed">
        {t('inspection.signed_by', {
          name: detail.signed_by ?? '—',
          time: detail.completed_at === null ? '—' : formatDateTime(detail.completed_at * 1000),
        })}
      </p>
      {detail.summary && <p data-testid="insp-summary-text">{detail.summary}</p>}
      <p data-testid="insp-result-count">
        {hazards.length === 0 ? t('inspection.result_no_hazards') : t('inspection.result_hazards', { count: hazards.length })}
      </p>
      {hazards.length > 0 && (
        <ul class="insp-hazard-links">
          {hazards.map((h) => (
            <li key={h.id}>
              <a href={hazardPath(h.id)} data-testid="insp-hazard-link" data-hazard-id={String(h.id)}>
                {h.title ?? t('inspection.hazard_number', { id: String(h.id) })} ›
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
