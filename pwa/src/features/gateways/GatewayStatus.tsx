// A transmission device's connection, its last frame (in words and bytes) and its counters.
import { formatDateTime, formatNumber, formatRecent, t, type MessageKey } from '../../platform/i18n'
import type { Gb26875Status, ReceiveCounters } from './types'
import { frameWords, groupHex } from './words'

function Connection({ status }: { status: Gb26875Status }) {
  let text: string
  if (status.connected) {
    const time = status.connected_at === null ? '—' : formatRecent(status.connected_at * 1000)
    text = t('gb.online_since', { time, peer: status.peer ?? '—' })
  } else {
    text = status.last_frame_at === null ? t('gb.never') : t('gb.offline_since', { time: formatRecent(status.last_frame_at * 1000) })
  }
  return (
    <p class="gb-state" data-testid="gateway-connection" data-connected={String(status.connected)}>
      <span class={`badge ${status.connected ? 'badge-online' : 'badge-offline'}`}>{status.connected ? t('gb.online') : t('gb.offline')}</span>
      <span class="muted" data-testid="gateway-connection-text">{text}</span>
    </p>
  )
}

function LastFrame({ status }: { status: Gb26875Status }) {
  const frame = status.last_frame
  if (!frame) return null
  return (
    <div data-testid="gateway-last-frame" data-command={String(frame.command)} data-type={frame.type === null ? '' : String(frame.type)}>
      <strong>{t('gb.last_frame')}</strong>{' '}
      {status.last_frame_at !== null && <span class="muted">{formatDateTime(status.last_frame_at * 1000)} · </span>}
      <span data-testid="gateway-last-frame-words">{frameWords(frame)}</span>{' '}
      <span class="muted">{t('gb.serial', { serial: String(frame.serial) })}</span>
      <code class="mono gb-hex" data-testid="gateway-last-frame-hex">{groupHex(frame.hex)}</code>
    </div>
  )
}

const COUNTERS: [keyof ReceiveCounters, MessageKey][] = [
  ['frames', 'gb.counter.frames'],
  ['confirms', 'gb.counter.confirms'],
  ['denials', 'gb.counter.denials'],
  ['rejected', 'gb.counter.rejected'],
  ['events', 'gb.counter.events'],
  ['takeovers', 'gb.counter.takeovers'],
]

function Counters({ counters }: { counters: ReceiveCounters }) {
  return (
    <dl class="gb-counters" data-testid="gateway-counters" aria-label={t('gb.counters')}>
      {COUNTERS.map(([key, name]) => (
        <div key={key} data-testid={`gateway-counter-${key}`} data-value={String(counters[key] ?? 0)}>
          <dt>{t(name)}</dt>
          <dd>{formatNumber(counters[key] ?? 0)}</dd>
        </div>
      ))}
    </dl>
  )
}

export function GatewayStatus({ status }: { status: Gb26875Status }) {
  return (
    <section class="card">
      <Connection status={status} />
      <LastFrame status={status} />
      <Counters counters={status.counters} />
    </section>
  )
}
