// The three-party thread's input: the unit, the operator company and the regulator write on the hazard, with
// photos if they like: a hazard_comment mutation (sync/writes.ts), appended once by its id. Online the form waits
// for the server; offline the message joins the thread at once, marked 待同步.
import { useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { PhotoPicker, usePhotoQueue } from '../photos/Photos'
import { busy, hashesOf } from '../photos/upload'
import type { LocalHazard } from '../sync/overlay'
import type { Held } from '../sync/use-local'
import { uuidv7 } from '../sync/uuid'
import { commentOnHazard } from '../sync/writes'
import { TEXT_MAX, type FieldErrors } from './form'

export function HazardComment({ hazard, held }: { hazard: LocalHazard; held: Held }) {
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
      const id = uuidv7()
      const attachments = hashesOf(photos)
      // Cleared once the message is on the device: from then on it is the outbox's to send.
      await held.run(id, () =>
        commentOnHazard(hazard, text.trim(), attachments, id).then(() => {
          setText('')
          queue.clear()
        }),
      )
    } catch (error) {
      setErrors({ form: String(error) })
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
