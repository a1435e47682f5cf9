// The moves the signed-in person may make on a hazard now (hazards/workflow.ts): the rectification with photos
// (open at once for the person who fixes it), and assign, verify, reject and close behind a confirmation. A move
// is a mutation in the outbox (sync/writes.ts): online the form waits for the server's answer as it always has;
// offline it is kept on the device and shown at once, marked 待同步. A move the server refuses is shown by the
// page (hazard-refused) with the server's words.
import { useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { PhotoPicker, usePhotoQueue } from '../photos/Photos'
import { busy, hashesOf } from '../photos/upload'
import type { LocalHazard } from '../sync/overlay'
import type { Held } from '../sync/use-local'
import { uuidv7 } from '../sync/uuid'
import { moveHazard } from '../sync/writes'
import { AssigneeSelect } from './AssigneeSelect'
import { dueError, type FieldErrors } from './form'
import { dateInputValue, dueFromDateInput } from './model'
import type { Assignee, HazardState } from './types'
import { actionLabel, assignDueHint, confirmText, resultText, submitLabel } from './words'
import { allowedActions, missingFor, targetOf, transitionBody, type HazardAction, type Person } from './workflow'

interface Done {
  held: Held
  /** What became of the move, in words ("" when the server refused it: the page shows why). */
  onDone: (text: string) => void
}

function FieldError({ errors, field, testid }: { errors: FieldErrors; field: keyof FieldErrors; testid?: string }) {
  const text = errors[field]
  if (!text) return null
  return (
    <p class="form-error field-error" role="alert" data-testid={testid ?? `hazard-error-${field}`}>
      {text}
    </p>
  )
}

/** Send a move; answers the words for the form when it could not even be written on the device. */
async function send(
  hazard: LocalHazard,
  action: HazardAction,
  input: Parameters<typeof transitionBody>[1],
  done: Done,
  assignee?: string | null,
): Promise<FieldErrors | null> {
  const id = uuidv7()
  try {
    const settled = await done.held.run(id, () => moveHazard(hazard, transitionBody(action, input), assignee, id))
    const target = targetOf(action)
    const state: HazardState = target === 'rejected' ? 'assigned' : target
    const text = resultText({ state, assignee: assignee ?? hazard.assignee })
    if (settled.status === 'acked') done.onDone(text)
    else if (settled.status === 'pending') done.onDone(`${text} · ${t('sync.saved_device')}`)
    else done.onDone('')
    return null
  } catch (error) {
    return { form: String(error) }
  }
}

/** 整改完成: photos of the work (at least one) and an optional note, for the assignee or the site's owner. */
function RectifyForm({ hazard, done }: { hazard: LocalHazard; done: Done }) {
  const [queue, photos] = usePhotoQueue()
  const [note, setNote] = useState('')
  const [sending, setSending] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const uploading = busy(photos)

  async function submit(event: Event) {
    event.preventDefault()
    const attachments = hashesOf(photos)
    if (missingFor('assigned', 'rectify', { attachments })) {
      setErrors({ attachments: t('hazard.error_photos') })
      return
    }
    setSending(true)
    setErrors({})
    const refused = await send(hazard, 'rectify', { note, attachments }, done)
    setSending(false)
    if (refused) setErrors(refused)
  }

  return (
    <form class="card hazard-action-form rectify-form" data-testid="hazard-rectify-form" onSubmit={submit} noValidate>
      <h2>{t('hazard.rectify_title')}</h2>
      <p class="muted">{t('hazard.rectify_hint')}</p>
      <PhotoPicker
        queue={queue}
        items={photos}
        prefix="rectify"
        label={t('photo.take')}
        error={errors.attachments}
        disabled={sending}
      />
      <label class="field">
        <span>{t('hazard.rectify_note')}</span>
        <textarea
          rows={2}
          maxLength={2000}
          value={note}
          placeholder={t('hazard.rectify_note_hint')}
          disabled={sending}
          onInput={(e) => setNote(e.currentTarget.value)}
          data-testid="rectify-note"
        />
      </label>
      <FieldError errors={errors} field="note" />
      <FieldError errors={errors} field="form" testid="hazard-action-error" />
      <button type="submit" class="primary" disabled={sending || uploading} data-testid="hazard-rectify">
        {sending ? t('hazard.sending') : uploading ? t('photo.wait') : actionLabel('rectify', hazard)}
      </button>
    </form>
  )
}

/** Assign, verify, reject or close: what will happen, what it needs, and the confirm button. */
function ActionForm({ hazard, action, done, onCancel }: { hazard: LocalHazard; action: HazardAction; done: Done; onCancel: () => void }) {
  const [assigneeId, setAssigneeId] = useState<number | null>(hazard.state === 'assigned' ? hazard.assignee_id : null)
  const [people, setPeople] = useState<Assignee[]>([])
  const [dueDate, setDueDate] = useState('')
  const [note, setNote] = useState('')
  const [sending, setSending] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const state = hazard.state as HazardState

  async function submit(event: Event) {
    event.preventDefault()
    const missing = missingFor(state, action, { assigneeId, note })
    const badDue = action === 'assign' ? dueError(dueDate) : null
    if (missing || badDue) {
      setErrors({
        ...(missing === 'assignee_id' ? { assignee_id: t('hazard.error_assignee') } : {}),
        ...(missing === 'note' ? { note: t('hazard.error_note') } : {}),
        ...(badDue ? { due: badDue } : {}),
      })
      return
    }
    setSending(true)
    setErrors({})
    const name = action === 'assign' ? (people.find((p) => p.id === assigneeId)?.display_name ?? null) : undefined
    const refused = await send(hazard, action, { assigneeId, due: dueFromDateInput(dueDate), note }, done, name)
    setSending(false)
    if (refused) setErrors(refused)
  }

  return (
    <form class="ack-form hazard-action-form" data-testid="hazard-action-form" data-action={action} onSubmit={submit} noValidate>
      <p class={action === 'reject' ? 'control-warning' : ''} data-testid="hazard-confirm-text">
        {confirmText(action, hazard)}
      </p>
      {action === 'assign' && (
        <>
          <label class="field">
            <span>{t('hazard.assignee')}</span>
            <AssigneeSelect
              siteId={hazard.site_id}
              value={assigneeId}
              onChange={setAssigneeId}
              onLoaded={setPeople}
              allowNone={false}
              testid="hazard-assignee-select"
              invalid={Boolean(errors.assignee_id)}
              disabled={sending}
            />
          </label>
          <FieldError errors={errors} field="assignee_id" />
          <label class="field">
            <span>{t('hazard.due')}</span>
            <input
              type="date"
              value={dueDate}
              min={dateInputValue(Date.now())}
              disabled={sending}
              onInput={(e) => setDueDate(e.currentTarget.value)}
              data-testid="hazard-due-input"
            />
          </label>
          <p class="muted field-hint">{assignDueHint(hazard)}</p>
          <FieldError errors={errors} field="due" />
        </>
      )}
      {action !== 'assign' && (
        <label class="field">
          <span>{action === 'reject' ? t('hazard.reject_note') : t('hazard.note_optional')}</span>
          <textarea
            rows={2}
            maxLength={2000}
            required={action === 'reject'}
            value={note}
            placeholder={action === 'reject' ? t('hazard.reject_note_hint') : ''}
            disabled={sending}
            onInput={(e) => setNote(e.currentTarget.value)}
            data-testid="hazard-note"
          />
        </label>
      )}
      <FieldError errors={errors} field="note" />
      <FieldError errors={errors} field="form" testid="hazard-action-error" />
      <div class="ack-actions">
        <button
          type="submit"
          class={`ack-button${action === 'reject' ? ' danger' : ''}`}
          disabled={sending}
          data-testid="hazard-confirm"
        >
          {sending ? t('hazard.sending') : submitLabel(action)}
        </button>
        <button type="button" class="link-button" disabled={sending} onClick={onCancel} data-testid="hazard-cancel">
          {t('subs.cancel')}
        </button>
      </div>
    </form>
  )
}

interface Props {
  hazard: LocalHazard
  me: Person | undefined
  held: Held
}

export function HazardActions({ hazard, me, held }: Props) {
  const [open, setOpen] = useState<HazardAction | null>(null)
  const [result, setResult] = useState<string>('')
  const actions = allowedActions(hazard, me)
  const others: HazardAction[] = actions.filter((a) => a !== 'rectify')
  const done: Done = {
    held,
    onDone: (text) => {
      setOpen(null)
      setResult(text)
    },
  }

  return (
    <section class="hazard-actions" data-testid="hazard-actions" data-actions={actions.join(' ')}>
      {result && (
        <p class="banner banner-success" role="status" data-testid="hazard-result">
          ✓ {result}
        </p>
      )}
      {/* Keyed by state: after a move the form starts empty. */}
      {actions.includes('rectify') && <RectifyForm key={hazard.state} hazard={hazard} done={done} />}
      {others.length > 0 && (
        <div class="card">
          <div class="control-buttons">
            {others.map((action) => (
              <button
                key={action}
                type="button"
                class={`control-button action-${action}`}
                aria-expanded={open === action}
                data-testid={`hazard-${action}`}
                onClick={() => {
                  setResult('')
                  setOpen(open === action ? null : action)
                }}
              >
                {actionLabel(action, hazard)}
              </button>
            ))}
          </div>
          {open && others.includes(open) && (
            <ActionForm key={`${open}-${hazard.state}`} hazard={hazard} action={open} done={done} onCancel={() => setOpen(null)} />
          )}
        </div>
      )}
    </section>
  )
}
