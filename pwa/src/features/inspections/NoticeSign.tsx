// The unit signs the rectification notice on the inspector's phone: its representative's name and a signature
// drawn on the pad (ui/SignaturePad), kept on the device and uploaded like a photo (devices/evidence.ts), online or
// offline; the acknowledgement syncs as an `inspection` `transition` to `acknowledged` naming the drawing, which
// the sync uploads first. Once signed: the name, the time and the drawing.
import { useRef, useState } from 'preact/hooks'
import { formatDateTime, getLanguage, t } from '../../platform/i18n'
import { SignaturePad } from '../../ui/SignaturePad'
import { SignatureImage } from '../devices/AcceptForm'
import { keepSignature, type KeptSignature } from '../devices/evidence'
import type { LocalInspection } from '../sync/overlay'
import { PendingMark } from '../sync/PendingMark'
import { acknowledgeNotice } from '../sync/writes'
import { itemText, SIGNATURE_MAX } from './model'
import { unitSignProblem, unitSignProblemText } from './notice-sign'

function Signed({ detail }: { detail: LocalInspection }) {
  return (
    <div data-testid="notice-unit-signed" data-pending={String(detail.unit_sign_pending)} data-signature={detail.unit_signature ?? ''}>
      <p>
        {t('rectify.unit_signed', { name: detail.unit_signed_by ?? '', time: formatDateTime((detail.unit_signed_at ?? 0) * 1000) })}{' '}
        {detail.unit_sign_pending && <PendingMark />}
      </p>
      {detail.unit_signature && (
        <figure>
          <figcaption class="muted">{t('notice_sign.shown')}</figcaption>
          <SignatureImage sha256={detail.unit_signature} testid="notice-unit-drawing" />
        </figure>
      )}
    </div>
  )
}

export function UnitSign({ detail }: { detail: LocalInspection }) {
  const [name, setName] = useState('')
  const [drawing, setDrawing] = useState<KeptSignature | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const latest = useRef(0) // each stroke makes a new PNG: only the newest drawing counts
  if (detail.unit_signed_by) return <Signed detail={detail} />

  function stroke() {
    latest.current++
    setDrawing({ sha256: null, status: 'saving' })
  }

  async function drawn(png: Blob | null) {
    const turn = ++latest.current
    if (!png) return setDrawing(null)
    setDrawing({ sha256: null, status: 'saving' })
    const kept = await keepSignature(png)
    if (turn === latest.current) setDrawing(kept)
  }

  async function sign(event: Event) {
    event.preventDefault()
    const problem = unitSignProblem(name, drawing)
    if (problem) return setError(unitSignProblemText(problem, drawing))
    setError(null)
    setBusy(true)
    try {
      const ref = { entity_id: detail.entity_id, id: detail.id, title: itemText({ text: detail.title }, getLanguage()) }
      await acknowledgeNotice(ref, name.trim(), drawing?.sha256 ?? '')
    } catch (failure) {
      setError(String(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => void sign(e)} noValidate data-testid="notice-unit-form">
      <label class="field">
        <span>{t('rectify.unit_name')}</span>
        <input value={name} maxLength={SIGNATURE_MAX} placeholder={t('rectify.unit_hint')} data-testid="notice-unit-name"
          onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <div data-testid="notice-drawing" data-state={drawing?.status ?? 'empty'} data-sha256={drawing?.sha256 ?? ''}>
        <SignaturePad
          label={t('notice_sign.title')}
          hint={t('notice_sign.hint')}
          clearLabel={t('signature.clear')}
          disabled={busy}
          testid="notice-pad"
          onStroke={stroke}
          onChange={(png) => void drawn(png)}
        />
        {drawing && drawing.status !== 'failed' && (
          <p class="muted" role="status" data-testid="notice-drawing-state">
            {t(drawing.status === 'saving' ? 'signature.saving' : drawing.status === 'kept' ? 'signature.kept' : 'signature.saved')}
          </p>
        )}
      </div>
      {error && <p class="form-error" role="alert" data-testid="notice-unit-error">{error}</p>}
      <button type="submit" class="primary" disabled={busy} data-testid="notice-unit-submit">{t('rectify.unit_submit')}</button>
    </form>
  )
}
