// The parts of the commissioning step cards that differ by step: each step's result once done, and the
// forms of identify, thresholds and accept. Forms are controlled: the wizard keeps their values.
import {
  checklistText,
  hasRatedCurrent,
  invalidThreshold,
  liveReadResult,
  liveRows,
  pairResult,
  selfTestResult,
  THRESHOLD_SETTINGS,
  type Answers,
  type IdentifyForm,
  type ThresholdForm,
  type ThresholdSetting,
} from '../commission/model'
import { channelLabel, formatQuantity, formatTime, getLanguage, label, t, type MessageKey } from '../i18n'
import type { ChecklistAnswer, ChecklistItem, Commissioning, CommissioningStep } from '../types'

// ---- Results ----

export function PairDone({ step }: { step: CommissioningStep }) {
  const result = pairResult(step)
  if (!result) return null
  return (
    <p class="step-result" data-testid="pair-result">
      ✓ {t('step.paired', { serial: result.serial })}
      {result.firmware && <span class="muted"> · {t('step.firmware', { firmware: result.firmware })}</span>}
    </p>
  )
}

export function LiveValues({ step, commissioning }: { step: CommissioningStep; commissioning: Commissioning }) {
  const result = liveReadResult(step)
  if (!result) return null
  const rows = liveRows(result, commissioning.channels)
  if (rows.length === 0) return <p class="muted">{t('step.live_empty')}</p>
  return (
    <table class="live-values" data-testid="live-values">
      <thead>
        <tr>
          <th scope="col">{t('channel.quantity')}</th>
          <th scope="col">{t('channel.now')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} data-channel-key={row.key}>
            <td>{channelLabel(row.key)}</td>
            <td class="num">{formatQuantity(row.value, row.unit)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const SELF_TEST_PASSED: Record<'leakage' | 'arc', [withPeak: MessageKey, without: MessageKey, unit: string]> = {
  leakage: ['step.self_test_passed', 'step.self_test_passed_nopeak', 'mA'],
  arc: ['step.self_test_passed_arc', 'step.self_test_passed_arc_nopeak', 'half-cycles/s'],
}

export function SelfTestDone({ step }: { step: CommissioningStep }) {
  const result = selfTestResult(step)
  if (!result) return null
  const [withPeak, without, unit] = SELF_TEST_PASSED[result.kind]
  return (
    <div class="step-result" data-testid="self-test-result">
      <p>
        ✓ {result.peak === null ? t(without) : t(withPeak, { peak: formatQuantity(result.peak, unit) })}
      </p>
      {result.raised_at !== null && result.cleared_at !== null && (
        <p class="muted">
          {t('step.self_test_times', {
            raised: formatTime(result.raised_at * 1000),
            cleared: formatTime(result.cleared_at * 1000),
          })}
        </p>
      )}
    </div>
  )
}

// ---- Forms ----

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
