// Scan for Bluetooth devices near the site's radio and pick one to commission.
import { useState } from 'preact/hooks'
import { label, t } from '../../platform/i18n'
import { scanBle, startCommissioning } from './api'
import { isSelectable, signalBars, sortByRssi } from './commission'
import { requestFailureText } from './failures'
import type { BleDevice, Commissioning } from './types'

/** How long the server listens. Devices advertise about once a second; four seconds catches them all. */
export const SCAN_SECONDS = 4

export function SignalBars({ rssi }: { rssi: number }) {
  const bars = signalBars(rssi)
  return (
    <span class="signal" data-testid="ble-signal" data-bars={String(bars)} title={t('commission.signal', { bars })}>
      <span class="signal-bars" role="img" aria-label={t('commission.signal', { bars })}>
        {[1, 2, 3, 4].map((n) => (
          <i key={n} class={n <= bars ? 'on' : ''} style={{ height: `${n * 25}%` }} />
        ))}
      </span>
      <span class="mono">{rssi} dBm</span>
    </span>
  )
}

interface ResultProps {
  device: BleDevice
  busy: boolean
  starting: boolean
  onCommission: (device: BleDevice) => void
}

function ScanResult({ device, busy, starting, onCommission }: ResultProps) {
  const selectable = isSelectable(device)
  return (
    <li
      class={`card ble-result${selectable ? '' : ' disabled'}`}
      data-testid="ble-result"
      data-address={device.address}
      data-known={device.known ?? ''}
      data-rssi={String(device.rssi)}
    >
      <div class="ble-result-head">
        <strong>{device.name || device.address}</strong>
        <SignalBars rssi={device.rssi} />
      </div>
      <div class="muted">
        {device.model_name ?? device.model ?? t('commission.unknown_model')}
        {device.kind && ` · ${label('device_kind', device.kind)}`}
      </div>
      <div class="mono muted">{device.address}</div>
      {device.known && (
        <span class={`flag known-${device.known}`} data-testid="ble-known">
          {t(device.known === 'here' ? 'commission.known_here' : 'commission.known_elsewhere')}
        </span>
      )}
      {selectable && (
        <button
          type="button"
          class="ack-button ble-commission"
          data-testid="ble-commission"
          disabled={busy}
          onClick={() => onCommission(device)}
        >
          {starting ? t('commission.starting') : t('commission.commission')}
        </button>
      )}
    </li>
  )
}

interface ScanProps {
  siteId: number
  /** A commissioning was started for the chosen device. */
  onStarted: (commissioning: Commissioning) => void
}

export function BleScan({ siteId, onStarted }: ScanProps) {
  const [scanning, setScanning] = useState(false)
  const [devices, setDevices] = useState<BleDevice[]>()
  const [starting, setStarting] = useState<string>()
  const [error, setError] = useState('')

  async function scan() {
    setScanning(true)
    setError('')
    try {
      setDevices(sortByRssi(await scanBle(siteId, SCAN_SECONDS)))
    } catch (e) {
      setError(requestFailureText(e))
    } finally {
      setScanning(false)
    }
  }

  async function commission(device: BleDevice) {
    setStarting(device.address)
    setError('')
    try {
      onStarted(await startCommissioning(siteId, device.address))
    } catch (e) {
      setError(requestFailureText(e))
      setStarting(undefined)
    }
  }

  return (
    <section class="ble-scan">
      <p class="muted">{t('commission.scan_hint')}</p>
      <button
        type="button"
        class="primary"
        data-testid="ble-scan"
        disabled={scanning || starting !== undefined}
        onClick={() => void scan()}
      >
        {devices ? t('commission.scan_again') : t('commission.scan')}
      </button>
      {scanning && (
        <div class="scan-progress" role="status" aria-busy="true" data-testid="ble-scan-progress">
          <span>{t('commission.scanning')}</span>
          <span class="progress-bar">
            <span style={{ animationDuration: `${SCAN_SECONDS}s` }} />
          </span>
        </div>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="ble-error">
          {error}
        </p>
      )}
      {devices && !scanning && (
        <>
          <p class="muted" data-testid="ble-count">
            {devices.length === 0 ? t('commission.scan_empty') : t('commission.found', { count: devices.length })}
          </p>
          <ul class="ble-results">
            {devices.map((d) => (
              <ScanResult
                key={d.address}
                device={d}
                busy={starting !== undefined}
                starting={starting === d.address}
                onCommission={(device) => void commission(device)}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
