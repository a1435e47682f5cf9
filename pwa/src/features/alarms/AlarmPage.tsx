// One alarm (/alarms/{id}): the page every WeChat, SMS and e-mail message links to (story 1, 3 a.m.). What it
// means in plain words and what to do now, the value against its limit, who has been told, acknowledge, the
// channel's last hours, and the delivery log. While open, the site's live stream keeps the alarm current.
import { useEffect, useState } from 'preact/hooks'
import { NoCachedData } from '../../platform/cached-read'
import { ApiError } from '../../platform/http'
import { channelLabel, formatDateTime, formatNumber, formatQuantity, label, t, type MessageKey } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { getSession } from '../../platform/session'
import { describeError, ErrorMessage, Loading, OfflineBanner } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import type { Channel } from '../devices/types'
import { LiveIndicator } from '../live/LiveIndicator'
import type { SeriesStore } from '../live/series'
import type { LiveState } from '../live/stream'
import { useSiteLive } from '../live/use-site-live'
import { OwnerActions } from '../console/OwnerActions'
import { getNotifyPolicy } from '../notify/api'
import { DeliveryLog } from '../notify/DeliveryLog'
import type { NotifyPolicy } from '../notify/types'
import { readSite } from '../sites/data'
import { ChartArea, useChannelSeries } from '../sites/DeviceCard'
import type { SiteDetail } from '../sites/types'
import { AckControl, AlarmAdvice, AlarmEnded, canAcknowledge, place, TestBadge } from './AlarmList'
import { ackAlarm } from './api'
import { causeText } from './causes'
import { endedLabel, isTripped } from './clearing'
import { readAlarm } from './data'
import { escalationText, nextEscalationText, tierOf } from './escalation'
import { isActive, isTest, mergeAlarm } from './model'
import type { Alarm } from './types'

const THRESHOLD_NAME: Partial<Record<string, MessageKey>> = { alarm: 'channel.alarm', prealarm: 'channel.prealarm' }

function channelOf(site: SiteDetail | undefined, channelId: number | null): Channel | undefined {
  if (!site || channelId === null) return undefined
  for (const device of site.devices) for (const c of device.channels) if (c.id === channelId) return c
  return undefined
}

/** The channel's live value and its chart of the last hours, from the site's live stream. */
function ChannelNow({ channel, store }: { channel: Channel; store: SeriesStore | undefined }) {
  const data = useChannelSeries(store, channel.id)
  useEffect(() => {
    if (store) void store.load(channel.id)
  }, [store, channel.id])
  if (!data) return null
  const unit = label('unit', channel.unit)
  const latest = data.latest
  return (
    <section class="card alarm-chart">
      <div class="channel-main">
        <strong>{channelLabel(channel.key)}</strong>
        <div class="channel-value" data-testid="alarm-now" data-value={latest === undefined ? '' : String(latest.value)}>
          <span class="muted channel-now-label">{t('channel.now')} </span>
          {latest === undefined ? '—' : formatNumber(latest.value)}
          {latest !== undefined && unit && <small> {unit}</small>}
        </div>
      </div>
      <ChartArea data={data} name={channelLabel(channel.key)} unit={unit} rawUnit={channel.unit} settings={channel.settings} />
    </section>
  )
}

interface DetailProps {
  alarm: Alarm
  site: SiteDetail | undefined
  policy: NotifyPolicy | undefined
  live: LiveState | undefined
  onAcknowledge: (alarmId: number, note: string) => Promise<void>
}

function AlarmDetail({ alarm, site, policy, live, onAcknowledge }: DetailProps) {
  const active = isActive(alarm)
  const channel = channelOf(site, alarm.channel_id)
  const next = nextEscalationText(alarm, policy)
  const mayAck = canAcknowledge(getSession()?.user.role)
  return (
    <section
      class={`card alarm-detail level-${alarm.level}${active ? '' : ' cleared'}${isTripped(alarm) ? ' tripped' : ''}${isTest(alarm) ? ' test' : ''}`}
      data-testid="alarm-detail"
      data-alarm-id={String(alarm.id)}
      data-level={alarm.level}
      data-active={String(active)}
    >
      <div class="alarm-head">
        <span class={`badge badge-${alarm.level}`} data-testid="alarm-level">
          {label('status', alarm.level)}
        </span>
        <TestBadge alarm={alarm} />
        {active ? (
          <span class="alarm-active">{t('alarms.active')}</span>
        ) : (
          <span class="muted">
            <AlarmEnded alarm={alarm} />
          </span>
        )}
        {live && <LiveIndicator state={live} />}
      </div>
      <h1 class="alarm-site">
        <a href={`/sites/${alarm.site_id}`} data-testid="alarm-site">
          {site?.name ?? t('subs.site_number', { id: String(alarm.site_id) })}
        </a>
      </h1>
      <p class="alarm-place" data-testid="alarm-place">
        {place(alarm, channel)}
        {alarm.channel && <span class="muted"> · {alarm.device_name}</span>}
      </p>
      <p class="alarm-cause alarm-cause-big" data-testid="alarm-cause">
        {causeText(alarm, channel?.settings)}
      </p>
      <AlarmAdvice alarm={alarm} testid="alarm-advice" />
      <dl class="facts">
        {alarm.peak !== null && (
          <>
            <dt>{t('alarm.peak')}</dt>
            <dd data-testid="alarm-peak">{formatQuantity(alarm.peak, alarm.unit)}</dd>
          </>
        )}
        {alarm.threshold !== null && (
          <>
            <dt>{t(THRESHOLD_NAME[alarm.level] ?? 'alarm.threshold')}</dt>
            <dd data-testid="alarm-threshold">{formatQuantity(alarm.threshold, alarm.unit)}</dd>
          </>
        )}
        <dt>{t('alarm.started')}</dt>
        <dd data-testid="alarm-started">{formatDateTime(alarm.started_at * 1000)}</dd>
        {alarm.cleared_at !== null && (
          <>
            <dt>{t(endedLabel(alarm))}</dt>
            <dd data-testid="alarm-cleared">{formatDateTime(alarm.cleared_at * 1000)}</dd>
          </>
        )}
        <dt>{t('alarm.escalation')}</dt>
        <dd data-testid="alarm-escalation" data-tier={String(tierOf(alarm))}>
          {escalationText(alarm)}
          {next && <span class="muted escalation-next">{next}</span>}
        </dd>
      </dl>
      {alarm.acknowledged_at !== null ? (
        <p class="alarm-acked" data-testid="alarm-acked">
          ✓{' '}
          {t('alarms.acked', { name: alarm.acknowledged_by ?? '—', time: formatDateTime(alarm.acknowledged_at * 1000) })}
          {alarm.ack_note && <span class="ack-note">{t('alarms.ack_note_shown', { note: alarm.ack_note })}</span>}
        </p>
      ) : (
        <>
          <p class="muted" data-testid="alarm-not-acked">
            {t('alarm.not_acked')}
          </p>
          {active && mayAck && <AckControl alarm={alarm} onAcknowledge={onAcknowledge} />}
        </>
      )}
    </section>
  )
}

export function AlarmPage({ id }: { id: number }) {
  const [load, reload] = useLoad(() => readAlarm(id), id)
  useEffect(() => onRetry(reload), [])
  const fetched = load.state === 'ready' ? load.value.data : undefined
  const siteId = fetched?.site_id ?? 0
  // The site for its name, the device's circuit and the channel's settings; the saved copy when offline.
  const [siteLoad] = useLoad(async () => (siteId ? readSite(siteId) : undefined), siteId)
  const site = siteLoad.state === 'ready' ? siteLoad.value?.data : undefined
  // Only to say when the next people will be told; a server without it, or a refusal, leaves that out.
  const [policyLoad] = useLoad(async () => (siteId ? getNotifyPolicy(siteId).catch(() => undefined) : undefined), siteId)
  const policy = policyLoad.state === 'ready' ? policyLoad.value : undefined
  const [live, view] = useSiteLive(siteId, site)
  const [acked, setAcked] = useState<Alarm>()

  useEffect(() => {
    document.title = `${t('alarm.title')} · ${t('app.name')}`
  })

  // The freshest version of the alarm: the read, the live list's copy, our own acknowledgement.
  const fromList = view?.alarms?.find((a) => a.id === id)
  let alarm = fetched
  for (const newer of [fromList, acked]) if (alarm && newer && newer.id === alarm.id) alarm = mergeAlarm(alarm, newer)
  const version = alarm
    ? `${alarm.level}|${alarm.cleared_at}|${alarm.acknowledged_at}|${alarm.escalated_tier ?? 0}`
    : ''

  const back = (
    <a href={fetched ? `/sites/${fetched.site_id}` : '/'} class="back" data-testid="alarm-back">
      {fetched ? t('alarm.back_site') : t('common.back')}
    </a>
  )
  if (load.state === 'loading') return <main class="page">{back}<Loading /></main>
  if (load.state === 'failed' || !alarm) {
    const error = load.state === 'failed' ? load.error : undefined
    const missing = error instanceof ApiError && error.status === 404
    const text = missing ? t('alarm.not_found') : error instanceof NoCachedData ? t('alarm.no_cache') : describeError(error)
    return (
      <main class="page">
        {back}
        <ErrorMessage text={text} onRetry={missing ? undefined : reload} />
      </main>
    )
  }

  const { fetchedAt, offline } = load.value
  const channel = channelOf(site, alarm.channel_id)
  async function acknowledge(alarmId: number, note: string) {
    setAcked(await ackAlarm(alarmId, note.trim() || undefined))
  }
  return (
    <main class="page alarm-page">
      {back}
      {offline && <OfflineBanner fetchedAt={fetchedAt} onRetry={reload} />}
      <AlarmDetail
        alarm={alarm}
        site={site}
        policy={policy}
        live={offline ? undefined : view?.state}
        onAcknowledge={acknowledge}
      />
      {!offline && <OwnerActions alarm={alarm} role={getSession()?.user.role} version={version} />}
      {channel && channel.settings.enabled && live && <ChannelNow channel={channel} store={live.series} />}
      <DeliveryLog alarmId={alarm.id} version={version} />
    </main>
  )
}
