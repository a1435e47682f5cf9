// The console's "城市消防远程监控联网": andian towards the city fire remote-monitoring platform — connected or not,
// queued frames, counters, the platform's clock, and its 查岗 with a big "在岗应答" button and the deadline counting
// down. Read every 10 s while on screen; one muted line when no platform is configured.
import { useEffect, useState } from 'preact/hooks'
import { formatNumber, formatRecent, t, type MessageKey } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { answerDutyCheck, getUplink } from './api'
import type { DutyCheck, Uplink } from './types'
import { answerErrorText, countdown, dutyState, offsetText, secondsLeft, sortDutyChecks, UPLINK_REFRESH_MS, URGENT_S } from './uplink'
import { useVisiblePoll } from './use-poll'
import { groupAddress } from './words'
import './gateways.css'

function DutyCheckItem({ check, nowS, onAnswered }: { check: DutyCheck; nowS: number; onAnswered: () => Promise<void> }) {
  const [sending, setSending] = useState(false)
  const [error, setError] = useState('')
  const state = dutyState(check, nowS)
  const left = secondsLeft(check, nowS)

  async function answer() {
    setSending(true)
    setError('')
    try {
      await answerDutyCheck(check.id)
    } catch (e) {
      setError(answerErrorText(e, describeError))
    } finally {
      setSending(false)
      await onAnswered()
    }
  }

  return (
    <li class={`duty-check state-${state}`} data-testid="duty-check" data-duty-id={String(check.id)} data-state={state}>
      <span class="muted">{t('uplink.duty_received', { time: formatRecent(check.received_at * 1000), minutes: check.timeout_min })}</span>
      {state === 'pending' && (
        <>
          <span class={`duty-countdown${left < URGENT_S ? ' urgent' : ''}`} role="timer" data-testid="duty-countdown" data-seconds={String(left)}>
            {t('uplink.left', { time: countdown(left) })}
          </span>
          <button type="button" class="ack-button duty-answer" disabled={sending} onClick={() => void answer()} data-testid="duty-answer">
            {sending ? t('uplink.answering') : t('uplink.answer')}
          </button>
        </>
      )}
      {state === 'expired' && <strong class="duty-expired" data-testid="duty-expired">{t('uplink.expired')}</strong>}
      {state === 'answered' && (
        <span data-testid="duty-answered">
          {t('uplink.answered', { name: check.answered_by_name ?? '—', time: check.answered_at === null ? '—' : formatRecent(check.answered_at * 1000) })}
        </span>
      )}
      {error && <p class="form-error" role="alert" data-testid="duty-error">{error}</p>}
    </li>
  )
}

const COUNTERS: [keyof Uplink['counters'], MessageKey][] = [
  ['sent', 'uplink.counter.sent'],
  ['confirmed', 'uplink.counter.confirmed'],
  ['resent', 'uplink.counter.resent'],
  ['denied', 'uplink.counter.denied'],
]

function Facts({ uplink }: { uplink: Uplink }) {
  const { clock } = uplink
  return (
    <dl class="facts">
      <dt>{t('uplink.centre')}</dt>
      <dd class="mono" data-testid="uplink-centre">{uplink.centre ?? '—'}</dd>
      <dt>{t('uplink.address')}</dt>
      <dd class="mono" data-testid="uplink-address">{uplink.address ? groupAddress(uplink.address) : '—'}</dd>
      <dt>{t('uplink.queued')}</dt>
      <dd data-testid="uplink-queued" data-alarms={String(uplink.queued.alarms)} data-analogue={String(uplink.queued.analogue)}>
        {t('uplink.queued_value', { alarms: uplink.queued.alarms, analogue: uplink.queued.analogue })}
      </dd>
      <dt>{t('uplink.counters')}</dt>
      <dd data-testid="uplink-counters">
        {COUNTERS.map(([key, name], i) => (
          <span key={key} data-testid={`uplink-counter-${key}`} data-value={String(uplink.counters[key])}>
            {i > 0 && ' · '}
            {t(name)} {formatNumber(uplink.counters[key])}
          </span>
        ))}
      </dd>
      <dt>{t('uplink.last_confirm')}</dt>
      <dd data-testid="uplink-last-confirm">{uplink.last_confirm_at === null ? '—' : formatRecent(uplink.last_confirm_at * 1000)}</dd>
      <dt>{t('uplink.clock')}</dt>
      <dd data-testid="uplink-clock" data-offset={clock ? String(clock.offset_s) : ''}>
        {clock ? `${offsetText(clock.offset_s)} · ${t('uplink.clock_at', { time: formatRecent(clock.at * 1000) })}` : t('uplink.clock_none')}
      </dd>
    </dl>
  )
}

export function UplinkPanel() {
  const [uplink, setUplink] = useState<Uplink>()
  const [error, setError] = useState('')
  const [nowS, setNowS] = useState(Date.now() / 1000)
  const read = async () => {
    try {
      setUplink(await getUplink())
      setError('')
    } catch (e) {
      setError(describeError(e))
    }
  }
  useVisiblePoll(read, UPLINK_REFRESH_MS, 'uplink')
  useEffect(() => {
    const timer = setInterval(() => setNowS(Date.now() / 1000), 1000)
    return () => clearInterval(timer)
  }, [])

  if (!uplink) return error ? <p class="muted" data-testid="uplink-error">{t('uplink.failed', { error })}</p> : null
  if (!uplink.configured) return <p class="muted" data-testid="uplink-off">{t('uplink.not_configured')}</p>
  const checks = sortDutyChecks(uplink.duty_checks, nowS)
  return (
    <section class="card uplink-panel" data-testid="uplink-panel" data-connected={String(uplink.connected)}>
      <div class="section-head">
        <h2>{t('uplink.title')}</h2>
        <span class={`pill ${uplink.connected ? 'on' : 'off'}`} data-testid="uplink-state">
          {uplink.connected ? t('uplink.connected') : t('uplink.disconnected')}
          {uplink.connected && uplink.connected_at !== null && ` · ${t('uplink.since', { time: formatRecent(uplink.connected_at * 1000) })}`}
        </span>
      </div>
      {error && <p class="muted form-error" role="status" data-testid="uplink-error">{t('uplink.failed', { error })}</p>}
      {checks.length > 0 && (
        <ul class="plain-list" data-testid="duty-checks" aria-label={t('uplink.duty')}>
          {checks.map((c) => <DutyCheckItem key={c.id} check={c} nowS={nowS} onAnswered={read} />)}
        </ul>
      )}
      <Facts uplink={uplink} />
    </section>
  )
}
