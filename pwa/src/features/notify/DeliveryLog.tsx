// An alarm's delivery log (GET /api/v1/alarms/{id}/deliveries): for each transition, who was told, through
// which service, how (at once, in a digest, in a summary) and whether it went out, with each attempt.
import { useEffect, useRef } from 'preact/hooks'
import { NetworkError } from '../../platform/http'
import { formatDateTime, formatNumber, formatRecent, label, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { getDeliveries } from './api'
import { channelText, deliveryStateText, groupDeliveries, type DeliveryGroup } from './delivery-log'
import type { Delivery } from './types'

const STATE_MARK: Record<string, string> = { sent: '✔', retrying: '⟳', waiting: '…', pending: '…' }

// The role each tier is usually made of; the role is shown only when it is another one (an installer who
// subscribed, say), so "值班员 运营单位 · 运营单位" does not say the same thing twice.
const TIER_ROLE: Record<number, string> = { 0: 'owner', 1: 'operator', 2: 'inspector' }

function Attempts({ delivery, now }: { delivery: Delivery; now: number }) {
  const count = delivery.attempts.length
  if (count === 0) return <p class="muted delivery-attempts-none">{t('delivery.no_attempts')}</p>
  return (
    <details class="delivery-attempts" data-testid="delivery-attempts">
      <summary>{t('delivery.attempts', { count })}</summary>
      <ol>
        {delivery.attempts.map((a, i) => (
          <li key={i} data-testid="delivery-attempt" data-ok={String(a.ok)} data-status={a.status}>
            <span class={a.ok ? 'attempt-ok' : 'attempt-failed'}>{a.ok ? '✔' : '✘'}</span>{' '}
            {formatRecent(a.ts * 1000, now)} · {label('send_status', a.status)} ·{' '}
            {t('common.elapsed', { seconds: formatNumber(a.elapsed_s) })}
            {a.error && <span class="attempt-error">{a.error}</span>}
          </li>
        ))}
      </ol>
    </details>
  )
}

function DeliveryItem({ delivery: d, now }: { delivery: Delivery; now: number }) {
  return (
    <li
      class={`delivery-item state-${d.state}`}
      data-testid="delivery-item"
      data-delivery-id={String(d.id)}
      data-state={d.state}
      data-mode={d.mode}
      data-tier={String(d.tier)}
    >
      <div class="delivery-who">
        <strong data-testid="delivery-user">{d.user}</strong>
        {TIER_ROLE[d.tier] !== d.role && <span class="muted">{label('role', d.role)}</span>}
        <span class="chip" data-testid="delivery-tier">
          {label('tier', String(d.tier))}
        </span>
      </div>
      <div class="delivery-how">
        <span data-testid="delivery-service" data-channel={d.channel ?? ''}>
          {channelText(d)}
        </span>
        <span class="pill" data-testid="delivery-mode">
          {label('delivery_mode', d.mode)}
        </span>
      </div>
      <div class={`delivery-state delivery-state-${d.state}`} data-testid="delivery-state">
        {STATE_MARK[d.state] ?? ''} {deliveryStateText(d, undefined, now)}
      </div>
      <Attempts delivery={d} now={now} />
    </li>
  )
}

function Group({ group, now }: { group: DeliveryGroup; now: number }) {
  return (
    <section class="delivery-group" data-testid="delivery-group" data-transition={group.transition}>
      <h3>
        <span class={`delivery-transition transition-${group.transition}`}>
          {label('delivery_transition', group.transition)}
        </span>{' '}
        <span class={`badge badge-${group.level}`}>{label('status', group.level)}</span>{' '}
        <span class="muted">{formatDateTime(group.at * 1000)}</span>
      </h3>
      <ul class="delivery-items">
        {group.deliveries.map((d) => (
          <DeliveryItem key={d.id} delivery={d} now={now} />
        ))}
      </ul>
    </section>
  )
}

interface LogProps {
  alarmId: number
  /** Changes when the alarm does (acknowledged, escalated, cleared): new messages may have been made. */
  version: string
}

export function DeliveryLog({ alarmId, version }: LogProps) {
  const [load, reload] = useLoad(() => getDeliveries(alarmId), alarmId)
  useEffect(() => onRetry(reload), [])
  const firstVersion = useRef(version)
  useEffect(() => {
    if (version !== firstVersion.current) reload()
  }, [version])

  let body
  if (load.state === 'loading') body = <Loading />
  else if (load.state === 'failed') {
    body =
      load.error instanceof NetworkError ? (
        <p class="banner banner-offline" role="status" data-testid="delivery-offline">
          {t('alarm.deliveries_offline')}
        </p>
      ) : (
        <ErrorMessage text={describeError(load.error)} onRetry={reload} />
      )
  } else if (load.value.length === 0) {
    body = (
      <p class="muted" data-testid="delivery-empty">
        {t('alarm.deliveries_empty')}
      </p>
    )
  } else {
    const now = Date.now()
    body = groupDeliveries(load.value).map((g) => <Group key={g.key} group={g} now={now} />)
  }

  return (
    <section class="delivery-section" id="deliveries" data-testid="delivery-log">
      <div class="section-head">
        <h2>{t('alarm.deliveries')}</h2>
        <button type="button" class="link-button" data-testid="delivery-refresh" onClick={reload}>
          {t('alarm.deliveries_refresh')}
        </button>
      </div>
      <p class="muted delivery-hint">{t('alarm.deliveries_hint')}</p>
      {body}
    </section>
  )
}
