// The site's alarms: the banner across the top while any is active, and the list with acknowledge.
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { formatDateTime, label, t } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import { alarmPath } from '../../shell/router'
import type { Channel } from '../devices/types'
import { channelName } from '../sites/naming'
import { causeAdvice, causeText } from './causes'
import { endedText, isTripped, needsAdvice } from './clearing'
import { escalationFlag, tierOf } from './escalation'
import { isActive, isTest, type Banner } from './model'
import type { Alarm } from './types'

/** Roles the server lets acknowledge; others would get 403, so they are not offered the button. */
const ACK_ROLES: ReadonlySet<Role> = new Set(['owner', 'operator', 'installer', 'admin'])

export function canAcknowledge(role: Role | undefined): boolean {
  return role !== undefined && ACK_ROLES.has(role)
}

/**
 * Where an alarm is, in words a shop owner knows: the channel's own label, else "插座回路 · 剩余电流" (the circuit, or
 * without one the device's name, with the quantity); the device alone for a device-level alarm.
 */
export function place(alarm: Alarm, channel?: Pick<Channel, 'label'>): string {
  if (!alarm.channel) return alarm.device_name
  return channelName({ key: alarm.channel, label: channel?.label }, { circuit: alarm.circuit, name: alarm.device_name })
}

type ChannelsById = ReadonlyMap<number, Channel>

/** 自检: the alarm was raised while the device tested itself (site page list and the alarm page). */
export function TestBadge({ alarm }: { alarm: Alarm }) {
  if (!isTest(alarm)) return null
  return (
    <span class="badge badge-test" title={t('alarms.test_hint')} data-testid="alarm-test-badge">
      {t('alarms.test')}
    </span>
  )
}

/** How a cleared alarm ended: 已于 … 恢复, or 已跳闸断电 with who and when (`alarm-cleared-reason`). */
export function AlarmEnded({ alarm }: { alarm: Alarm }) {
  const text = endedText(alarm)
  if (text === null) return null
  if (!isTripped(alarm)) return <span>{text}</span>
  return (
    <span class="alarm-tripped" data-testid="alarm-cleared-reason" data-reason="trip">
      {text}
    </span>
  )
}

/** What to do now, while it applies; after a trip, first that the cause is still there. */
export function AlarmAdvice({ alarm, testid }: { alarm: Alarm; testid?: string }) {
  if (!needsAdvice(alarm)) return null
  return (
    <>
      {isTripped(alarm) && <p class="trip-not-fixed">{t('alarms.trip_not_fixed')}</p>}
      <p class="alarm-advice" data-testid={testid}>
        <strong>{t('alarms.advice')}</strong>
        {causeAdvice(alarm)}
      </p>
    </>
  )
}

function settingsOf(alarm: Alarm, channels: ChannelsById) {
  return alarm.channel_id === null ? undefined : channels.get(alarm.channel_id)?.settings
}

export function AlarmBanner({ banner, channels, onShow }: { banner: Banner; channels: ChannelsById; onShow: () => void }) {
  const [first, ...more] = banner.alarms
  if (!first) return null
  return (
    <div
      class={`alarm-banner alarm-banner-${banner.level}`}
      role={banner.level === 'alarm' ? 'alert' : 'status'}
      data-testid="alarm-banner"
      data-level={banner.level}
    >
      <strong class="alarm-banner-title">
        {banner.level === 'alarm' ? '⚠ ' : ''}
        {t(banner.level === 'alarm' ? 'banner.alarm' : 'banner.prealarm')} · {place(first, first.channel_id === null ? undefined : channels.get(first.channel_id))}
      </strong>
      <p>{causeText(first, settingsOf(first, channels))}</p>
      <div class="alarm-banner-foot">
        {more.length > 0 && <span>{t('banner.more', { count: more.length })}</span>}
        <button type="button" class="link-button" onClick={onShow}>
          {t('banner.view')}
        </button>
      </div>
    </div>
  )
}

interface AckProps {
  alarm: Alarm
  onAcknowledge: (alarmId: number, note: string) => Promise<void>
}

/** The acknowledge button, then the question with an optional note (the site page's list and the alarm page). */
export function AckControl({ alarm, onAcknowledge }: AckProps) {
  const [asking, setAsking] = useState(false)
  const [note, setNote] = useState('')
  const [sending, setSending] = useState(false)
  const [error, setError] = useState('')

  async function submit(event: Event) {
    event.preventDefault()
    setSending(true)
    setError('')
    try {
      await onAcknowledge(alarm.id, note)
      setAsking(false)
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) setError(t('alarms.ack_forbidden'))
      else if (e instanceof NetworkError) setError(t('alarms.ack_offline'))
      else setError(e instanceof ApiError ? e.detail : String(e))
    } finally {
      setSending(false)
    }
  }

  if (!asking) {
    return (
      <button type="button" class="ack-button" data-testid="alarm-ack" onClick={() => setAsking(true)}>
        {t('alarms.ack')}
      </button>
    )
  }
  return (
    <form class="ack-form" data-testid="alarm-ack-form" onSubmit={submit}>
      <p>{t('alarms.ack_question')}</p>
      <label>
        <span>{t('alarms.ack_note')}</span>
        <textarea
          rows={2}
          maxLength={500}
          value={note}
          placeholder={t('alarms.ack_note_hint')}
          onInput={(e) => setNote(e.currentTarget.value)}
          data-testid="alarm-ack-note"
        />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="alarm-ack-error">
          {error}
        </p>
      )}
      <div class="ack-actions">
        <button type="submit" class="ack-button" disabled={sending} data-testid="alarm-ack-confirm">
          {sending ? t('alarms.ack_sending') : t('alarms.ack_submit')}
        </button>
        <button type="button" class="link-button" disabled={sending} onClick={() => setAsking(false)}>
          {t('alarms.ack_cancel')}
        </button>
      </div>
    </form>
  )
}

interface ItemProps extends AckProps {
  channels: ChannelsById
  mayAck: boolean
}

function AlarmItem({ alarm, channels, mayAck, onAcknowledge }: ItemProps) {
  const active = isActive(alarm)
  const flag = escalationFlag(alarm)
  return (
    <li
      class={`alarm-item level-${alarm.level}${active ? '' : ' cleared'}${isTripped(alarm) ? ' tripped' : ''}${isTest(alarm) ? ' test' : ''}`}
      data-testid="alarm-item"
      data-alarm-id={String(alarm.id)}
      data-level={alarm.level}
      data-cause={alarm.cause}
      data-active={String(active)}
    >
      <div class="alarm-head">
        <span class={`badge badge-${alarm.level}`}>{label('status', alarm.level)}</span>
        <TestBadge alarm={alarm} />
        <a href={alarmPath(alarm.id)} class="alarm-link" data-testid="alarm-link">
          <strong>{place(alarm, alarm.channel_id === null ? undefined : channels.get(alarm.channel_id))}</strong>
        </a>
        {flag && (
          <span class="flag escalation-flag" data-testid="alarm-escalation" data-tier={String(tierOf(alarm))}>
            {flag}
          </span>
        )}
      </div>
      <p class="alarm-cause" data-testid="alarm-cause">
        {causeText(alarm, settingsOf(alarm, channels))}
      </p>
      <AlarmAdvice alarm={alarm} />
      <p class="alarm-times muted">
        {t('alarms.started', { time: formatDateTime(alarm.started_at * 1000) })}
        {' · '}
        {active ? <span class="alarm-active">{t('alarms.active')}</span> : <AlarmEnded alarm={alarm} />}
      </p>
      {alarm.acknowledged_at !== null ? (
        <p class="alarm-acked" data-testid="alarm-acked">
          ✓{' '}
          {t('alarms.acked', {
            name: alarm.acknowledged_by ?? '—',
            time: formatDateTime(alarm.acknowledged_at * 1000),
          })}
          {alarm.ack_note && <span class="ack-note">{t('alarms.ack_note_shown', { note: alarm.ack_note })}</span>}
        </p>
      ) : (
        active && mayAck && <AckControl alarm={alarm} onAcknowledge={onAcknowledge} />
      )}
      <a href={alarmPath(alarm.id)} class="alarm-details-link" data-testid="alarm-details">
        {t('alarms.details')} ›
      </a>
    </li>
  )
}

interface ListProps {
  alarms: Alarm[]
  channels: ChannelsById
  mayAck: boolean
  onAcknowledge: (alarmId: number, note: string) => Promise<void>
}

export function AlarmList({ alarms, channels, mayAck, onAcknowledge }: ListProps) {
  const active = alarms.filter(isActive)
  const cleared = alarms.filter((a) => !isActive(a))
  const item = (a: Alarm) => (
    <AlarmItem key={a.id} alarm={a} channels={channels} mayAck={mayAck} onAcknowledge={onAcknowledge} />
  )
  return (
    <section class="alarm-section" id="alarms" data-testid="alarm-list">
      <h2>
        {t('alarms.title')}{' '}
        {active.length > 0 && <span class="muted">({t('alarms.active_count', { count: active.length })})</span>}
      </h2>
      {alarms.length === 0 && <p class="muted">{t('alarms.empty')}</p>}
      {active.length > 0 && <ul class="alarm-items">{active.map(item)}</ul>}
      {cleared.length > 0 && (
        <details class="cleared-alarms" open={active.length === 0}>
          <summary>{t('alarms.recent', { count: cleared.length })}</summary>
          <ul class="alarm-items">{cleared.map(item)}</ul>
        </details>
      )}
    </section>
  )
}
