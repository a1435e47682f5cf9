// The forms of the commissioning steps identify, thresholds and accept. Forms are controlled: the wizard
// (CommissionSteps.tsx) keeps their values.
import { channelLabel, getLanguage, label, t, type MessageKey } from '../../platform/i18n'
import {
  checklistText,
  hasRatedCurrent,
  invalidThreshold,
  THRESHOLD_SETTINGS,
  type Answers,
  type IdentifyForm,
  type ThresholdForm,
  type ThresholdSetting,
} from './commission'
import type { ChecklistAnswer, ChecklistItem, Commissioning } from './types'

interface IdentifyProps {
  kind: string
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

export function IdentifyFields({ kind, form, disabled, onChange }: IdentifyProps) {
  const shared = { form, disabled, onChange }
  return (
    <div class="step-form">
      <IdentifyField field="name" label="identify.name" hint="identify.name_hint" {...shared} />
      <IdentifyField field="circuit" label="identify.circuit" hint="identify.circuit_hint" {...shared} />
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
  /** The error shown under the form; a field it names is marked. */
  error: string
  disabled: boolean
  onChange: (form: ThresholdForm) => void
}

export function ThresholdFields({ commissioning, form, error, disabled, onChange }: ThresholdProps) {
  const bad = invalidThreshold(error)
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

const ANSWERS: readonly ChecklistAnswer[] = ['pass', 'fail', 'na']

interface AcceptProps {
  checklist: ChecklistItem[]
  answers: Answers
  signature: string
  disabled: boolean
  onAnswers: (answers: Answers) => void
  onSignature: (signature: string) => void
}

export function AcceptFields({ checklist, answers, signature, disabled, onAnswers, onSignature }: AcceptProps) {
  const lang = getLanguage()
  const set = (key: string, change: Answers[string]) => onAnswers({ ...answers, [key]: { ...answers[key], ...change } })
  return (
    <div class="step-form">
      <ol class="checklist">
        {checklist.map((item) => {
          const current = answers[item.key]
          return (
            <li key={item.key} data-testid="check-item" data-key={item.key} data-answer={current?.answer ?? ''}>
              <p>{checklistText(item, lang)}</p>
              <div class="choices" role="group" aria-label={checklistText(item, lang)}>
                {ANSWERS.map((answer) => (
                  <button
                    key={answer}
                    type="button"
                    class={`choice choice-${answer}`}
                    aria-pressed={current?.answer === answer}
                    disabled={disabled}
                    data-testid={`check-${item.key}-${answer}`}
                    onClick={() => set(item.key, { answer })}
                  >
                    {label('check_answer', answer)}
                  </button>
                ))}
              </div>
              <input
                class="check-note"
                value={current?.note ?? ''}
                maxLength={500}
                aria-label={t('accept.note')}
                placeholder={`${t('accept.note')} · ${t('accept.note_hint')}`}
                disabled={disabled}
                data-testid={`check-${item.key}-note`}
                onInput={(e) => set(item.key, { note: e.currentTarget.value })}
              />
            </li>
          )
        })}
      </ol>
      <label>
        <span>{t('accept.signature')}</span>
        <input
          value={signature}
          maxLength={100}
          autoComplete="name"
          disabled={disabled}
          data-testid="accept-signature"
          onInput={(e) => onSignature(e.currentTarget.value)}
        />
      </label>
    </div>
  )
}
