// The analogue-type mapping of one transmission device (pure): the channels offered, the rows as typed, the
// checks before sending, the PUT body, and where a 400 from the server belongs. The server is the judge.
import { channelLabel, t, type Lang } from '../../platform/i18n'
import type { MappingRow } from './types'

/** User-defined analogue types (GB/T 26875.3-2011: 128–255); 1–127 are the standard's own. */
export const ANALOGUE_MIN = 128
export const ANALOGUE_MAX = 255

/**
 * The channel keys a mapped value may become, with their numbered variants as the server's CHANNEL_KEY_PATTERN
 * (server/detection/settings.py) allows them: loops of a residual-current monitor 1–16, temperature terminals 1–4,
 * phases L1–L3.
 */
export const CHANNEL_CHOICES: readonly string[] = [
  'residual_ma',
  ...Array.from({ length: 16 }, (_, i) => `residual_ma_${i + 1}`),
  'temp_c',
  ...Array.from({ length: 4 }, (_, i) => `temp_c_${i + 1}`),
  'voltage_v',
  'voltage_v_l1', 'voltage_v_l2', 'voltage_v_l3',
  'current_a',
  'current_a_l1', 'current_a_l2', 'current_a_l3',
]

/** The pick list: every offered key with its name ("剩余电流 3"), and a key the table already has that is not offered. */
export function channelOptions(current: readonly string[] = [], lang?: Lang): [string, string][] {
  const keys = [...CHANNEL_CHOICES]
  for (const key of current) if (key && !keys.includes(key)) keys.push(key)
  return keys.map((key) => [key, `${channelLabel(key, lang)} · ${key}`])
}

/** One row as typed: the inputs' text. */
export interface MappingDraft {
  analogue_type: string
  channel: string
  scale: string
}

export type MappingColumn = keyof MappingDraft

/** Where an error is shown: a cell of a row, a whole row, or the form. */
export interface MappingErrors {
  cells: Record<string, string>
  form: string
}

export function cellKey(row: number, column: MappingColumn): string {
  return `${row}.${column}`
}

export function draftsOf(rows: readonly MappingRow[]): MappingDraft[] {
  return rows.map((r) => ({ analogue_type: String(r.analogue_type), channel: r.channel, scale: String(r.scale) }))
}

/** A new row: the first free user-defined type, no channel yet, scale 1. */
export function newDraft(rows: readonly MappingDraft[]): MappingDraft {
  const used = new Set(rows.map((r) => Number(r.analogue_type)))
  let type = ANALOGUE_MIN
  while (used.has(type) && type < ANALOGUE_MAX) type += 1
  return { analogue_type: used.has(type) ? '' : String(type), channel: '', scale: '1' }
}

function parseNumber(text: string): number {
  const clean = text.trim()
  return clean === '' ? NaN : Number(clean)
}

/** The checks before sending: every cell filled and sensible, no analogue type or channel twice. */
export function checkMapping(rows: readonly MappingDraft[], lang?: Lang): MappingErrors {
  const cells: Record<string, string> = {}
  const types = new Map<number, number>()
  const channels = new Map<string, number>()
  rows.forEach((row, i) => {
    const type = parseNumber(row.analogue_type)
    if (!Number.isInteger(type) || type < ANALOGUE_MIN || type > ANALOGUE_MAX) {
      cells[cellKey(i, 'analogue_type')] = t('gb.mapping.type_range', { min: String(ANALOGUE_MIN), max: String(ANALOGUE_MAX) }, lang)
    } else if (types.has(type)) {
      cells[cellKey(i, 'analogue_type')] = t('gb.mapping.type_twice', { row: String((types.get(type) ?? 0) + 1) }, lang)
    } else types.set(type, i)
    if (!row.channel) cells[cellKey(i, 'channel')] = t('gb.mapping.channel_missing', undefined, lang)
    else if (channels.has(row.channel)) {
      cells[cellKey(i, 'channel')] = t('gb.mapping.channel_twice', { row: String((channels.get(row.channel) ?? 0) + 1) }, lang)
    } else channels.set(row.channel, i)
    const scale = parseNumber(row.scale)
    if (!Number.isFinite(scale) || scale <= 0) cells[cellKey(i, 'scale')] = t('gb.mapping.scale_invalid', undefined, lang)
  })
  return { cells, form: '' }
}

export function hasErrors(errors: MappingErrors): boolean {
  return errors.form !== '' || Object.keys(errors.cells).length > 0
}

/** The PUT body's rows, in the order shown (a 400's `mapping[i]` is row i). Call after checkMapping found nothing. */
export function mappingBody(rows: readonly MappingDraft[]): MappingRow[] {
  return rows.map((r) => ({ analogue_type: Number(r.analogue_type.trim()), channel: r.channel, scale: Number(r.scale.trim()) }))
}

const PATH = /mapping\[(\d+)\](?:\.(analogue_type|channel|scale))?/

/**
 * Where the server's 400 belongs: the cell `extra.field` names ("mapping[1].channel"), else the one its detail
 * names, else (a row without a column: its type) the form. The detail is shown as the server wrote it.
 */
export function placeRefusal(error: { field: string | null; detail: string }, rows: number): MappingErrors {
  const match = PATH.exec(error.field ?? '') ?? PATH.exec(error.detail)
  const row = match ? Number(match[1]) : -1
  if (match && row < rows) return { cells: { [cellKey(row, (match[2] as MappingColumn | undefined) ?? 'analogue_type')]: error.detail }, form: '' }
  return { cells: {}, form: error.detail }
}

/** True when the rows as typed differ from the table the server has. */
export function mappingChanged(rows: readonly MappingDraft[], saved: readonly MappingRow[]): boolean {
  const a = JSON.stringify(rows)
  const b = JSON.stringify(draftsOf(saved))
  return a !== b
}
