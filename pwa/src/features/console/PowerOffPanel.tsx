// The owners' power-off requests waiting at the top of the console: trip the breaker through the remote-control
// flow (confirmation with a reason, the state read back: "已分闸") or decline with a note the owner reads.
import { useState } from 'preact/hooks'
import { formatRecent, t } from '../../platform/i18n'
import { alarmPath } from '../../shell/router'
import { Working } from '../../ui/feedback'
import { confirmText, reasonOk } from '../devices/control'
import { ControlResult, controlErrorText } from '../devices/ControlResult'
import { confirmPowerOff, declinePowerOff } from './api'
import type { PowerOffRequest } from './types'

function RequestCard({ request, onAnswered }: { request: PowerOffRequest; onAnswered: (answer: PowerOffRequest) => void }) {
  const [mode, setMode] = useState<'trip' | 'decline'>()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [error, setError] = useState('')
  const [answer, setAnswer] = useState<PowerOffRequest>()

  function open(next: 'trip' | 'decline') {
    setMode(next)
    setText(next === 'trip' ? t('poweroff.trip_default') : '')
    setError('')
  }

  async function submit(event: Event) {
    event.preventDefault()
    setSending(true)
    setError('')
    try {
      const answered = mode === 'trip' ? await confirmPowerOff(request.id, text.trim()) : await declinePowerOff(request.id, text.trim())
      setAnswer(answered)
      setMode(undefined)
      if (answered.state !== 'pending') onAnswered(answered)
    } catch (e) {
      setError(controlErrorText(e))
    } finally {
      setSending(false)
    }
  }

  const control = answer?.control
  const device = { name: request.device_name, circuit: request.circuit }
  return (
    <li class="poweroff-request" data-testid="poweroff-request" data-request-id={String(request.id)} data-state={answer?.state ?? request.state}>
      <div>
        <strong>{request.site_name}</strong> · {request.circuit || request.device_name}{' '}
        <a href={alarmPath(request.alarm_id)}>{t('console.alarm')}</a>
      </div>
      <div class="muted">{t('poweroff.asked', { name: request.requested_by, time: formatRecent(request.requested_at * 1000) })}</div>
      {request.reason && <div>{t('poweroff.reason', { reason: request.reason })}</div>}
      {control && <ControlResult record={control} testid="poweroff-result" />}
      {answer?.state === 'declined' && <p class="muted" data-testid="poweroff-result">{t('poweroff.declined', { name: answer.decided_by ?? '', note: answer.decision_note })}</p>}
      {!mode && (answer?.state ?? 'pending') === 'pending' && (
        <div class="ack-actions">
          <button type="button" class="ack-button danger" onClick={() => open('trip')} data-testid="poweroff-trip">
            {t('poweroff.trip')}
          </button>
          <button type="button" class="link-button" onClick={() => open('decline')} data-testid="poweroff-decline">
            {t('poweroff.decline')}
          </button>
        </div>
      )}
      {mode && (
        <form class="ack-form control-form" onSubmit={submit} data-testid="poweroff-form" data-mode={mode}>
          {mode === 'trip' && (
            <p class="control-warning" data-testid="control-warning">
              {confirmText('trip', device)}
            </p>
          )}
          <label>
            <span>{mode === 'trip' ? t('poweroff.trip_reason') : t('poweroff.decline_note')}</span>
            <textarea rows={2} maxLength={500} required value={text} disabled={sending} onInput={(e) => setText(e.currentTarget.value)} data-testid="poweroff-text" />
          </label>
          {sending && (
            <Working text={t('control.sending')} />
          )}
          {error && (
            <p class="form-error" role="alert" data-testid="poweroff-error">
              {error}
            </p>
          )}
          <div class="ack-actions">
            <button
              type="submit"
              class={`ack-button${mode === 'trip' ? ' danger' : ''}`}
              disabled={sending || (mode === 'trip' ? !reasonOk(text) : !text.trim())}
              data-testid="poweroff-send"
            >
              {mode === 'trip' ? t('poweroff.trip') : t('poweroff.send')}
            </button>
            <button type="button" class="link-button" disabled={sending} onClick={() => setMode(undefined)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  )
}

/** The pending requests, and the ones answered here (kept with their read-back until the page is left). */
export function PowerOffPanel({ pending, onAnswered }: { pending: PowerOffRequest[]; onAnswered: () => void }) {
  const [answered, setAnswered] = useState<PowerOffRequest[]>([])
  const requests = [...answered, ...pending.filter((p) => !answered.some((a) => a.id === p.id))]
  if (requests.length === 0) return null
  function answer(request: PowerOffRequest) {
    setAnswered((list) => [request, ...list.filter((a) => a.id !== request.id)])
    onAnswered()
  }
  return (
    <section class="card poweroff-panel" data-testid="poweroff-panel">
      <h2>
        {t('poweroff.pending_title')} <span class="pill" data-testid="poweroff-count">{pending.length}</span>
      </h2>
      <ul class="plain-list">
        {requests.map((r) => (
          <RequestCard key={r.id} request={r} onAnswered={answer} />
        ))}
      </ul>
    </section>
  )
}
