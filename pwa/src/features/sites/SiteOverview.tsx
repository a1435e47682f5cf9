// What an owner sees first on a site page: the status in a sentence, the capability line, every live value with
// its age (the last known one at once, then the stream's), and the last alarm with a link to it.
import { useEffect, useState } from 'preact/hooks'
import { formatRecent, label, t } from '../../platform/i18n'
import { alarmPath } from '../../shell/router'
import type { Alarm } from '../alarms/types'
import type { Channel, Device } from '../devices/types'
import { LiveIndicator } from '../live/LiveIndicator'
import type { SeriesStore } from '../live/series'
import type { LiveState } from '../live/stream'
import { useChannelSeries } from './DeviceCard'
import { channelName } from './naming'
import { alarmPlace, capabilityLine, isStale, lastAlarm, lastAlarmState, newest, readingAge, statusSentence, valueText } from './overview'
import { StatusBadge } from './StatusBadge'
import type { SiteDetail, SiteStatus } from './types'

/** Now in Unix seconds, moving every `everyMs` so ages ("3 分钟前") stay true on an open page. */
export function useNowS(everyMs = 20_000): number {
  const [now, setNow] = useState(() => Date.now() / 1000)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

interface SummaryProps {
  site: SiteDetail
  status: SiteStatus
  alarms: Alarm[]
  devices: Device[]
  live: LiveState | undefined
}

export function SiteSummary({ site, status, alarms, devices, live }: SummaryProps) {
  return (
    <section class={`card site-header site-summary level-${status}`} data-testid="site-summary">
      <div class="site-item-head">
        <h1 data-testid="site-name">{site.name}</h1>
        <StatusBadge status={status} />
      </div>
      <p class="status-sentence" data-testid="site-status-sentence">
        {statusSentence(status, alarms, devices)}
      </p>
      <div class="site-flags">
        {site.key_unit && (
          <span class="flag" data-testid="site-key-unit">
            {t('site.key_unit')}
          </span>
        )}
        {live && <LiveIndicator state={live} />}
      </div>
      {site.capabilities && <CapabilityLine site={site} />}
    </section>
  )
}

function CapabilityLine({ site }: { site: SiteDetail }) {
  const caps = site.capabilities
  if (!caps) return null
  const { items, verdict } = capabilityLine(caps, site.venue_type)
  return (
    <p class="capability-line" data-testid="site-capabilities" data-compliant={String(caps.compliant)}>
      {items.map((item) => (
        <span key={item.code} class={`capability ${item.present ? 'has' : 'lacks'}`} data-testid="capability"
          data-code={item.code} data-present={String(item.present)}>
          {item.name} {item.present ? '✔' : '✘'}
        </span>
      ))}
      <span class={caps.compliant ? 'verdict ok' : 'verdict bad'}>
        {items.length > 0 ? `— ${verdict}` : verdict}
      </span>
    </p>
  )
}

interface LiveRowProps {
  channel: Channel
  device: Device
  store: SeriesStore | undefined
  nowS: number
}

function LiveRow({ channel, device, store, nowS }: LiveRowProps) {
  const data = useChannelSeries(store, channel.id)
  const latest = newest(channel.latest, data?.latest)
  const stale = latest !== undefined && isStale(latest.ts, nowS, device.poll_interval_s)
  return (
    <li class={`live-value${stale ? ' stale' : ''}`} data-testid="live-value" data-channel-id={String(channel.id)}
      data-channel-key={channel.key} data-stale={String(stale)}>
      <span class="live-value-name">{channelName(channel, device)}</span>
      <span class="live-value-text" data-testid="live-value-text"
        data-value={latest === undefined ? '' : String(latest.value)}>
        {latest === undefined ? t('overview.no_value') : valueText(latest.value, channel.unit)}
      </span>
      {latest !== undefined && (
        <span class="live-value-age muted" data-testid="live-value-age" title={stale ? t('overview.stale') : undefined}>
          {readingAge(latest.ts, nowS)}
        </span>
      )}
    </li>
  )
}

/** Every enabled channel of the site's devices with its last known value, newest first from the stream. */
export function LiveValues({ devices, store }: { devices: Device[]; store: SeriesStore | undefined }) {
  const nowS = useNowS()
  const rows = devices.flatMap((d) => d.channels.filter((c) => c.settings.enabled).map((c) => ({ c, d })))
  return (
    <section class="card live-values" data-testid="live-values">
      <h2>{t('overview.live_title')}</h2>
      {rows.length === 0 ? (
        <p class="muted">{t('overview.live_empty')}</p>
      ) : (
        <ul class="live-value-list">
          {rows.map(({ c, d }) => (
            <LiveRow key={c.id} channel={c} device={d} store={store} nowS={nowS} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** The newest real alarm, active or not, in the site's words, with a link to its page. */
export function LastAlarm({ alarms, devices }: { alarms: Alarm[] | undefined; devices: Device[] }) {
  if (alarms === undefined) return null
  const last = lastAlarm(alarms)
  return (
    <section class="card last-alarm" data-testid="last-alarm" data-alarm-id={last ? String(last.id) : ''}>
      <h2>{t('overview.last_alarm')}</h2>
      {!last ? (
        <p class="muted">{t('overview.last_alarm_none')}</p>
      ) : (
        <a href={alarmPath(last.id)} class={`last-alarm-link level-${last.level}`} data-testid="last-alarm-link">
          <span class={`badge badge-${last.level}`}>{label('status', last.level)}</span>{' '}
          <strong>{alarmPlace(last, devices)}</strong>
          <span> · {label('cause', last.cause)}</span>
          <span class="muted">
            {' · '}
            {formatRecent(last.started_at * 1000)}
            {' · '}
            {t(lastAlarmState(last))}
          </span>
          <span class="last-alarm-open">{t('overview.alarm_open')} ›</span>
        </a>
      )}
    </section>
  )
}
