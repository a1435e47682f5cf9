// Dispatch one alarm from the console: one of the company's electricians, a due date, a note. The server makes
// (or reuses) the alarm's hazard and assigns it; the electrician finds it in their hazards list.
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { hazardPath } from '../../shell/router'
import { describeError } from '../../ui/feedback'
import type { Alarm } from '../alarms/types'
import { dueFromDateInput } from '../hazards/model'
import { dispatchAlarm, getElectricians } from './api'
import type { Electrician } from './types'

interface Props {
  alarm: Alarm
  onClose: () => void
}

export function DispatchForm({ alarm, onClose }: Props) {
  const [people, setPeople] = useState<Electrician[]>()
  const [assignee, setAssignee] = useState('')
  const [due, setDue] = useState('')
  const [note, setNote] = useState('')
  const [error, setError] = useState('')
  const [sending, setSending] = useState(false)
  const [done, setDone] = useState<{ name: string; hazardId: number }>()

  useEffect(() => {
    if (!alarm.company_id) return
    getElectricians(alarm.company_id).then(setPeople, (e: unknown) => setError(describeError(e)))
  }, [alarm.company_id])

  async function submit(event: Event) {
    event.preventDefault()
    if (!assignee) return
    setSending(true)
    setError('')
    try {
      const hazard = await dispatchAlarm(alarm.id, Number(assignee), dueFromDateInput(due), note)
      setDone({ name: hazard.assignee ?? '', hazardId: hazard.id })
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : describeError(e))
    } finally {
      setSending(false)
    }
  }

  if (done) {
    return (
      <p class="control-result ok" role="status" data-testid="dispatch-done">
        ✓ {t('dispatch.done', { name: done.name })} · <a href={hazardPath(done.hazardId)}>{t('dispatch.open_hazard')}</a>
      </p>
    )
  }
  return (
    <form class="ack-form dispatch-form" data-testid="dispatch-form" onSubmit={submit}>
      <strong>{t('dispatch.title')}</strong>
      {people && people.length === 0 && <p class="muted">{t('dispatch.none')}</p>}
      <label>
        <span>{t('dispatch.electrician')}</span>
        <select value={assignee} required onChange={(e) => setAssignee(e.currentTarget.value)} data-testid="dispatch-electrician">
          <option value="">{t('dispatch.pick')}</option>
          {(people ?? []).map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.display_name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('dispatch.due')}</span>
        <input type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} data-testid="dispatch-due" />
      </label>
      <label>
        <span>{t('dispatch.note')}</span>
        <textarea rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} data-testid="dispatch-note" />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="dispatch-error">
          {error}
        </p>
      )}
      <div class="ack-actions">
        <button type="submit" class="ack-button" disabled={sending || !assignee} data-testid="dispatch-send">
          {t('dispatch.send')}
        </button>
        <button type="button" class="link-button" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
