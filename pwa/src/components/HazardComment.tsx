// The three-party thread's input: the unit, the operator company and the regulator write on the hazard, with
// photos if they like (POST /hazards/{id}/comments).
import { useState } from 'preact/hooks'
import { ApiError } from '../api'
import { commentHazard } from '../hazards/api'
import { errorsOf, TEXT_MAX, type FieldErrors } from '../hazards/form'
import { refusalText } from '../hazards/model'
import type { HazardDetail } from '../hazards/types'
import { busy, hashesOf } from '../hazards/upload'
import { t } from '../i18n'
import { PhotoPicker, usePhotoQueue } from './Photos'

export function HazardComment({ hazard, onChanged }: { hazard: HazardDetail; onChanged: (hazard: HazardDetail) => void }) {
  const [queue, photos] = usePhotoQueue()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const uploading = busy(photos)

  async function submit(event: Event) {
    event.preventDefault()
    if (!text.trim()) {
      setErrors({ note: t('hazard.error_comment') })
      return
    }
    setSending(true)
    setErrors({})
    try {
      const attachments = hashesOf(photos)
      const next = await commentHazard(hazard.id, { text: text.trim(), ...(attachments.length ? { attachments } : {}) })
      setText('')
      queue.clear()
      onChanged(next)
    } catch (error) {
      setErrors(error instanceof ApiError && error.status === 400 ? errorsOf(error) : { form: refusalText(error) })
    } finally {
      setSending(false)
    }
  }

  return (
    <form class="card comment-form" data-testid="comment-form" onSubmit={submit} noValidate>
      <label class="field">
        <span>{t('hazard.comment')}</span>
        <textarea
          rows={3}
          maxLength={TEXT_MAX}
          value={text}
          placeholder={t('hazard.comment_hint')}
          disabled={sending}
          onInput={(e) => setText(e.currentTarget.value)}
          data-testid="comment-text"
        />
      </label>
      {errors.note && (
        <p class="form-error field-error" role="alert" data-testid="comment-error-text">
          {errors.note}
        </p>
      )}
      <PhotoPicker queue={queue} items={photos} prefix="comment" label={t('photo.take')} error={errors.attachments} disabled={sending} />
      {errors.form && (
        <p class="form-error" role="alert" data-testid="comment-error">
          {errors.form}
        </p>
      )}
      <button type="submit" class="ack-button comment-submit" disabled={sending || uploading} data-testid="comment-submit">
        {sending ? t('hazard.sending') : uploading ? t('photo.wait') : t('hazard.comment_send')}
      </button>
    </form>
  )
}
