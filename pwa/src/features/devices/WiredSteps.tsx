// The steps of a wired device after registration, as the Bluetooth wizard's cards: live values read through the
// site box (values with their channel names, sensor faults in words), then the device's own alarm levels where its
// model keeps them (DeviceLevels). Identification is the registration itself (name and circuit); the acceptance is
// the Bluetooth flow's signed checklist on a commissioning record of the device (WiredAccept).
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { formatTime, label, t } from '../../platform/i18n'
import { Working } from '../../ui/feedback'
import { DeviceLevels } from './DeviceLevels'
import { ValuesTable } from './StepResults'
import type { Device, DeviceModel, WiredReading } from './types'
import { readDevice } from './wired-api'
import { WiredAccept } from './WiredAccept'
import { deviceLevels, readingRows } from './wired'

/** A read that failed: the bus's own words (503: the device did not answer, with what to check), else no answer. */
function readFailureText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 503 ? t('wired.read_failed', { detail: error.detail }) : error.detail
  if (error instanceof NetworkError) return t('wired.no_answer')
  return String(error)
}

function Values({ reading, device }: { reading: WiredReading; device: Device }) {
  const rows = readingRows(reading, device.channels)
  if (rows.length === 0) return <p class="muted">{t('step.live_empty')}</p>
  return (
    <>
      <ValuesTable rows={rows} testId="wired-values" rowTestId="wired-value" />
      <p class="muted">{t('wired.read_at', { time: formatTime(reading.read_at * 1000) })}</p>
    </>
  )
}

interface Props {
  device: Device
  models: DeviceModel[]
}

export function WiredSteps({ device, models }: Props) {
  const [reading, setReading] = useState<WiredReading>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const levels = deviceLevels(models.find((m) => m.model === device.model))

  async function read() {
    setBusy(true)
    setError('')
    try {
      setReading(await readDevice(device.id))
    } catch (e) {
      setError(readFailureText(e))
    } finally {
      setBusy(false)
    }
  }

  const status = reading ? 'done' : error ? 'failed' : 'pending'
  return (
    <ol class="steps wired-steps" data-testid="wired-device" data-device-id={String(device.id)} data-link={device.link ?? ''}>
      <li class={`card step step-${status}`} data-testid="wired-live" data-status={status}>
        <div class="step-head">
          <span class="step-number" aria-hidden="true">
            1
          </span>
          <h3>{t('step.live_read')}</h3>
          <span class={`step-status status-${status}`}>
            {status === 'done' ? '✓' : status === 'failed' ? '✕' : '○'} {label('step_status', status)}
          </span>
        </div>
        {!reading && <p class="muted step-hint">{t('wired.live_hint')}</p>}
        {reading && <Values reading={reading} device={device} />}
        {busy ? (
          <Working text={t('step.live_read_running')} testid="wired-reading" />
        ) : (
          <div class="step-actions">
            <button
              type="button"
              class={reading ? 'ack-button secondary' : 'ack-button'}
              data-testid="wired-read"
              onClick={() => void read()}
            >
              {t('step.live_read_run')}
            </button>
          </div>
        )}
        {error && (
          <p class="form-error" role="alert" data-testid="wired-read-error">
            {error}
          </p>
        )}
      </li>
      {levels.size > 0 && <DeviceLevels device={device} levels={levels} />}
      <WiredAccept device={device} />
    </ol>
  )
}
