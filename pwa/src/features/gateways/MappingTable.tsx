// The analogue-type mapping of one transmission device as an editable table: add and remove rows, save with
// PUT .../gb26875/mapping; checks before sending, a 400's detail at the cell it names.
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { putMapping } from './api'
import {
  cellKey,
  channelOptions,
  checkMapping,
  draftsOf,
  hasErrors,
  mappingBody,
  mappingChanged,
  newDraft,
  placeRefusal,
  type MappingColumn,
  type MappingDraft,
  type MappingErrors,
} from './mapping'
import type { Gb26875Status, MappingRow } from './types'

const NO_ERRORS: MappingErrors = { cells: {}, form: '' }

function CellError({ errors, row, column, testid }: { errors: MappingErrors; row: number; column: MappingColumn; testid: string }) {
  const text = errors.cells[cellKey(row, column)]
  return text ? <p class="gb-cell-error" role="alert" data-testid={testid}>{text}</p> : null
}

interface RowProps {
  row: MappingDraft
  index: number
  errors: MappingErrors
  options: [string, string][]
  onChange: (change: Partial<MappingDraft>) => void
  onRemove: () => void
}

function Row({ row, index, errors, options, onChange, onRemove }: RowProps) {
  return (
    <tr data-testid="mapping-row" data-row={String(index)}>
      <td>
        <input type="number" inputMode="numeric" min={128} max={255} step={1} value={row.analogue_type} aria-label={t('gb.mapping.type')}
          onInput={(e) => onChange({ analogue_type: e.currentTarget.value })} data-testid="mapping-type" />
        <CellError errors={errors} row={index} column="analogue_type" testid="mapping-error-type" />
      </td>
      <td>
        <select value={row.channel} aria-label={t('gb.mapping.channel')} onChange={(e) => onChange({ channel: e.currentTarget.value })} data-testid="mapping-channel">
          <option value="">{t('gb.mapping.pick')}</option>
          {options.map(([key, text]) => <option key={key} value={key}>{text}</option>)}
        </select>
        <CellError errors={errors} row={index} column="channel" testid="mapping-error-channel" />
      </td>
      <td>
        <input type="text" inputMode="decimal" value={row.scale} aria-label={t('gb.mapping.scale')}
          onInput={(e) => onChange({ scale: e.currentTarget.value })} data-testid="mapping-scale" />
        <CellError errors={errors} row={index} column="scale" testid="mapping-error-scale" />
      </td>
      <td>
        <button type="button" class="link-button" onClick={onRemove} data-testid="mapping-remove">{t('gb.mapping.remove')}</button>
      </td>
    </tr>
  )
}

export function MappingTable({ gatewayId, saved, onSaved }: { gatewayId: number; saved: MappingRow[]; onSaved: (status: Gb26875Status) => void }) {
  const [rows, setRows] = useState<MappingDraft[]>(() => draftsOf(saved))
  const [errors, setErrors] = useState<MappingErrors>(NO_ERRORS)
  const [saving, setSaving] = useState(false)
  const [done, setDone] = useState(false)
  const changed = mappingChanged(rows, saved)
  const savedText = JSON.stringify(saved)
  // The page reads the table every 5 s: follow the server's table unless the user is editing it.
  useEffect(() => {
    if (!changed && !saving) setRows(draftsOf(saved))
  }, [savedText])

  const edit = (next: MappingDraft[]) => {
    setRows(next)
    setErrors(NO_ERRORS)
    setDone(false)
  }

  async function save(event: Event) {
    event.preventDefault()
    const found = checkMapping(rows)
    setErrors(found)
    if (hasErrors(found)) return
    setSaving(true)
    try {
      const status = await putMapping(gatewayId, mappingBody(rows))
      setRows(draftsOf(status.mapping))
      setDone(true)
      onSaved(status)
    } catch (e) {
      setErrors(e instanceof ApiError && e.status === 400 ? placeRefusal(e, rows.length) : { cells: {}, form: describeError(e) })
    } finally {
      setSaving(false)
    }
  }

  const options = channelOptions(rows.map((r) => r.channel))
  return (
    <form class="card gb-mapping" onSubmit={save} data-testid="gateway-mapping" data-rows={String(rows.length)}>
      <h2>{t('gb.mapping.title')}</h2>
      <p class="muted field-hint">{t('gb.mapping.hint')}</p>
      {rows.length === 0 ? (
        <p class="muted" data-testid="mapping-empty">{t('gb.mapping.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('gb.mapping.type')}</th>
              <th>{t('gb.mapping.channel')}</th>
              <th>{t('gb.mapping.scale')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <Row key={i} row={row} index={i} errors={errors} options={options}
                onChange={(change) => edit(rows.map((r, j) => (j === i ? { ...r, ...change } : r)))}
                onRemove={() => edit(rows.filter((_, j) => j !== i))} />
            ))}
          </tbody>
        </table>
      )}
      {errors.form && <p class="form-error" role="alert" data-testid="mapping-form-error">{errors.form}</p>}
      <div class="gb-actions">
        <button type="button" class="link-button" onClick={() => edit([...rows, newDraft(rows)])} data-testid="mapping-add">{t('gb.mapping.add')}</button>
        <button type="submit" class="ack-button" disabled={saving || !changed} data-testid="mapping-save">
          {saving ? t('gb.mapping.saving') : t('gb.mapping.save')}
        </button>
        {changed && !saving && (
          <button type="button" class="link-button" onClick={() => edit(draftsOf(saved))} data-testid="mapping-reset">{t('gb.mapping.reset')}</button>
        )}
        {done && !changed && <span role="status" data-testid="mapping-saved">{t('gb.mapping.saved')}</span>}
      </div>
    </form>
  )
}
