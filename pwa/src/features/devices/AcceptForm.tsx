// The acceptance checklist (建设一个、验收一个、合格一个) of Bluetooth and wired commissioning alike: each item's
// answer and note, photos on the items that ask for evidence (the photo machinery: shrunk, kept on the device,
// uploaded), the signer's name and a drawn signature (ui/SignaturePad). Controlled: the page keeps the values.
// SignedRecord shows a signed acceptance afterwards, with the drawn signature.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { getLanguage, label, t } from '../../platform/i18n'
import { useLoad } from '../../ui/hooks'
import { SignaturePad } from '../../ui/SignaturePad'
import { photoBlob } from '../photos/device-copy'
import { AttachmentThumb, PhotoPicker, PhotoViewer, usePhotoQueue } from '../photos/Photos'
import { hashesOf } from '../photos/upload'
import { checklistText, type Answers } from './commission'
import { keepSignature, type KeptSignature } from './evidence'
import type { ChecklistAnswer, ChecklistItem, Commissioning } from './types'

const ANSWERS: readonly ChecklistAnswer[] = ['pass', 'fail', 'na']

type SetAnswers = (next: (answers: Answers) => Answers) => void

/** An item's photos: those taken now (the queue) and those kept in the draft from before a reload. */
function ItemPhotos({ item, kept, disabled, onChange }: { item: ChecklistItem; kept: string[]; disabled: boolean; onChange: (hashes: string[]) => void }) {
  const [queue, items] = usePhotoQueue()
  const [before] = useState(kept)
  const [viewing, setViewing] = useState<string>()
  const hashes = hashesOf(items)
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    onChange([...new Set([...before, ...hashes])])
  }, [hashes.join(',')])
  return (
    <div class="check-photos" data-testid={`check-${item.key}-photos`} data-count={String(new Set([...before, ...hashes]).size)}>
      {before.length > 0 && (
        <div class="thumbs">
          {before.map((sha) => (
            <AttachmentThumb key={sha} sha256={sha} testid={`check-${item.key}-kept`} onOpen={setViewing} />
          ))}
        </div>
      )}
      <PhotoPicker queue={queue} items={items} prefix={`check-${item.key}`} label={t('accept.photo_take')} disabled={disabled} />
      {viewing && <PhotoViewer url={viewing} onClose={() => setViewing(undefined)} />}
    </div>
  )
}

/** A signature drawing, whole (never cropped like a photo's thumbnail): this device's copy, else the server's. */
export function SignatureImage({ sha256, testid }: { sha256: string; testid: string }) {
  const [load, reload] = useLoad(() => photoBlob(sha256), sha256)
  const blob = load.state === 'ready' ? load.value : undefined
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : undefined), [blob])
  useEffect(() => () => url && URL.revokeObjectURL(url), [url])
  if (load.state === 'failed') {
    return (
      <button type="button" class="link-button" data-testid={testid} data-state="failed" onClick={reload}>
        {t('photo.load_failed')}
      </button>
    )
  }
  return url ? (
    <img class="signature-image" src={url} alt={t('signature.shown')} data-testid={testid} data-state="ready" data-sha256={sha256} />
  ) : (
    <span class="spinner" aria-hidden="true" data-testid={testid} data-state="loading" />
  )
}

/** The drawn signature: drawn, kept and uploaded; a drawing kept in the draft is shown until it is drawn again. */
function DrawnSignature({ drawn, disabled, onDrawn }: { drawn: string | null; disabled: boolean; onDrawn: (sha: string | null) => void }) {
  const [state, setState] = useState<KeptSignature | null>(null)
  const [redraw, setRedraw] = useState(drawn === null)
  const latest = useRef(0)

  // Each stroke makes a new PNG: only the newest drawing's is named, whichever finishes saving first.
  function stroke() {
    latest.current++
    setState({ sha256: null, status: 'saving' })
    onDrawn(null)
  }

  async function changed(png: Blob | null) {
    const turn = latest.current
    if (!png) {
      latest.current++
      setState(null)
      onDrawn(null)
      return
    }
    const kept = await keepSignature(png)
    if (turn !== latest.current) return // drawn on since: that drawing counts
    setState(kept)
    onDrawn(kept.sha256)
  }

  if (!redraw && drawn) {
    return (
      <div class="signature-pad" data-testid="accept-drawn" data-sha256={drawn}>
        <span class="signature-label">{t('signature.title')}</span>
        <SignatureImage sha256={drawn} testid="accept-drawn-image" />
        <button type="button" class="link-button" disabled={disabled} data-testid="accept-drawn-redo" onClick={() => { setRedraw(true); onDrawn(null) }}>
          {t('signature.clear')}
        </button>
      </div>
    )
  }
  return (
    <div data-testid="accept-drawing" data-state={state?.status ?? 'empty'} data-sha256={state?.sha256 ?? ''}>
      <SignaturePad
        label={t('signature.title')}
        hint={t('signature.hint')}
        clearLabel={t('signature.clear')}
        disabled={disabled}
        testid="signature-pad"
        onStroke={stroke}
        onChange={(png) => void changed(png)}
      />
      {state && state.status !== 'failed' && (
        <p class="muted" role="status" data-testid="accept-drawing-state">
          {t(state.status === 'saving' ? 'signature.saving' : state.status === 'kept' ? 'signature.kept' : 'signature.saved')}
        </p>
      )}
      {state?.status === 'failed' && (
        <p class="form-error" role="alert">
          {t('signature.failed', { detail: state.detail ?? '' })}
        </p>
      )}
    </div>
  )
}

interface AcceptProps {
  checklist: ChecklistItem[]
  answers: Answers
  signature: string
  /** sha256 of the drawn signature, once kept. */
  drawn: string | null
  disabled: boolean
  onAnswers: SetAnswers
  onSignature: (signature: string) => void
  onDrawn: (sha256: string | null) => void
}

export function AcceptFields({ checklist, answers, signature, drawn, disabled, onAnswers, onSignature, onDrawn }: AcceptProps) {
  const lang = getLanguage()
  const set = (key: string, change: Answers[string]) => onAnswers((now) => ({ ...now, [key]: { ...now[key], ...change } }))
  return (
    <div class="step-form">
      <ol class="checklist">
        {checklist.map((item) => {
          const current = answers[item.key]
          return (
            <li
              key={item.key}
              data-testid="check-item"
              data-key={item.key}
              data-answer={current?.answer ?? ''}
              data-photo={item.photo ? 'required' : ''}
            >
              <p>{checklistText(item, lang)}</p>
              <div class="choices" role="group" aria-label={checklistText(item, lang)}>
                {ANSWERS.map((answer) => (
                  <button
                    key={answer}
                    type="button"
                    class={`choice choice-${answer}`}
                    aria-pressed={current?.answer === answer}
                    disabled={disabled}
                    data-testid={`check-${item.key}-${answer}`}
                    onClick={() => set(item.key, { answer })}
                  >
                    {label('check_answer', answer)}
                  </button>
                ))}
              </div>
              <input
                class="check-note"
                value={current?.note ?? ''}
                maxLength={500}
                aria-label={t('accept.note')}
                placeholder={`${t('accept.note')} · ${t('accept.note_hint')}`}
                disabled={disabled}
                data-testid={`check-${item.key}-note`}
                onInput={(e) => set(item.key, { note: e.currentTarget.value })}
              />
              {item.photo && (
                <ItemPhotos
                  item={item}
                  kept={current?.attachments ?? []}
                  disabled={disabled}
                  onChange={(attachments) => set(item.key, { attachments })}
                />
              )}
            </li>
          )
        })}
      </ol>
      <label>
        <span>{t('accept.signature')}</span>
        <input
          value={signature}
          maxLength={100}
          autoComplete="name"
          disabled={disabled}
          data-testid="accept-signature"
          onInput={(e) => onSignature(e.currentTarget.value)}
        />
      </label>
      <DrawnSignature drawn={drawn} disabled={disabled} onDrawn={onDrawn} />
    </div>
  )
}

/** A signed acceptance: who signed and the drawn signature (loaded with the token, or this device's copy). */
export function SignedRecord({ commissioning }: { commissioning: Commissioning }) {
  if (!commissioning.signature && !commissioning.signed_by) return null
  return (
    <div class="signed-record" data-testid="signed-record" data-signature={commissioning.signature ?? ''}>
      {commissioning.signed_by && <p>{t('signature.by', { name: commissioning.signed_by })}</p>}
      {commissioning.signature && (
        <figure>
          <figcaption class="muted">{t('signature.shown')}</figcaption>
          <SignatureImage sha256={commissioning.signature} testid="signed-signature" />
        </figure>
      )}
    </div>
  )
}
