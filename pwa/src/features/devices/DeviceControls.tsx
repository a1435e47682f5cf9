// Remote trip / close / self-test of one device (operator only): a confirmation with the reason, the
// outcome as the device read it back, and the device's control log.
import { useState } from 'preact/hooks'
import { formatDateTime, label, t } from '../../platform/i18n'
import { describeError, Working } from '../../ui/feedback'
import { controlDevice, getControlLog } from './api'
import { confirmText, reasonOk, resultText, MIN_REASON_CHARS } from './control'
import { ControlResult, controlErrorText } from './ControlResult'
import type { ControlAction, ControlRecord, Device } from './types'

interface FormProps {
  device: Device
  action: ControlAction
  onDone: (record: ControlRecord) => void
  onCancel: () => void
}

function ControlForm({ device, action, onDone, onCancel }: FormProps) {
  const [reason, setReason] = useState('')
  const [sending, setSending] = useState(false)
  const [error, setError] = useState('')

  async function submit(event: Event) {
    event.preventDefault()
    if (!reasonOk(reason)) return
    setSending(true)
    setError('')
    try {
      onDone(await controlDevice(device.id, action, reason.trim()))
    } catch (e) {
      setError(controlErrorText(e))
      setSending(false)
    }
  }

  return (
    <form class={`ack-form control-form control-${action}`} data-testid="control-form" data-action={action} onSubmit={submit}>
      <p class="control-warning" data-testid="control-warning">
        {confirmText(action, device)}
      </p>
      <label>
        <span>{t('control.reason')}</span>
        <textarea
          rows={2}
          maxLength={500}
          minLength={MIN_REASON_CHARS}
          required
          value={reason}
          placeholder={t('control.reason_hint')}
          disabled={sending}
          onInput={(e) => setReason(e.currentTarget.value)}
          data-testid="control-reason"
        />
      </label>
      {sending && (
        <Working text={t('control.sending')} />
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="control-error">
          {error}
        </p>
      )}
      <div class="ack-actions">
        <button
          type="submit"
          class={`ack-button${action === 'trip' ? ' danger' : ''}`}
          disabled={sending || !reasonOk(reason)}
          data-testid="control-confirm"
        >
          {t('control.confirm', { action: label('control_action', action) })}
        </button>
        <button type="button" class="link-button" disabled={sending} onClick={onCancel} data-testid="control-cancel">
          {t('control.cancel')}
        </button>
      </div>
    </form>
  )
}

function ControlLog({ deviceId, records, error }: { deviceId: number; records?: ControlRecord[]; error: string }) {
  if (error) return <p class="form-error" role="alert">{error}</p>
  if (!records) return <p class="muted">{t('common.loading')}</p>
  if (records.length === 0) return <p class="muted">{t('control.log_empty')}</p>
  return (
    <ul class="control-log" data-testid="control-log" data-device-id={String(deviceId)}>
      {records.map((r) => (
        <li key={r.id} data-testid="control-log-item" data-action={r.action} data-outcome={r.outcome}>
          <div>
            <strong>{label('control_action', r.action)}</strong>{' '}
            <span class={`pill outcome-${r.outcome}`}>{label('control_outcome', r.outcome)}</span>
          </div>
          <div class="muted">
            {r.by} · {formatDateTime(r.at * 1000)}
          </div>
          <div>{t('control.log_reason', { reason: r.reason })}</div>
          <div class={r.outcome === 'done' ? 'muted' : 'form-error'}>{resultText(r)}</div>
        </li>
      ))}
    </ul>
  )
}

interface ControlsProps {
  device: Device
  actions: ControlAction[]
  /** A control answered: the record, with the switch state the device read back. */
  onResult: (record: ControlRecord) => void
}

export function DeviceControls({ device, actions, onResult }: ControlsProps) {
  const [asking, setAsking] = useState<ControlAction>()
  const [last, setLast] = useState<ControlRecord>()
  const [logOpen, setLogOpen] = useState(false)
  const [log, setLog] = useState<ControlRecord[]>()
  const [logError, setLogError] = useState('')

  async function readLog() {
    setLogError('')
    try {
      setLog(await getControlLog(device.id))
    } catch (e) {
      setLogError(describeError(e))
    }
  }

  function toggleLog() {
    if (!logOpen) void readLog()
    setLogOpen(!logOpen)
  }

  function done(record: ControlRecord) {
    setAsking(undefined)
    setLast(record)
    onResult(record)
    if (logOpen) void readLog()
  }

  return (
    <div class="device-controls">
      {actions.length > 0 && !asking && (
        <div class="control-buttons">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              class={`control-button control-button-${action}`}
              data-testid={`control-${action}`}
              onClick={() => {
                setLast(undefined)
                setAsking(action)
              }}
            >
              {label('control_action', action)}
            </button>
          ))}
        </div>
      )}
      {asking && (
        <ControlForm device={device} action={asking} onDone={done} onCancel={() => setAsking(undefined)} />
      )}
      {last && <ControlResult record={last} testid="control-result" />}
      <button
        type="button"
        class="link-button control-log-toggle"
        aria-expanded={logOpen}
        data-testid="control-log-toggle"
        onClick={toggleLog}
      >
        {logOpen ? t('control.log_hide') : t('control.log')}
      </button>
      {logOpen && <ControlLog deviceId={device.id} records={log} error={logError} />}
    </div>
  )
}
