// The forms of the commissioning steps identify and thresholds (accept: AcceptForm.tsx). Forms are controlled:
// the wizard (CommissionSteps.tsx) keeps their values.
import { channelLabel, label, t, type MessageKey } from '../../platform/i18n'
import {
  hasRatedCurrent,
  THRESHOLD_SETTINGS,
  type IdentifyForm,
  type ThresholdForm,
  type ThresholdSetting,
} from './commission'
import { CircuitPicker } from './CircuitPicker'
import type { Commissioning } from './types'

interface IdentifyProps {
  kind: string
  siteId: number
  form: IdentifyForm
  disabled: boolean
  onChange: (form: IdentifyForm) => void
}

interface IdentifyFieldProps {
  field: keyof IdentifyForm
  label: MessageKey
  hint?: MessageKey
  decimal?: boolean
  form: IdentifyForm
  disabled: boolean
  onChange: (form: IdentifyForm) => void
}

function IdentifyField({ field, label, hint, decimal, form, disabled, onChange }: IdentifyFieldProps) {
  return (
    <label>
      <span>{t(label)}</span>
      <input
        value={form[field]}
        {...(decimal ? { inputMode: 'decimal' as const } : { maxLength: 100 })}
        placeholder={hint ? t(hint) : undefined}
        disabled={disabled}
        data-testid={`identify-${field}`}
        onInput={(e) => onChange({ ...form, [field]: e.currentTarget.value })}
      />
    </label>
  )
}

export function IdentifyFields({ kind, siteId, form, disabled, onChange }: IdentifyProps) {
  const shared = { form, disabled, onChange }
  return (
    <div class="step-form">
      <IdentifyField field="name" label="identify.name" hint="identify.name_hint" {...shared} />
      <label>
        <span>{t('identify.circuit')}</span>
        <CircuitPicker
          siteId={siteId}
          value={form.circuit}
          disabled={disabled}
          testid="identify-circuit"
          onChange={(circuit) => onChange({ ...form, circuit })}
        />
      </label>
      {hasRatedCurrent(kind) && <IdentifyField field="rated" label="identify.rated" decimal {...shared} />}
    </div>
  )
}

const SETTING_LABEL: Record<ThresholdSetting, MessageKey> = {
  prealarm: 'channel.prealarm',
  alarm: 'channel.alarm',
  delay_s: 'channel.delay_s',
}

interface ThresholdProps {
  commissioning: Commissioning
  form: ThresholdForm
  /** The error shown under the form. */
  error: string
  /** The setting the server refused, to mark its input. */
  bad: { channel: string; setting: string } | null
  disabled: boolean
  onChange: (form: ThresholdForm) => void
}

export function ThresholdFields({ commissioning, form, error, bad, disabled, onChange }: ThresholdProps) {
  const channels = commissioning.channels.filter((c) => form[c.key])
  if (channels.length === 0) return <p class="muted">{t('thresholds.none')}</p>
  return (
    <div class="step-form thresholds">
      {channels.map((channel) => {
        const fields = form[channel.key] ?? {}
        const unit = label('unit', channel.unit)
        return (
          <fieldset key={channel.key} data-testid="threshold-channel" data-channel-key={channel.key}>
            <legend>
              {channelLabel(channel.key)}
              {unit && <span class="muted"> ({unit})</span>}
            </legend>
            {THRESHOLD_SETTINGS.filter((s) => fields[s] !== undefined).map((setting) => (
              <label key={setting}>
                <span>
                  {t(SETTING_LABEL[setting])}
                  <span class="muted"> {setting === 'delay_s' ? t('unit.s') : unit}</span>
                </span>
                <input
                  value={fields[setting]}
                  inputMode="decimal"
                  disabled={disabled}
                  aria-invalid={bad?.channel === channel.key && bad.setting === setting}
                  data-testid={`threshold-${channel.key}-${setting}`}
                  onInput={(e) =>
                    onChange({ ...form, [channel.key]: { ...fields, [setting]: e.currentTarget.value } })
                  }
                />
              </label>
            ))}
          </fieldset>
        )
      })}
      {error && (
        <p class="form-error" role="alert" data-testid="thresholds-error">
          {error}
        </p>
      )}
    </div>
  )
}
