// One unit that answered a bus scan: its guessed model (or a choice among the models it may be), whether it is
// registered already, and the registration form (name and protected circuit required, a serial typed or the
// suggestion). Once registered, the wired steps follow in the same card.
import { useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { getLanguage, label, t, type MessageKey } from '../../platform/i18n'
import { wiredDevicePath } from '../../shell/router'
import type { DeviceModel, Device, FoundUnit } from './types'
import { registerDevice } from './wired-api'
import { fieldOf, modelChoices, modelName, registerBody, registerForm, type RegisterField, type RegisterForm } from './wired'
import { WiredSteps } from './WiredSteps'
import { CircuitPicker } from './CircuitPicker'
import { refusalText } from './refusal'

const FIELDS: readonly RegisterField[] = ['model', 'name', 'circuit', 'serial', 'poll_interval_s']

interface TextFieldProps {
  field: Exclude<keyof RegisterForm, 'model' | 'circuit'>
  error: string | undefined
  label: MessageKey
  hint?: string
  form: RegisterForm
  disabled: boolean
  onChange: (form: RegisterForm) => void
}

function TextField({ field, error, label: name, hint, form, disabled, onChange }: TextFieldProps) {
  return (
    <label>
      <span>{t(name)}</span>
      <input
        value={form[field]}
        maxLength={field === 'serial' ? 64 : 100}
        inputMode={field === 'interval' ? 'decimal' : undefined}
        placeholder={hint}
        disabled={disabled}
        aria-invalid={error !== undefined}
        data-testid={`wired-${field}`}
        onInput={(e) => onChange({ ...form, [field]: e.currentTarget.value })}
      />
      {error && (
        <p class="form-error field-error" role="alert" data-testid={`wired-error-${field === 'interval' ? 'poll_interval_s' : field}`}>
          {error}
        </p>
      )}
    </label>
  )
}

interface Props {
  siteId: number
  /** The bus link of the scan. */
  bus: string
  found: FoundUnit
  models: DeviceModel[]
}

export function FoundUnitCard({ siteId, bus, found, models }: Props) {
  const lang = getLanguage()
  const choices = modelChoices(found, models, bus)
  const [form, setForm] = useState(() => registerForm(found))
  const [open, setOpen] = useState(false)
  const [sending, setSending] = useState(false)
  const [errors, setErrors] = useState<Partial<Record<RegisterField | 'form', string>>>({})
  const [device, setDevice] = useState<Device>()
  const chosen = models.find((m) => m.model === form.model)

  async function submit(event: Event) {
    event.preventDefault()
    const result = registerBody(form, bus, found.unit)
    if (!result.ok) {
      setErrors(Object.fromEntries(Object.entries(result.errors).map(([f, key]) => [f, t(key)])))
      return
    }
    setSending(true)
    setErrors({})
    try {
      setDevice(await registerDevice(siteId, result.body))
      setOpen(false)
    } catch (e) {
      if (e instanceof ApiError) {
        // 409: the serial is taken; 400 names its field (a link the model cannot speak goes under the model).
        const field = e.status === 409 ? 'serial' : e.field === 'link' || e.field === 'kind' ? 'model' : fieldOf(FIELDS, e.field)
        setErrors({ [field ?? 'form']: refusalText(e) })
      } else setErrors({ form: e instanceof NetworkError ? t('wired.no_answer') : String(e) })
    } finally {
      setSending(false)
    }
  }

  const shared = { form, disabled: sending, onChange: setForm }
  return (
    <li
      class="card ble-result bus-unit"
      data-testid="bus-unit"
      data-unit={String(found.unit)}
      data-model={found.model ?? ''}
      data-known={device ? 'here' : (found.known ?? '')}
    >
      <div class="ble-result-head">
        <strong>{t('wired.unit', { unit: found.unit })}</strong>
        {found.known === 'here' && found.device_id !== null && (
          <a class="flag known-here" href={wiredDevicePath(siteId, found.device_id)} data-testid="bus-unit-known" data-device-id={String(found.device_id)}>
            {t('wired.known_here')} · {t('wired.open_device')}
          </a>
        )}
      </div>
      {found.model ? (
        <div data-testid="bus-unit-model">
          {modelName(found.model, models, lang)} <span class="muted mono">{found.model}</span>
        </div>
      ) : (
        <div class="muted" data-testid="bus-unit-model">
          {t('wired.model_unknown')}
        </div>
      )}
      {chosen && <div class="muted">{label('device_kind', chosen.kind)}</div>}
      {found.known === 'elsewhere' && (
        <p class="control-warning" role="note" data-testid="bus-unit-elsewhere">
          {t('wired.known_elsewhere')}
        </p>
      )}
      {device && (
        <>
          <p class="step-result" data-testid="bus-unit-registered" data-device-id={String(device.id)}>
            ✓ {t('wired.registered', { name: device.name })}
          </p>
          <WiredSteps device={device} models={models} />
        </>
      )}
      {!device && found.known !== 'here' && !open && (
        <button type="button" class="ack-button ble-commission" data-testid="bus-unit-register" onClick={() => setOpen(true)}>
          {t('wired.register')}
        </button>
      )}
      {!device && open && (
        <form class="step-form" data-testid="wired-form" data-unit={String(found.unit)} onSubmit={(e) => void submit(e)} noValidate>
          <label>
            <span>{t('wired.model')}</span>
            <select
              value={form.model}
              disabled={sending}
              aria-invalid={errors.model !== undefined}
              data-testid="wired-model"
              onChange={(e) => setForm({ ...form, model: e.currentTarget.value })}
            >
              {!form.model && <option value="">{t('wired.model_pick')}</option>}
              {choices.map((model) => (
                <option key={model} value={model}>
                  {modelName(model, models, lang)} ({model})
                </option>
              ))}
            </select>
            {errors.model && (
              <p class="form-error field-error" role="alert" data-testid="wired-error-model">
                {errors.model}
              </p>
            )}
          </label>
          <TextField field="name" error={errors.name} label="identify.name" hint={t('identify.name_hint')} {...shared} />
          <label>
            <span>{t('identify.circuit')}</span>
            <CircuitPicker
              siteId={siteId}
              value={form.circuit}
              disabled={sending}
              testid="wired-circuit"
              error={errors.circuit}
              onChange={(circuit) => setForm({ ...form, circuit })}
            />
            {errors.circuit && (
              <p class="form-error field-error" role="alert" data-testid="wired-error-circuit">
                {errors.circuit}
              </p>
            )}
          </label>
          <TextField field="serial" error={errors.serial} label="wired.serial" hint={t('wired.serial_hint')} {...shared} />
          <TextField
            field="interval"
            error={errors.poll_interval_s}
            label="wired.interval"
            hint={chosen ? t('wired.interval_hint', { seconds: chosen.poll_interval_s }) : undefined}
            {...shared}
          />
          {errors.form && (
            <p class="form-error" role="alert" data-testid="wired-error-form">
              {errors.form}
            </p>
          )}
          <div class="ack-actions">
            <button type="submit" class="ack-button" disabled={sending} data-testid="wired-submit">
              {sending ? t('wired.submitting') : t('wired.submit')}
            </button>
            <button type="button" class="link-button" disabled={sending} data-testid="wired-cancel" onClick={() => setOpen(false)}>
              {t('wired.form_cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  )
}
