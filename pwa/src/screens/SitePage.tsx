import { useEffect } from 'preact/hooks'
import { ApiError } from '../api'
import { describeError, ErrorMessage, Loading, OfflineBanner, StatusBadge } from '../components/bits'
import { forgetSite, readSite } from '../data'
import { useLoad } from '../hooks'
import { channelLabel, formatNumber, label, t, type MessageKey } from '../i18n'
import { onRetry } from '../online'
import type { Channel, ChannelSettings, Device, SiteDetail } from '../types'

const DASH = '—'

function withUnit(value: number | undefined | null, unit: string): string {
  if (value === undefined || value === null) return DASH
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value)
}

// Settings shown besides alarm / pre-alarm / delay / enabled when a channel has them.
const EXTRA_SETTINGS: { key: keyof ChannelSettings; message: MessageKey; unit: string }[] = [
  { key: 'hysteresis', message: 'channel.hysteresis', unit: '' },
  { key: 'rated_a', message: 'channel.rated_a', unit: 'A' },
  { key: 'ambient_c', message: 'channel.ambient_c', unit: '°C' },
]

function ChannelRow({ channel }: { channel: Channel }) {
  const s = channel.settings
  const unit = label('unit', channel.unit)
  return (
    <li class={s.enabled ? 'channel-row' : 'channel-row disabled'} data-testid="channel-row" data-channel-key={channel.key}>
      <div class="channel-name">
        <strong>{channelLabel(channel.key)}</strong>
        {unit && <span class="muted"> ({unit})</span>}
        <span class={s.enabled ? 'pill on' : 'pill off'} data-testid="channel-enabled" data-enabled={String(s.enabled)}>
          {s.enabled ? t('channel.on') : t('channel.off')}
        </span>
      </div>
      <dl class="settings">
        <div>
          <dt>{t('channel.prealarm')}</dt>
          <dd data-testid="channel-prealarm">{withUnit(s.prealarm, unit)}</dd>
        </div>
        <div>
          <dt>{t('channel.alarm')}</dt>
          <dd data-testid="channel-alarm">{withUnit(s.alarm, unit)}</dd>
        </div>
        <div>
          <dt>{t('channel.delay_s')}</dt>
          <dd data-testid="channel-delay">
            {s.delay_s === undefined ? DASH : t('unit.seconds', { value: s.delay_s })}
          </dd>
        </div>
        {EXTRA_SETTINGS.filter((x) => s[x.key] !== undefined).map((x) => (
          <div key={x.key}>
            <dt>{t(x.message)}</dt>
            <dd>{withUnit(s[x.key] as number, x.key === 'hysteresis' ? unit : x.unit)}</dd>
          </div>
        ))}
      </dl>
    </li>
  )
}

function DeviceCard({ device }: { device: Device }) {
  return (
    <section class="card device-card" data-testid="device-card" data-device-id={String(device.id)}>
      <div class="device-head">
        <h3>{device.name}</h3>
        <span class={`pill state-${device.state}`} data-testid="device-state" data-state={device.state}>
          {label('device_state', device.state)}
        </span>
      </div>
      <div class="muted">{label('device_kind', device.kind)}</div>
      <dl class="facts">
        <dt>{t('device.model')}</dt>
        <dd>{device.model}</dd>
        <dt>{t('device.serial')}</dt>
        <dd class="mono">{device.serial}</dd>
        <dt>{t('device.circuit')}</dt>
        <dd>{device.circuit || DASH}</dd>
        <dt>{t('device.rated_current')}</dt>
        <dd>{withUnit(device.rated_current_a, 'A')}</dd>
      </dl>
      {device.channels.length === 0 ? (
        <p class="muted">{t('device.no_channels')}</p>
      ) : (
        <ul class="channels">
          {device.channels.map((c) => (
            <ChannelRow key={c.id} channel={c} />
          ))}
        </ul>
      )}
    </section>
  )
}

function SiteHeader({ site }: { site: SiteDetail }) {
  return (
    <section class="card site-header">
      <div class="site-item-head">
        <h1 data-testid="site-name">{site.name}</h1>
        <StatusBadge status={site.status} />
      </div>
      {site.key_unit && (
        <span class="flag" data-testid="site-key-unit">
          {t('site.key_unit')}
        </span>
      )}
      <dl class="facts">
        <dt>{t('site.address')}</dt>
        <dd>{site.address}</dd>
        <dt>{t('site.region')}</dt>
        <dd>{site.region_name}</dd>
        <dt>{t('site.venue_type')}</dt>
        <dd data-testid="site-venue-type">{label('venue_type', site.venue_type)}</dd>
        <dt>{t('site.required')}</dt>
        <dd data-testid="site-required">
          {site.required_capabilities.length === 0
            ? t('common.none')
            : site.required_capabilities.map((c) => (
                <span key={c} class="chip">
                  {label('capability', c)}
                </span>
              ))}
        </dd>
      </dl>
    </section>
  )
}

/** One site with its devices and their channels (GET /api/v1/sites/{id}), from the saved copy offline. */
export function SitePage({ id }: { id: number }) {
  const [load, reload] = useLoad(() => readSite(id), id)
  useEffect(() => onRetry(reload), [])
  const notFound = load.state === 'failed' && load.error instanceof ApiError && load.error.status === 404
  useEffect(() => {
    if (notFound) void forgetSite(id)
  }, [notFound, id])
  useEffect(() => {
    const name = load.state === 'ready' ? load.value.data.name : t('sites.title')
    document.title = `${name} · ${t('app.name')}`
  })

  const back = (
    <a href="/" class="back">
      {t('common.back')}
    </a>
  )
  if (load.state === 'loading') return <main class="page">{back}<Loading /></main>
  if (load.state === 'failed') {
    return (
      <main class="page">
        {back}
        {notFound ? (
          <ErrorMessage text={t('site.not_found')} />
        ) : (
          <ErrorMessage text={describeError(load.error)} onRetry={reload} />
        )}
      </main>
    )
  }

  const { data: site, fetchedAt, offline } = load.value
  return (
    <main class="page">
      {back}
      {offline && <OfflineBanner fetchedAt={fetchedAt} onRetry={reload} />}
      <SiteHeader site={site} />
      <h2>
        {t('site.devices')} <span class="muted">({site.devices.length})</span>
      </h2>
      {site.devices.length === 0 && <p class="muted">{t('site.no_devices')}</p>}
      {site.devices.map((d) => (
        <DeviceCard key={d.id} device={d} />
      ))}
    </main>
  )
}
