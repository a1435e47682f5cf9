// Editing a hazard's title and description (admin, operator, inspector, or the person who reported it; not once
// it is closed): a `hazard` `update` mutation with only the fields that changed, so two people who edit
// different fields offline both keep their change (per field, the newest write wins).
import { useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import type { LocalHazard } from '../sync/overlay'
import type { Held } from '../sync/use-local'
import { uuidv7 } from '../sync/uuid'
import { editHazard } from '../sync/writes'
import { TEXT_MAX, TITLE_MAX } from './form'
import { editChanges, mayEdit, type Person } from './workflow'

function EditForm({ hazard, held, onClose }: { hazard: LocalHazard; held: Held; onClose: (text: string) => void }) {
  const [title, setTitle] = useState(hazard.title)
  const [description, setDescription] = useState(hazard.description)
  const [error, setError] = useState('')
  const [sending, setSending] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const changes = editChanges(hazard, { title, description })
    if (changes.title !== undefined && [...changes.title].length === 0) {
      setError(t('hazard.error_title'))
      return
    }
    if (Object.keys(changes).length === 0) {
      onClose('')
      return
    }
    setSending(true)
    setError('')
    const id = uuidv7()
    try {
      const settled = await held.run(id, () => editHazard(hazard, changes, id))
      onClose(settled.status === 'acked' ? t('hazard.edit_saved') : settled.status === 'pending' ? t('sync.saved_device') : '')
    } catch (caught) {
      setError(String(caught))
      setSending(false)
    }
  }

  return (
    <form class="card step-form hazard-edit-form" data-testid="hazard-edit-form" onSubmit={submit} noValidate>
      <label>
        <span>{t('hazard.form_title')}</span>
        <input
          type="text"
          maxLength={TITLE_MAX}
          value={title}
          disabled={sending}
          onInput={(e) => setTitle(e.currentTarget.value)}
          data-testid="hazard-edit-title"
        />
      </label>
      <label>
        <span>{t('hazard.description')}</span>
        <textarea
          rows={3}
          maxLength={TEXT_MAX}
          value={description}
          disabled={sending}
          onInput={(e) => setDescription(e.currentTarget.value)}
          data-testid="hazard-edit-description"
        />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="hazard-edit-error">
          {error}
        </p>
      )}
      <div class="ack-actions">
        <button type="submit" class="ack-button" disabled={sending} data-testid="hazard-edit-save">
          {sending ? t('hazard.sending') : t('hazard.edit_save')}
        </button>
        <button type="button" class="link-button" disabled={sending} data-testid="hazard-edit-cancel" onClick={() => onClose('')}>
          {t('subs.cancel')}
        </button>
      </div>
    </form>
  )
}

export function HazardEdit({ hazard, me, held }: { hazard: LocalHazard; me: Person | undefined; held: Held }) {
  const [open, setOpen] = useState(false)
  const [result, setResult] = useState('')
  if (!mayEdit(hazard, me)) return null
  return (
    <section class="hazard-edit">
      {result && (
        <p class="banner banner-success" role="status" data-testid="hazard-edit-result">
          ✓ {result}
        </p>
      )}
      {open ? (
        <EditForm
          hazard={hazard}
          held={held}
          onClose={(text) => {
            setOpen(false)
            setResult(text)
          }}
        />
      ) : (
        <button
          type="button"
          class="link-button"
          data-testid="hazard-edit"
          onClick={() => {
            setResult('')
            setOpen(true)
          }}
        >
          {t('hazard.edit')}
        </button>
      )}
    </section>
  )
}
