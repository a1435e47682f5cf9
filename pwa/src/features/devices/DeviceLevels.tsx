// A wired device's own alarm levels (the relay's IΔn and pre-warning current, …): pre-filled with andian's
// settings of the channel, written into the device only after the installer confirms in plain words, then read
// back. A refusal (out of range, a level the device did not keep) is shown on its field.
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { channelLabel, formatQuantity, label, t } from '../../platform/i18n'
import { Working } from '../../ui/feedback'
import type { Device, ModelThreshold, WiredThresholdsBody, WiredThresholdsWritten } from './types'
import { refusalText } from './refusal'
import { writeLevels } from './wired-api'
import { confirmLevelsText, fieldOf, levelForm, levelsBody, readBackText, type LevelForm, type LevelSetting } from './wired'

const SETTINGS: readonly LevelSetting[] = ['alarm', 'prealarm']

const SETTING_LABEL = { alarm: 'channel.alarm', prealarm: 'channel.prealarm' } as const

interface ChannelProps {
  device: Device
  channel: string
  levels: ModelThreshold[]
}

function ChannelLevels({ device, channel, levels }: ChannelProps) {
  const current = device.channels.find((c) => c.key === channel)
  const unit = current?.unit ?? ''
  const [form, setForm] = useState<LevelForm>(() => levelForm(levels, current))
  const [asking, setAsking] = useState<WiredThresholdsBody>()
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<{ field: LevelSetting | null; text: string }>()
  const [written, setWritten] = useState<WiredThresholdsWritten>()

  function ask() {
    setError(undefined)
    setWritten(undefined)
    const result = levelsBody(channel, levels, form, unit)
    if (result.ok) setAsking(result.body)
    else setError({ field: result.field, text: result.error })
  }

  async function write(body: WiredThresholdsBody) {
    setSending(true)
    try {
      const answer = await writeLevels(device.id, body)
      setWritten(answer)
      setForm(Object.fromEntries(Object.entries(answer.read_back).map(([k, v]) => [k, String(v)])))
      setAsking(undefined)
    } catch (e) {
      setAsking(undefined)
      if (e instanceof ApiError) {
        // 400 names the field; 409 starts with it ("alarm: wrote 300, the device reads back 250; …").
        setError({ field: fieldOf(SETTINGS, e.field, e.detail), text: refusalText(e) })
      } else setError({ field: null, text: e instanceof NetworkError ? t('wired.no_answer') : String(e) })
    } finally {
      setSending(false)
    }
  }

  const busy = sending || asking !== undefined
  return (
    <fieldset data-testid="wired-levels" data-channel-key={channel}>
      <legend>
        {channelLabel(channel)}
        {unit && <span class="muted"> ({label('unit', unit)})</span>}
      </legend>
      {levels.map((level) => (
        <label key={level.setting}>
          <span>
            {t(SETTING_LABEL[level.setting])}
            <span class="muted">
              {' '}
              {t('wired.levels_range', { range: `${formatQuantity(level.min, '')}–${formatQuantity(level.max, unit)}` })}
            </span>
          </span>
          <input
            value={form[level.setting] ?? ''}
            inputMode="decimal"
            disabled={busy}
            aria-invalid={error?.field === level.setting}
            data-testid={`wired-level-${level.setting}`}
            onInput={(e) => setForm({ ...form, [level.setting]: e.currentTarget.value })}
          />
          {error?.field === level.setting && (
            <p class="form-error field-error" role="alert" data-testid="wired-level-error" data-field={level.setting}>
              {error.text}
            </p>
          )}
        </label>
      ))}
      {error && error.field === null && (
        <p class="form-error" role="alert" data-testid="wired-level-error" data-field="">
          {error.text}
        </p>
      )}
      {asking ? (
        <div class="insp-confirm" role="alertdialog" aria-live="assertive" data-testid="wired-level-confirm">
          <p data-testid="wired-level-confirm-text">{confirmLevelsText(asking, unit)}</p>
          {sending ? (
            <Working text={t('wired.writing')} />
          ) : (
            <div class="ack-actions">
              <button type="button" class="ack-button" data-testid="wired-level-yes" onClick={() => void write(asking)}>
                {t('wired.confirm_yes')}
              </button>
              <button type="button" class="link-button" data-testid="wired-level-no" onClick={() => setAsking(undefined)}>
                {t('wired.confirm_no')}
              </button>
            </div>
          )}
        </div>
      ) : (
        <div class="step-actions">
          <button type="button" class="ack-button" data-testid="wired-level-write" onClick={ask}>
            {t('wired.write')}
          </button>
        </div>
      )}
      {written && (
        <p class="step-result" role="status" data-testid="wired-level-read-back" data-matches={String(written.matches)}>
          {written.matches ? '✓ ' : '✕ '}
          {readBackText(written, unit)}
        </p>
      )}
    </fieldset>
  )
}

export function DeviceLevels({ device, levels }: { device: Device; levels: Map<string, ModelThreshold[]> }) {
  return (
    <li class="card step" data-testid="wired-thresholds">
      <div class="step-head">
        <span class="step-number" aria-hidden="true">
          2
        </span>
        <h3>{t('step.thresholds')}</h3>
      </div>
      <p class="muted step-hint">{t('wired.levels_hint')}</p>
      <div class="step-form thresholds wired-levels">
        {[...levels].map(([channel, channelLevels]) => (
          <ChannelLevels key={channel} device={device} channel={channel} levels={channelLevels} />
        ))}
      </div>
    </li>
  )
}
