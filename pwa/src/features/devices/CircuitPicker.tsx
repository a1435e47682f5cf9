// The protected circuit, picked from the site's circuits or typed as a new one ("新回路…"). With no network the
// list is empty and the text box alone is shown: a new name is as good as a picked one.
import { useState } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { useLoad } from '../../ui/hooks'
import { getCircuits } from './api'
import { NEW_CIRCUIT, pickerState, sortCircuits, valueOfChoice } from './circuits'

interface Props {
  siteId: number
  value: string
  disabled?: boolean
  /** The text box's test id (the select's is `{testid}-select`). */
  testid: string
  /** The field is marked and this is said under it. */
  error?: string | undefined
  onChange: (value: string) => void
}

export function CircuitPicker({ siteId, value, disabled = false, testid, error, onChange }: Props) {
  const [load] = useLoad(() => getCircuits(siteId).then(sortCircuits), siteId)
  const circuits = load.state === 'ready' ? load.value : []
  const [creating, setCreating] = useState(false)
  const state = pickerState(circuits, value, creating)
  return (
    <div class="circuit-picker" data-testid={`${testid}-picker`} data-count={String(circuits.length)}>
      {circuits.length > 0 && (
        <select
          value={state.selected}
          disabled={disabled}
          aria-label={t('circuit.label')}
          aria-invalid={Boolean(error) && !state.typing}
          data-testid={`${testid}-select`}
          onChange={(e) => {
            const next = valueOfChoice(e.currentTarget.value)
            setCreating(next.creating)
            onChange(next.value)
          }}
        >
          <option value="" disabled>
            {t('circuit.choose')}
          </option>
          {circuits.map((c) => (
            <option key={c.name} value={c.name}>
              {t('circuit.devices', { name: c.name, count: c.devices })}
            </option>
          ))}
          <option value={NEW_CIRCUIT}>{t('circuit.new')}</option>
        </select>
      )}
      {state.typing && (
        <input
          value={value}
          maxLength={100}
          disabled={disabled}
          aria-label={t('circuit.label')}
          aria-invalid={Boolean(error)}
          placeholder={t('circuit.new_hint')}
          data-testid={testid}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      )}
    </div>
  )
}
