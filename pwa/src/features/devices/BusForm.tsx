// The wired bus to scan: a serial port on the site box (baud, parity) or a host:port (Modbus TCP or 透传), and the
// unit range. Controlled: WiredScan keeps the values; each field shows what to correct under it.
import type { ComponentChildren } from 'preact'
import { label, t, type MessageKey } from '../../platform/i18n'
import { BAUDS, busLink, PARITIES, type BusField, type BusForm as Form, type Parity, type TcpMode } from './bus-link'

/** Each field's error in words: the form's own check, or the server's refusal naming it. */
export type BusFieldErrors = Partial<Record<BusField, string>>

interface Props {
  form: Form
  errors: BusFieldErrors
  disabled: boolean
  onChange: (form: Form) => void
}

function FieldError({ field, errors }: { field: BusField; errors: BusFieldErrors }) {
  const error = errors[field]
  return error ? (
    <p class="form-error field-error" role="alert" data-testid={`bus-error-${field}`}>
      {error}
    </p>
  ) : null
}

function Field({ name, field, errors, children }: { name: MessageKey; field: BusField; errors: BusFieldErrors; children: ComponentChildren }) {
  return (
    <label>
      <span>{t(name)}</span>
      {children}
      <FieldError field={field} errors={errors} />
    </label>
  )
}

export function BusFormFields({ form, errors, disabled, onChange }: Props) {
  const set = (change: Partial<Form>) => onChange({ ...form, ...change })
  const built = busLink(form)
  const kinds = [
    ['serial', 'wired.kind_serial'],
    ['tcp', 'wired.kind_tcp'],
  ] as const
  return (
    <div class="step-form bus-form" data-testid="bus-form" data-kind={form.kind}>
      <div class="choices" role="radiogroup">
        {kinds.map(([kind, name]) => (
          <label key={kind} class="choice-inline">
            <input
              type="radio"
              name="bus-kind"
              checked={form.kind === kind}
              disabled={disabled}
              data-testid={`bus-kind-${kind}`}
              onChange={() => set({ kind })}
            />{' '}
            {t(name)}
          </label>
        ))}
      </div>
      {form.kind === 'serial' ? (
        <>
          <Field name="wired.port" field="port" errors={errors}>
            <input
              value={form.port}
              placeholder={t('wired.port_hint')}
              maxLength={200}
              autoComplete="off"
              spellcheck={false}
              disabled={disabled}
              aria-invalid={errors.port !== undefined}
              data-testid="bus-port"
              onInput={(e) => set({ port: e.currentTarget.value })}
            />
          </Field>
          <div class="field-pair">
            <Field name="wired.baud" field="baud" errors={errors}>
              <select value={form.baud} disabled={disabled} data-testid="bus-baud" onChange={(e) => set({ baud: e.currentTarget.value })}>
                {BAUDS.map((baud) => (
                  <option key={baud} value={String(baud)}>
                    {baud}
                  </option>
                ))}
              </select>
            </Field>
            <Field name="wired.parity" field="parity" errors={errors}>
              <select
                value={form.parity}
                disabled={disabled}
                data-testid="bus-parity"
                onChange={(e) => set({ parity: e.currentTarget.value as Parity })}
              >
                {PARITIES.map((parity) => (
                  <option key={parity} value={parity}>
                    {label('parity', parity)}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </>
      ) : (
        <>
          <Field name="wired.address" field="address" errors={errors}>
            <input
              value={form.address}
              placeholder={t('wired.address_hint')}
              maxLength={260}
              inputMode="url"
              autoComplete="off"
              spellcheck={false}
              disabled={disabled}
              aria-invalid={errors.address !== undefined}
              data-testid="bus-address"
              onInput={(e) => set({ address: e.currentTarget.value })}
            />
          </Field>
          <label>
            <span>{t('wired.mode')}</span>
            <select value={form.mode} disabled={disabled} data-testid="bus-mode" onChange={(e) => set({ mode: e.currentTarget.value as TcpMode })}>
              <option value="modbus-tcp">{t('wired.mode_tcp')}</option>
              <option value="modbus-rtu-tcp">{t('wired.mode_rtu_tcp')}</option>
            </select>
          </label>
        </>
      )}
      <div class="field-pair">
        {(['first', 'last'] as const).map((field) => (
          <Field key={field} name={field === 'first' ? 'wired.first' : 'wired.last'} field={field} errors={errors}>
            <input
              value={form[field]}
              inputMode="numeric"
              maxLength={3}
              disabled={disabled}
              aria-invalid={errors[field] !== undefined}
              data-testid={`bus-${field}`}
              onInput={(e) => set({ [field]: e.currentTarget.value })}
            />
          </Field>
        ))}
      </div>
      <p class="muted field-hint">{t('wired.units_hint')}</p>
      {built.ok && (
        <p class="muted">
          {t('wired.link')}:{' '}
          <code class="mono" data-testid="bus-link" data-link={built.link}>
            {built.link}
          </code>
        </p>
      )}
    </div>
  )
}
