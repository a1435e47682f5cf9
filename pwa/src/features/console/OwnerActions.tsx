// The owner's next steps on the alarm page (story 1.3), beside acknowledging: call the operator company's hotline,
// ask the monitoring centre for a remote power-off (and see its answer), report a hazard from the alarm.
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { formatRecent, label, t } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import { describeError } from '../../ui/feedback'
import { isTest } from '../alarms/model'
import type { Alarm } from '../alarms/types'
import { getAlarmPowerOffs, requestPowerOff } from './api'
import { withNewer } from './model'
import type { PowerOffRequest } from './types'

/** The hazard form's address, with the site and words taken from the alarm. */
export function hazardFromAlarmPath(alarm: Alarm): string {
  const params = new URLSearchParams({ site: String(alarm.site_id) })
  const place = alarm.circuit || alarm.device_name
  params.set('title', `${place} ${label('cause', alarm.cause)}`.slice(0, 100))
  params.set('description', t('owner.hazard_from_alarm', { id: alarm.id, cause: label('cause', alarm.cause), time: formatRecent(alarm.started_at * 1000) }))
  return `/hazards/new?${params}`
}

function RequestState({ request }: { request: PowerOffRequest }) {
  const text =
    request.state === 'pending'
      ? t('poweroff.pending')
      : request.state === 'tripped'
        ? t('poweroff.tripped', { name: request.decided_by ?? '' })
        : t('poweroff.declined', { name: request.decided_by ?? '', note: request.decision_note })
  return (
    <p class={`poweroff-state state-${request.state}`} role="status" data-testid="poweroff-state" data-state={request.state}>
      {text}
    </p>
  )
}

export function OwnerActions({ alarm, role, version }: { alarm: Alarm; role: Role | undefined; version: string }) {
  const [requests, setRequests] = useState<PowerOffRequest[]>()
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState('')
  const [sending, setSending] = useState(false)
  const owner = role === 'owner'

  useEffect(() => {
    if (!owner) return
    const read = (list: PowerOffRequest[]) => setRequests((known) => withNewer(list, known))
    getAlarmPowerOffs(alarm.id).then(read, () => setRequests((known) => known ?? []))
    // The monitoring centre answers while the page is open: look again now and then while one waits.
    const timer = setInterval(() => {
      getAlarmPowerOffs(alarm.id).then(read, () => undefined)
    }, 10_000)
    return () => clearInterval(timer)
  }, [alarm.id, owner, version])

  async function submit(event: Event) {
    event.preventDefault()
    setSending(true)
    setError('')
    try {
      const made = await requestPowerOff(alarm.id, reason.trim())
      setRequests((list) => [made, ...(list ?? [])])
      setAsking(false)
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : describeError(e))
    } finally {
      setSending(false)
    }
  }

  const latest = requests?.[0]
  // Also after the alarm ended by itself: the owner may still want the circuit off until someone has looked.
  const mayAsk = owner && !isTest(alarm) && latest?.state !== 'pending'
  return (
    <section class="card owner-actions" data-testid="owner-actions">
      <h2>{t('owner.next_steps')}</h2>
      <div class="ack-actions">
        {alarm.hotline && (
          <a class="ack-button call-button" href={`tel:${alarm.hotline.replace(/[^0-9+]/g, '')}`} data-testid="owner-call">
            📞 {t('owner.call')} <span class="hotline">{alarm.hotline}</span>
          </a>
        )}
        {mayAsk && !asking && (
          <button type="button" class="ack-button danger" onClick={() => setAsking(true)} data-testid="owner-request-poweroff">
            {t('owner.request')}
          </button>
        )}
        {!isTest(alarm) && (
          <a class="link-button" href={hazardFromAlarmPath(alarm)} data-testid="owner-report-hazard">
            {t('owner.report')}
          </a>
        )}
      </div>
      {asking && (
        <form class="ack-form" onSubmit={submit} data-testid="owner-poweroff-form">
          <p class="muted">{t('owner.request_hint')}</p>
          <label>
            <span>{t('owner.request_reason')}</span>
            <textarea rows={2} maxLength={500} value={reason} disabled={sending} onInput={(e) => setReason(e.currentTarget.value)} data-testid="owner-poweroff-reason" />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <div class="ack-actions">
            <button type="submit" class="ack-button danger" disabled={sending} data-testid="owner-poweroff-send">
              {t('owner.request_send')}
            </button>
            <button type="button" class="link-button" disabled={sending} onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {latest && <RequestState request={latest} />}
    </section>
  )
}
