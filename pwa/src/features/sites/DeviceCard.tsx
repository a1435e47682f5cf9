// A device with its channels: each channel's live value coloured by its active alarms, its settings, and
// its chart of the last hours on demand; an open breaker stands out at the top (the circuit has no power).
import { useEffect, useRef, useState } from 'preact/hooks'
import { formatDateTime, formatNumber, label, t, type MessageKey } from '../../platform/i18n'
import { useSeen } from '../../ui/hooks'
import { channelAlarms, deviceAlarms, worstStatus } from '../alarms/model'
import type { Alarm } from '../alarms/types'
import { controlsOf } from '../devices/control'
import { DeviceControls } from '../devices/DeviceControls'
import { openDetail, switchOfControl, switchOfDevice, type DeviceSwitch } from '../devices/switch'
import type { Channel, ChannelSettings, ControlRecord, Device } from '../devices/types'
import type { ChannelSeries, SeriesStore } from '../live/series'
import { ChannelChart } from './ChannelChart'
import { ChannelLabelEdit } from './ChannelLabelEdit'
import { channelName } from './naming'
import { newest } from './overview'
import type { SiteStatus } from './types'

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

/** One channel's data in the store, re-rendering when it changes. */
export function useChannelSeries(store: SeriesStore | undefined, channelId: number): ChannelSeries | undefined {
  const [value, setValue] = useState(() => store?.get(channelId))
  useEffect(() => {
    if (!store) return
    setValue(store.get(channelId))
    return store.subscribe((id) => id === channelId && setValue(store.get(channelId)))
  }, [store, channelId])
  return value
}

function Settings({ channel, unit }: { channel: Channel; unit: string }) {
  const s = channel.settings
  return (
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
        <dd data-testid="channel-delay">{s.delay_s === undefined ? DASH : t('unit.seconds', { value: s.delay_s })}</dd>
      </div>
      {EXTRA_SETTINGS.filter((x) => s[x.key] !== undefined).map((x) => (
        <div key={x.key}>
          <dt>{t(x.message)}</dt>
          <dd>{withUnit(s[x.key] as number, x.key === 'hysteresis' ? unit : x.unit)}</dd>
        </div>
      ))}
    </dl>
  )
}

interface RowProps {
  channel: Channel
  device: Device
  alarms: Alarm[]
  store: SeriesStore | undefined
  /** Offer to name the channel (installers, operators); called once a name is saved. */
  onRenamed?: (() => void) | undefined
}

function ChannelRow({ channel, device, alarms, store, onRenamed }: RowProps) {
  const s = channel.settings
  const unit = label('unit', channel.unit)
  const row = useRef<HTMLLIElement>(null)
  const seen = useSeen(row)
  const data = useChannelSeries(store, channel.id)
  const state: SiteStatus = worstStatus(channelAlarms(alarms, channel))
  // A channel in alarm opens its chart by itself: that is what the person woken by the alarm wants to see.
  const [open, setOpen] = useState<boolean | undefined>(undefined)
  const chartOpen = open ?? (state === 'alarm' || state === 'prealarm')

  useEffect(() => {
    if (seen && s.enabled && store) void store.load(channel.id)
  }, [seen, s.enabled, store, channel.id])

  // The site's answer carries the last known value: shown at once, replaced by the stream's newer ones.
  const latest = newest(channel.latest, data?.latest)
  const name = channelName(channel, device)
  return (
    <li
      ref={row}
      class={`channel-row level-${state}${s.enabled ? '' : ' disabled'}`}
      data-testid="channel-row"
      data-channel-key={channel.key}
      data-channel-id={String(channel.id)}
      data-state={state}
    >
      <div class="channel-main">
        <div class="channel-name">
          <strong>{name}</strong>
          {unit && <span class="muted"> ({unit})</span>}
          <span class={s.enabled ? 'pill on' : 'pill off'} data-testid="channel-enabled" data-enabled={String(s.enabled)}>
            {s.enabled ? t('channel.on') : t('channel.off')}
          </span>
          {onRenamed && <ChannelLabelEdit channel={channel} onSaved={onRenamed} />}
        </div>
        <div
          class="channel-value"
          data-testid="channel-value"
          data-value={latest === undefined ? '' : String(latest.value)}
          title={latest === undefined ? undefined : t('channel.at', { time: formatDateTime(latest.ts * 1000) })}
          aria-label={t('channel.now')}
        >
          {latest === undefined ? DASH : formatNumber(latest.value)}
          {latest !== undefined && unit && <small> {unit}</small>}
        </div>
      </div>
      <Settings channel={channel} unit={unit} />
      {s.enabled && store && (
        <button
          type="button"
          class="link-button chart-toggle"
          data-testid="channel-chart-toggle"
          aria-expanded={chartOpen}
          onClick={() => setOpen(!chartOpen)}
        >
          {chartOpen ? t('channel.chart_hide') : t('channel.chart_show')}
        </button>
      )}
      {chartOpen && seen && data && <ChartArea data={data} name={name} unit={unit} rawUnit={channel.unit} settings={s} />}
    </li>
  )
}

interface ChartAreaProps {
  data: ChannelSeries
  name: string
  unit: string
  rawUnit: string
  settings: ChannelSettings
}

/** The chart of a channel's last hours, or why there is none (loading, failed, no readings). */
export function ChartArea({ data, name, unit, rawUnit, settings }: ChartAreaProps) {
  if (data.state === 'failed') return <p class="muted">{t('chart.failed')}</p>
  if (data.state !== 'ready' && data.series.ts.length === 0) return <p class="muted">{t('common.loading')}</p>
  if (data.series.ts.length === 0) return <p class="muted">{t('chart.empty')}</p>
  return (
    <figure class="chart-box">
      <figcaption class="muted">{t('chart.title')}</figcaption>
      <ChannelChart
        series={data.series}
        name={name}
        unit={unit}
        rawUnit={rawUnit}
        alarm={settings.alarm}
        prealarm={settings.prealarm}
      />
    </figure>
  )
}

interface CardProps {
  device: Device
  /** The site's alarm list (active and cleared); undefined before it is read. */
  alarms: Alarm[]
  store: SeriesStore | undefined
  /** The user may trip, close and self-test devices remotely (operators). */
  mayControl?: boolean
  /** A remote control changed the breaker: the page keeps it (and the site's status follows). */
  onSwitch?: (deviceId: number, state: DeviceSwitch) => void
  /** Installers and operators may name channels; called after a name is saved. */
  onRenamed?: (() => void) | undefined
}

const sameSwitch = (a: DeviceSwitch, b: DeviceSwitch) =>
  a.switch === b.switch && a.switch_at === b.switch_at && a.switch_by === b.switch_by

/** The breaker's last known state, replaced by what the device read back after a remote action. */
function useSwitch(device: Device, onSwitch: CardProps['onSwitch']): [DeviceSwitch, (record: ControlRecord) => void] {
  const known = switchOfDevice(device)
  const [readBack, setReadBack] = useState<{ from: DeviceSwitch; value: DeviceSwitch }>()
  // A fresh read of the site or a live event (a different `known`) is newer than the read-back it replaces.
  const shown = readBack && sameSwitch(readBack.from, known) ? readBack.value : known
  return [
    shown,
    (record) => {
      const next = switchOfControl(record, shown)
      if (next === shown) return
      setReadBack({ from: known, value: next })
      onSwitch?.(device.id, next)
    },
  ]
}

/** An open breaker: the circuit has no power, whatever the channels say; who opened it and since when. */
function PowerOff({ state }: { state: DeviceSwitch }) {
  const detail = openDetail(state)
  return (
    <div class="device-power-off" role="status" data-testid="device-switch" data-switch="open">
      <strong>{t('switch.open')}</strong>
      {detail && <span class="device-power-off-detail">{detail}</span>}
    </div>
  )
}

export function DeviceCard({ device, alarms, store, mayControl = false, onSwitch, onRenamed }: CardProps) {
  const whole = worstStatus(deviceAlarms(alarms, device.id))
  const [breaker, onControl] = useSwitch(device, onSwitch)
  const actions = mayControl ? controlsOf(device) : []
  const open = breaker.switch === 'open'
  return (
    <section
      id={`device-${device.id}`}
      class={`card device-card${open ? ' power-off' : ''}`}
      data-testid="device-card"
      data-device-id={String(device.id)}
      data-device-serial={device.serial}
    >
      <div class="device-head">
        <h3>{device.name}</h3>
        {whole !== 'normal' && (
          <span class={`badge badge-${whole}`} data-testid="device-alarm" data-status={whole}>
            {label('status', whole)}
          </span>
        )}
        <span class={`pill state-${device.state}`} data-testid="device-state" data-state={device.state}>
          {label('device_state', device.state)}
        </span>
      </div>
      {open && <PowerOff state={breaker} />}
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
        {breaker.switch === 'closed' && (
          <>
            <dt>{t('device.switch')}</dt>
            <dd>
              <span class="pill switch-closed" data-testid="device-switch" data-switch="closed">
                {label('switch', 'closed')}
              </span>
            </dd>
          </>
        )}
      </dl>
      {actions.length > 0 && <DeviceControls device={device} actions={actions} onResult={onControl} />}
      {device.channels.length === 0 ? (
        <p class="muted">{t('device.no_channels')}</p>
      ) : (
        <ul class="channels">
          {device.channels.map((c) => (
            <ChannelRow key={c.id} channel={c} device={device} alarms={alarms} store={store} onRenamed={onRenamed} />
          ))}
        </ul>
      )}
    </section>
  )
}
