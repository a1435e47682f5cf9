// Signing an inspection (签名, 提交巡检) with the checks and the question before it, and the outcome of a signed
// one: who signed, how many items failed, and the hazards they became. Signing is an `inspection` `transition`
// mutation: online the form waits for the server (which makes the hazards); offline the inspection shows signed
// at once, marked 待同步, and its hazards are made when it syncs.
import { useState } from 'preact/hooks'
import { formatDateTime, getLanguage, t, type Lang } from '../../platform/i18n'
import { hazardPath, noticePath } from '../../shell/router'
import { PendingMark } from '../sync/PendingMark'
import type { LocalInspection } from '../sync/overlay'
import type { Held } from '../sync/use-local'
import { uuidv7 } from '../sync/uuid'
import { signInspection } from '../sync/writes'
import { refusedKeys, type ChecklistWriter, type ItemView } from './device-answers'
import { confirmText, itemAnchor, itemText, madeHazards, progressOf, SIGNATURE_MAX, signCheck, signReady, type SignCheck } from './model'
import { recordFindings } from './offline'
import type { InspectionDetail } from './types'

function jump(key: string | undefined): void {
  if (key) document.getElementById(itemAnchor(key))?.scrollIntoView({ behavior: 'smooth', block: 'center' })
}

/** What stops the signing, each with a link to the first item concerned. */
function Problems({ check }: { check: SignCheck }) {
  const lines: { key: string; text: string; first?: string }[] = []
  if (check.unanswered.length > 0) {
    lines.push({ key: 'unanswered', text: t('inspection.problem_unanswered', { count: check.unanswered.length }), first: check.unanswered[0] })
  }
  if (check.noNote.length > 0) {
    lines.push({ key: 'note', text: t('inspection.problem_note', { count: check.noNote.length }), first: check.noNote[0] })
  }
  if (check.unsaved.length > 0) {
    lines.push({ key: 'unsaved', text: t('inspection.problem_unsaved', { count: check.unsaved.length }), first: check.unsaved[0] })
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
        </li>
      ))}
    </ul>
  )
}

interface SignProps {
  detail: LocalInspection
  views: Readonly<Record<string, ItemView>>
  writer: ChecklistWriter
  held: Held
  onSigned: () => void
}

export function InspectionSign({ detail, views, writer, held, onSigned }: SignProps) {
  const [signedBy, setSignedBy] = useState('')
  const [summary, setSummary] = useState('')
  const [check, setCheck] = useState<SignCheck | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(detail.sign_rejected)
  const items = detail.items
  const failed = progressOf(items, views).fail

  // Answers kept on the device are fine to sign with: the sync sends them before the signature. Refused ones are not.
  function review(): SignCheck {
    const next = signCheck(items, views, refusedKeys(views), signedBy)
    setCheck(next)
    return next
  }

  async function ask(event: Event) {
    event.preventDefault()
    setError(null)
    await writer.flush() // notes still being typed count
    if (signReady(review())) setConfirming(true)
  }

  async function sign() {
    setSending(true)
    setError(null)
    try {
      await writer.flush()
      if (!signReady(review())) {
        setConfirming(false)
        return
      }
      // The failed items are hazards on this device at once, sent before the signature (offline.ts).
      await recordFindings(detail, Object.entries(views).flatMap(([key, v]) => (v.answer ? [{ key, answer: v.answer, note: v.note, attachments: [...v.attachments] }] : [])))
      const id = uuidv7()
      const ref = { entity_id: detail.entity_id, id: detail.id, title: itemText({ text: detail.title }, getLanguage()) }
      const settled = await held.run(id, () => signInspection(ref, signedBy.trim(), summary.trim(), id))
      if (settled.status === 'rejected') {
        setError(settled.reason)
        setConfirming(false)
      } else onSigned()
    } catch (caught) {
      setError(String(caught))
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
      {check && <Problems check={check} />}
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

/** A signed inspection: who signed and when, and the hazards its failed items became (once the server has it). */
export function InspectionResult({ detail, lang, fresh }: { detail: InspectionDetail & Partial<LocalInspection>; lang: Lang; fresh: boolean }) {
  const hazards = madeHazards(detail, lang)
  if (detail.sign_pending) {
    return (
      <section class="banner banner-pending insp-result" role="status" data-testid="insp-result" data-hazards="0" data-pending="true">
        <p>
          <strong>{t('inspection.result_pending')}</strong>
        </p>
        <p data-testid="insp-signed">{t('inspection.signed_by', { name: detail.signed_by ?? '—', time: formatDateTime((detail.completed_at ?? 0) * 1000) })}</p>
        <p data-testid="insp-result-count">
          {detail.failed === 0 ? t('inspection.result_no_hazards') : t('inspection.result_hazards_pending', { count: detail.failed })}
        </p>
        <LocalFindings detail={detail} />
        <NoticeLink detail={detail} />
      </section>
    )
  }
  if (hazards.length === 0 && (detail.local_hazards?.length ?? 0) > 0) {
    return (
      <section class="banner banner-success insp-result" role="status" data-testid="insp-result" data-hazards="0" data-pending="false">
        <LocalFindings detail={detail} />
        <NoticeLink detail={detail} />
      </section>
    )
  }
  return (
    <section class="banner banner-success insp-result" role="status" data-testid="insp-result" data-hazards={String(hazards.length)} data-pending="false">
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
      <NoticeLink detail={detail} />
    </section>
  )
}

/** The hazards this device made of the failed items, each marked 待同步 until the server has it. */
function LocalFindings({ detail }: { detail: Partial<LocalInspection> }) {
  const local = detail.local_hazards ?? []
  if (local.length === 0) return null
  return (
    <div data-testid="insp-local-hazards" data-count={String(local.length)}>
      <p>{t('inspection.local_hazards_title')}</p>
      <ul class="insp-hazard-links">
        {local.map((h) => (
          <li key={h.entity_id} data-testid="insp-local-hazard" data-pending={String(h.pending)}>
            <a href={hazardPath(h.entity_id)}>{h.title}</a> {h.pending && <PendingMark />}
          </li>
        ))}
      </ul>
    </div>
  )
}

function NoticeLink({ detail }: { detail: Partial<LocalInspection> & Pick<InspectionDetail, 'id'> }) {
  const ref = detail.id > 0 ? detail.id : detail.entity_id
  if (ref === undefined) return null
  return (
    <p>
      <a href={noticePath(ref)} data-testid="insp-notice-link">
        {t('inspection.notice_link')} ›
      </a>
    </p>
  )
}
