// GB/T 26875.3 in words (pure): frame commands and data unit types, a device's address grouped by bytes, frame
// bytes for reading, a command's kind and state (an event's summary: summary.ts). zh-CN and en through the catalogs.
import { t, type Lang, type MessageKey } from '../../platform/i18n'
import type { CommandKind, CommandState } from './types'

/** The frame's command byte (GB/T 26875.3-2011: 1–6; 128–255 user-defined). */
const COMMANDS: Record<number, MessageKey> = {
  1: 'gb.command.control',
  2: 'gb.command.send',
  3: 'gb.command.confirm',
  4: 'gb.command.request',
  5: 'gb.command.response',
  6: 'gb.command.deny',
}

/** The data unit type flags andian names (GB/T 26875.3-2011, the application data unit's type flag). */
const TYPES: Record<number, MessageKey> = {
  1: 'gb.type.system_state',
  2: 'gb.type.part_state',
  3: 'gb.type.part_analogue',
  4: 'gb.type.system_operation',
  21: 'gb.type.device_state',
  24: 'gb.type.device_operation',
  25: 'gb.type.software',
  26: 'gb.type.config',
  28: 'gb.type.system_time',
  89: 'gb.type.initialise',
  90: 'gb.type.sync_clock',
  91: 'gb.type.duty_check',
}

/** Type flags 128–254 are the user's own (用户自定义) in GB/T 26875.3-2011. */
export const USER_DEFINED_MIN = 128
export const USER_DEFINED_MAX = 254

export function commandWord(command: number, lang?: Lang): string {
  const key = COMMANDS[command]
  return key ? t(key, undefined, lang) : t('gb.command.other', { n: String(command) }, lang)
}

export function typeWord(type: number, lang?: Lang): string {
  const key = TYPES[type]
  if (key) return t(key, undefined, lang)
  if (type >= USER_DEFINED_MIN && type <= USER_DEFINED_MAX) return t('gb.type.user_defined', undefined, lang)
  return t('gb.type.other', undefined, lang)
}

/** A frame in words: "发送数据 · 部件运行状态 (2)"; a frame with no data unit (a confirmation) is its command alone. */
export function frameWords(frame: { command: number; type: number | null }, lang?: Lang): string {
  const command = commandWord(frame.command, lang)
  if (frame.type === null) return command
  return `${command} · ${typeWord(frame.type, lang)} (${frame.type})`
}

/** A 12-hex-digit address by bytes, as it stands on a device's label: "1527082020fe" → "15 27 08 20 20 fe". */
export function groupAddress(address: string): string {
  return groupHex(address)
}

/** Frame bytes for reading: pairs of hex digits with a space between, so a long frame wraps at byte boundaries. */
export function groupHex(hex: string): string {
  const clean = hex.replace(/\s+/g, '').toLowerCase()
  return (clean.match(/.{1,2}/g) ?? []).join(' ')
}

const ADDRESS = /^[0-9a-f]{12}$/

/**
 * An address as typed ("15 27 08 20 20 FE", "15:27:08:20:20:fe") in the form the server takes: 12 lower-case hex
 * digits; null when it is not 6 bytes of hex.
 */
export function normaliseAddress(input: string): string | null {
  const clean = input.replace(/[\s:.-]+/g, '').toLowerCase()
  return ADDRESS.test(clean) ? clean : null
}

const KINDS: Record<CommandKind, MessageKey> = {
  duty_check: 'gb.kind.duty_check',
  sync_clock: 'gb.kind.sync_clock',
  initialise: 'gb.kind.initialise',
}

const STATES: Record<CommandState, MessageKey> = {
  sent: 'gb.state.sent',
  confirmed: 'gb.state.confirmed',
  denied: 'gb.state.denied',
  answered: 'gb.state.answered',
  no_answer: 'gb.state.no_answer',
}

export function kindWord(kind: CommandKind, lang?: Lang): string {
  return KINDS[kind] ? t(KINDS[kind], undefined, lang) : kind
}

export function stateWord(state: CommandState, lang?: Lang): string {
  return STATES[state] ? t(STATES[state], undefined, lang) : state
}
