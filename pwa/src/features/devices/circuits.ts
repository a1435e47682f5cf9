// The circuit pick-list when a device is registered or identified: the site's circuits (GET /sites/{id}/circuits),
// or "新回路…" to type a new one. Pure: what the select and the text box show for the value so far.
import type { SiteCircuit } from './types'

/** The select's value for "a new circuit" (never a circuit's name: names are trimmed text, this is not). */
export const NEW_CIRCUIT = '__new__'

export interface PickerState {
  /** The select's value: '' (nothing chosen), a circuit's name, or NEW_CIRCUIT. */
  selected: string
  /** The text box for a new circuit's name is shown. */
  typing: boolean
}

/**
 * What the picker shows. With no circuits at the site yet there is nothing to pick: the text box alone. A value that
 * is one of the site's circuits is selected; any other typed value (or "new" chosen) is a new circuit being typed.
 */
export function pickerState(circuits: readonly SiteCircuit[], value: string, creating: boolean): PickerState {
  if (circuits.length === 0) return { selected: NEW_CIRCUIT, typing: true }
  const known = circuits.some((c) => c.name === value.trim()) && !creating
  if (known) return { selected: value.trim(), typing: false }
  if (creating || value.trim() !== '') return { selected: NEW_CIRCUIT, typing: true }
  return { selected: '', typing: false }
}

/** The value after choosing an option: a circuit's name, or '' to start typing a new one. */
export function valueOfChoice(choice: string): { value: string; creating: boolean } {
  return choice === NEW_CIRCUIT ? { value: '', creating: true } : { value: choice, creating: false }
}

/** The most used circuits first (the installer usually adds to one), then by name. */
export function sortCircuits(circuits: readonly SiteCircuit[]): SiteCircuit[] {
  return [...circuits].sort((a, b) => b.devices - a.devices || a.name.localeCompare(b.name, 'zh-CN'))
}
