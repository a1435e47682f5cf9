// A GB/T 26875.3 event's summary in words (pure). The server keeps `{"type", "objects": [decoded objects], ...}`
// plus extras ("unmapped" for type 3), `{"type", "user_defined", "data"}` for user-defined units and
// `{"opaque", "reason", "data"}` for a data unit off the standard (server/gb26875/translate.py `summary`).
// Each object becomes one line; a shape this module does not know becomes "key: value" text, never JSON.
import { t, type Lang, type MessageKey } from '../../platform/i18n'
import { groupHex, USER_DEFINED_MIN } from './words'

type Obj = Record<string, unknown>

/** Lines shown for one event at most; the rest is counted ("… 另 3 项"). */
export const MAX_LINES = 6
/** Characters of a line of text not described (a fallback) at most. */
export const LINE_MAX = 160
/** Characters of a free text inside a described line (a configuration, a reason) at most. */
export const TEXT_MAX = 80
/** Bytes of user-defined or non-standard data shown before it is cut. */
export const HEX_BYTES = 16

/** 建筑消防设施系统状态 (type 1), a u16: bit 0 正常运行 (0 = 测试), bits 1–13; 14–15 reserved. */
const SYSTEM_BITS: MessageKey[] = [
  'gb.bit.normal', 'gb.bit.fire', 'gb.bit.fault', 'gb.bit.disabled', 'gb.bit.supervisory', 'gb.bit.started',
  'gb.bit.feedback', 'gb.bit.delay', 'gb.bit.mains_fault', 'gb.bit.battery_fault', 'gb.bit.bus_fault',
  'gb.bit.manual', 'gb.bit.config_changed', 'gb.bit.reset',
]
/** 建筑消防设施部件运行状态 (type 2), a u16: bits 0–8; 9–15 reserved. */
const PART_BITS: MessageKey[] = [
  'gb.bit.normal', 'gb.bit.fire', 'gb.bit.fault', 'gb.bit.disabled', 'gb.bit.supervisory', 'gb.bit.started',
  'gb.bit.feedback', 'gb.bit.delay', 'gb.bit.power_fault',
]
/** 用户信息传输装置运行状态 (type 21), a u8: bits 0–6; 7 reserved. */
const DEVICE_BITS: MessageKey[] = [
  'gb.bit.normal', 'gb.bit.fire', 'gb.bit.fault', 'gb.bit.mains_fault', 'gb.bit.battery_fault',
  'gb.bit.link_fault', 'gb.bit.line_fault',
]
/** 建筑消防设施操作信息 (type 4) operation flags, a u8: bits 0–6; 7 reserved. */
const SYSTEM_OPERATIONS: MessageKey[] = [
  'gb.op.reset', 'gb.op.silence', 'gb.op.manual_alarm', 'gb.op.clear', 'gb.op.self_test', 'gb.op.acknowledge',
  'gb.op.test',
]
/** 用户信息传输装置操作信息 (type 24): as type 4, but bit 5 is 查岗应答. */
const DEVICE_OPERATIONS: MessageKey[] = [
  'gb.op.reset', 'gb.op.silence', 'gb.op.manual_alarm', 'gb.op.clear', 'gb.op.self_test', 'gb.op.duty_answer',
  'gb.op.test',
]

/** Part types with a name (GB/T 26875.3-2011, 部件类型); others read "部件类型 N". */
const PARTS: Record<number, MessageKey> = {
  1: 'gb.part.1', 16: 'gb.part.16', 17: 'gb.part.17', 18: 'gb.part.18', 21: 'gb.part.21', 22: 'gb.part.22',
  23: 'gb.part.23', 24: 'gb.part.24', 25: 'gb.part.25', 30: 'gb.part.30', 40: 'gb.part.40',
}

const num = (o: Obj, key: string): number | undefined => (typeof o[key] === 'number' ? (o[key] as number) : undefined)
const str = (o: Obj, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined)
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const hexWord = (value: number, digits: number) => `0x${value.toString(16).padStart(digits, '0')}`

/**
 * Set bits by name, in bit order ("火警、故障"); a bit without a name is "位 N". `zero` is said when no bit is set.
 */
export function bitWords(names: readonly MessageKey[], value: number, zero: MessageKey, lang?: Lang): string {
  const words: string[] = []
  for (let bit = 0; bit < 32 && value >>> bit; bit++) {
    if (!((value >>> bit) & 1)) continue
    const name = names[bit]
    words.push(name ? t(name, undefined, lang) : t('gb.bit.other', { n: String(bit) }, lang))
  }
  if (words.length === 0) return t(zero, undefined, lang)
  return words.join(t('gb.sum.list_sep', undefined, lang))
}

function status(names: readonly MessageKey[], value: number, digits: number, lang?: Lang): string {
  return `${bitWords(names, value, 'gb.bit.zero', lang)} (${hexWord(value, digits)})`
}

/** A time label `{sec, min, hour, day, month, year}` as the device wrote it (its local time, year 0–99 → 20YY). */
export function labelTime(ts: unknown): string | undefined {
  if (!isObj(ts)) return undefined
  const [year, month, day, hour, min, sec] = ['year', 'month', 'day', 'hour', 'min', 'sec'].map((k) => num(ts, k))
  if (year === undefined || month === undefined || day === undefined || hour === undefined || min === undefined
    || sec === undefined) return undefined
  return `${pad(2000 + year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(min)}:${pad(sec)}`
}

/** Hex by bytes, cut after HEX_BYTES with the length said: "01 02 … (共 40 字节)". */
export function shortHex(hex: string, lang?: Lang): string {
  const bytes = Math.ceil(hex.replace(/\s+/g, '').length / 2)
  const grouped = groupHex(hex)
  if (bytes <= HEX_BYTES) return grouped
  return `${grouped.slice(0, HEX_BYTES * 3 - 1)} … (${t('gb.sum.bytes', { n: String(bytes) }, lang)})`
}

function system(o: Obj, lang?: Lang): string | undefined {
  const type = num(o, 'sys_type')
  const addr = num(o, 'sys_addr')
  if (type === undefined || addr === undefined) return undefined
  return t('gb.sum.system', { type: String(type), addr: String(addr) }, lang)
}

function part(o: Obj, lang?: Lang): string | undefined {
  const [sysType, sysAddr, partType, addr] = ['sys_type', 'sys_addr', 'part_type', 'part_addr'].map((k) => num(o, k))
  if (sysType === undefined || sysAddr === undefined || partType === undefined || addr === undefined) return undefined
  const name = PARTS[partType] ? t(PARTS[partType], undefined, lang) : t('gb.sum.part_type', { n: String(partType) }, lang)
  return t('gb.sum.part', { part: name, sys_type: String(sysType), sys_addr: String(sysAddr), addr: String(addr) }, lang)
}

/** The pieces of one line, or undefined when the object is not of the shape its type has. */
type Describe = (o: Obj, extra: { unmapped: boolean; lang?: Lang }) => (string | undefined)[] | undefined

function required(...pieces: (string | undefined)[]): (string | undefined)[] | undefined {
  return pieces[0] === undefined ? undefined : pieces
}

function operation(names: readonly MessageKey[], o: Obj, lang?: Lang): string | undefined {
  const flags = num(o, 'operation')
  const operator = num(o, 'operator')
  if (flags === undefined || operator === undefined) return undefined
  return `${bitWords(names, flags, 'gb.op.none', lang)} (${hexWord(flags, 2)}) · ${t('gb.sum.operator', { n: String(operator) }, lang)}`
}

function version(o: Obj, lang?: Lang): string | undefined {
  const main = num(o, 'main')
  const sub = num(o, 'sub')
  return main === undefined || sub === undefined ? undefined : t('gb.sum.version', { version: `${main}.${sub}` }, lang)
}

function text(o: Obj, key: string, message: MessageKey, lang?: Lang): string | undefined {
  const value = str(o, key)
  return value === undefined ? undefined : t(message, { text: cut(value.trim(), TEXT_MAX) }, lang)
}

function desc(o: Obj): string | undefined {
  return str(o, 'desc')?.trim() || undefined
}

function clock(o: Obj, lang?: Lang): string | undefined {
  const time = labelTime(o.ts)
  return time === undefined ? undefined : t('gb.sum.clock', { time }, lang)
}

const DESCRIBE: Record<number, Describe> = {
  1: (o, { lang }) => {
    const s = num(o, 'status')
    return required(system(o, lang), s === undefined ? undefined : status(SYSTEM_BITS, s, 4, lang), labelTime(o.ts))
  },
  2: (o, { lang }) => {
    const s = num(o, 'status')
    if (s === undefined) return undefined
    return required(part(o, lang), status(PART_BITS, s, 4, lang), desc(o), labelTime(o.ts))
  },
  3: (o, { unmapped, lang }) => {
    const type = num(o, 'analogue_type')
    const value = num(o, 'value')
    if (type === undefined || value === undefined) return undefined
    const hint = unmapped ? t(type >= USER_DEFINED_MIN ? 'gb.sum.unmapped' : 'gb.sum.not_read', undefined, lang) : undefined
    const reading = t('gb.sum.analogue', { n: String(type), value: String(value) }, lang)
    return required(part(o, lang), reading, hint, labelTime(o.ts))
  },
  4: (o, { lang }) => required(system(o, lang), operation(SYSTEM_OPERATIONS, o, lang), labelTime(o.ts)),
  5: (o, { lang }) => required(system(o, lang), version(o, lang)),
  6: (o, { lang }) => required(system(o, lang), text(o, 'config', 'gb.sum.config', lang)),
  7: (o, { lang }) => required(part(o, lang), desc(o)),
  8: (o, { lang }) => required(system(o, lang), clock(o, lang)),
  21: (o, { lang }) => {
    const s = num(o, 'status')
    return required(s === undefined ? undefined : status(DEVICE_BITS, s, 2, lang), labelTime(o.ts))
  },
  24: (o, { lang }) => required(operation(DEVICE_OPERATIONS, o, lang), labelTime(o.ts)),
  25: (o, { lang }) => required(version(o, lang)),
  26: (o, { lang }) => required(text(o, 'config', 'gb.sum.config', lang)),
  28: (o, { lang }) => required(clock(o, lang)),
}

function cut(line: string, max = LINE_MAX): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** Any value as plain text: a time label as a time, a list item after item, an object as "key: value" pairs. */
export function plainText(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return '—'
  if (Array.isArray(value)) return value.map((v) => plainText(v, depth + 1)).join(', ')
  if (isObj(value)) {
    const time = labelTime(value)
    if (time !== undefined) return time
    const pairs = Object.entries(value).map(([k, v]) => `${k}: ${plainText(v, depth + 1)}`)
    return depth === 0 ? pairs.join(' · ') : `(${pairs.join(', ')})`
  }
  return String(value)
}

function objectLine(type: number | undefined, o: unknown, unmapped: boolean, lang?: Lang): string {
  const describe = type === undefined ? undefined : DESCRIBE[type]
  const pieces = describe && isObj(o) ? describe(o, { unmapped, lang }) : undefined
  if (!pieces) return cut(plainText(o))
  return pieces.filter((p): p is string => p !== undefined && p !== '').join(' · ')
}

function limit(lines: string[], lang?: Lang): string[] {
  const shown = lines.length > MAX_LINES ? lines.slice(0, MAX_LINES - 1) : lines
  const rest = lines.length - shown.length
  return [...shown, ...(rest > 0 ? [t('gb.sum.more', { n: String(rest) }, lang)] : [])]
}

/** An event's summary as lines in words: one per decoded object, or one for a unit that was not decoded. */
export function summaryLines(summary: unknown, lang?: Lang): string[] {
  if (typeof summary === 'string') return [cut(summary)]
  if (Array.isArray(summary)) return limit(summary.map((item) => cut(plainText(item))), lang)
  if (!isObj(summary)) return [cut(plainText(summary))]
  const type = num(summary, 'type')
  const data = str(summary, 'data')
  if (summary.opaque === true) {
    const reason = cut(str(summary, 'reason')?.trim() ?? '', TEXT_MAX)
    return [[t('gb.sum.opaque', undefined, lang), reason, data && shortHex(data, lang)].filter(Boolean).join(' · ')]
  }
  if (summary.user_defined === true && type !== undefined) {
    return [[t('gb.sum.user_defined', { n: String(type) }, lang), data && shortHex(data, lang)].filter(Boolean).join(' · ')]
  }
  if (Array.isArray(summary.objects)) {
    const unmapped = summary.unmapped === true
    return limit(summary.objects.map((o) => objectLine(type, o, unmapped, lang)), lang)
  }
  if (Object.keys(summary).length === 0) return [t('gb.sum.empty', undefined, lang)]
  return [cut(plainText(summary))]
}
