// The rules of commissioning one wired device, without rendering: which models a found unit may be, the
// registration body from its form, the live values with their faults, and the device's own alarm levels with the
// words of their confirmation. Pure: data in, data out.
import { formatQuantity, t, type Lang, type MessageKey } from '../../platform/i18n'
import { schemeOf, unitLink } from './bus-link'
import { parseNumber } from './commission'
import type {
  Channel,
  DeviceModel,
  FoundUnit,
  ModelThreshold,
  WiredDeviceBody,
  WiredReading,
  WiredThresholdsBody,
  WiredThresholdsWritten,
} from './types'

export const WIRED_SCHEMES = ['modbus-rtu', 'modbus-tcp', 'modbus-rtu-tcp'] as const

/** Models a device on `bus` may be: they speak its scheme (any wired scheme when the bus is not known). */
export function wiredModels(models: readonly DeviceModel[], bus?: string): DeviceModel[] {
  const scheme = bus ? schemeOf(bus) : ''
  return models.filter((m) =>
    scheme ? m.links.includes(scheme) : m.links.some((l) => (WIRED_SCHEMES as readonly string[]).includes(l)),
  )
}

/** The models offered for a found unit: its candidates, else every wired model of the bus's scheme. */
export function modelChoices(found: FoundUnit, models: readonly DeviceModel[], bus: string): string[] {
  const candidates = found.model && !found.candidates.includes(found.model) ? [found.model, ...found.candidates] : found.candidates
  if (candidates.length > 0) return candidates
  return wiredModels(models, bus).map((m) => m.model)
}

/** The guess, else the only candidate, else nothing chosen yet. */
export function defaultModel(found: FoundUnit): string {
  return found.model ?? (found.candidates.length === 1 ? found.candidates[0]! : '')
}

/** A model's name in `lang`, else in the other language, else its code. */
export function modelName(model: string, models: readonly DeviceModel[], lang: Lang): string {
  const m = models.find((x) => x.model === model)
  return m?.name[lang] || m?.name['zh-CN'] || m?.name.en || model
}

// ---- Registration ----

export interface RegisterForm {
  model: string
  name: string
  circuit: string
  serial: string
  /** Seconds; empty: the model's own interval. */
  interval: string
}

export type RegisterField = 'model' | 'name' | 'circuit' | 'serial' | 'poll_interval_s'

/** A serial as the server takes it (server/devices/schemas.py DeviceCreate.serial). */
const SERIAL = /^[A-Za-z0-9_.:-]{1,64}$/

/** A serial to start from when the installer has none at hand: the unit's address on its bus. */
export function suggestedSerial(unit: number): string {
  return `unit-${unit}`
}

export function registerForm(found: FoundUnit): RegisterForm {
  return { model: defaultModel(found), name: '', circuit: '', serial: suggestedSerial(found.unit), interval: '' }
}

export type RegisterResult =
  | { ok: true; body: WiredDeviceBody }
  | { ok: false; errors: Partial<Record<RegisterField, MessageKey>> }

/** The registration body, or what to correct: a model, a name and the protected circuit are required. */
export function registerBody(form: RegisterForm, bus: string, unit: number): RegisterResult {
  const errors: Partial<Record<RegisterField, MessageKey>> = {}
  if (!form.model) errors.model = 'wired.error_model'
  if (!form.name.trim()) errors.name = 'wired.error_name'
  if (!form.circuit.trim()) errors.circuit = 'wired.error_circuit'
  if (!SERIAL.test(form.serial.trim())) errors.serial = 'wired.error_serial'
  let interval: number | undefined
  if (form.interval.trim()) {
    interval = parseNumber(form.interval)
    if (interval === undefined || interval < 1 || interval > 86400) errors.poll_interval_s = 'wired.error_interval'
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  const body: WiredDeviceBody = {
    serial: form.serial.trim(),
    model: form.model,
    name: form.name.trim(),
    circuit: form.circuit.trim(),
    link: unitLink(bus, unit),
  }
  if (interval !== undefined) body.poll_interval_s = interval
  return { ok: true, body }
}

/** The form field a refusal names (ApiError.field, or the start of a 409's detail), if the form has it. */
export function fieldOf<F extends string>(fields: readonly F[], field: string | null, detail = ''): F | null {
  const named = field ?? /^(\w+):/.exec(detail)?.[1] ?? null
  return named !== null && (fields as readonly string[]).includes(named) ? (named as F) : null
}

// ---- Live values ----

export interface ReadingRow {
  key: string
  unit: string
  value: number | null
  fault: string | null
}

/** The device's channels in their order, each with its value or its fault, then any other value sent. */
export function readingRows(reading: WiredReading, channels: readonly Pick<Channel, 'key' | 'unit'>[]): ReadingRow[] {
  const keys = [...channels.map((c) => c.key)]
  for (const key of [...Object.keys(reading.values), ...Object.keys(reading.faults)].sort()) {
    if (!keys.includes(key)) keys.push(key)
  }
  return keys
    .filter((key) => key in reading.values || key in reading.faults)
    .map((key) => ({
      key,
      unit: channels.find((c) => c.key === key)?.unit ?? '',
      value: reading.values[key] ?? null,
      fault: reading.faults[key] ?? null,
    }))
}

// ---- The device's own alarm levels ----

export type LevelSetting = 'alarm' | 'prealarm'

/** The levels of each channel the model keeps in the device, in the order alarm, pre-alarm. */
export function deviceLevels(model: DeviceModel | undefined): Map<string, ModelThreshold[]> {
  const out = new Map<string, ModelThreshold[]>()
  for (const setting of ['alarm', 'prealarm'] as const) {
    for (const level of model?.thresholds ?? []) {
      if (level.setting === setting) out.set(level.channel, [...(out.get(level.channel) ?? []), level])
    }
  }
  return out
}

/** setting → the text in its input. */
export type LevelForm = Partial<Record<LevelSetting, string>>

/** Pre-filled with andian's settings of the channel (the standards' defaults on a new device). */
export function levelForm(levels: readonly ModelThreshold[], channel: Channel | undefined): LevelForm {
  const form: LevelForm = {}
  for (const level of levels) {
    const value = channel?.settings[level.setting]
    form[level.setting] = typeof value === 'number' ? String(value) : ''
  }
  return form
}

export type LevelsResult =
  | { ok: true; body: WiredThresholdsBody }
  | { ok: false; field: LevelSetting; error: string }

/** The write's body, or the field to correct: a number within the device's range. */
export function levelsBody(channel: string, levels: readonly ModelThreshold[], form: LevelForm, unit: string): LevelsResult {
  const body: WiredThresholdsBody = { channel, confirm: true }
  for (const level of levels) {
    const text = form[level.setting] ?? ''
    if (!text.trim()) continue
    const value = parseNumber(text)
    if (value === undefined) return { ok: false, field: level.setting, error: t('wired.error_number') }
    if (value < level.min || value > level.max) {
      const range = `${formatQuantity(level.min, '')}–${formatQuantity(level.max, unit)}`
      return { ok: false, field: level.setting, error: t('wired.error_level_range', { range }) }
    }
    // The device keeps raw = value / scale in a register: only whole steps (docs/devices.md "[[thresholds]]").
    const steps = value / (level.scale ?? 1)
    if (Math.abs(steps - Math.round(steps)) > 1e-6) {
      return { ok: false, field: level.setting, error: t('wired.error_level_step', { step: formatQuantity(level.scale ?? 1, unit) }) }
    }
    body[level.setting] = value
  }
  if (body.alarm === undefined && body.prealarm === undefined) {
    return { ok: false, field: levels[0]?.setting ?? 'alarm', error: t('wired.error_level_missing') }
  }
  return { ok: true, body }
}

function levelsText(values: { alarm?: number; prealarm?: number }, unit: string, labelAlarm: boolean, lang?: Lang): string {
  const parts: string[] = []
  if (values.alarm !== undefined) {
    const value = formatQuantity(values.alarm, unit, lang)
    parts.push(labelAlarm ? t('wired.level_alarm', { value }, lang) : value)
  }
  if (values.prealarm !== undefined) {
    parts.push(t('wired.level_prealarm', { value: formatQuantity(values.prealarm, unit, lang) }, lang))
  }
  return parts.join(' / ')
}

/** "将修改设备内的报警值：300 mA / 预警 240 mA，确认写入？" */
export function confirmLevelsText(body: WiredThresholdsBody, unit: string, lang?: Lang): string {
  if (body.alarm === undefined) {
    return t('wired.confirm_prealarm', { value: formatQuantity(body.prealarm, unit, lang) }, lang)
  }
  return t('wired.confirm_levels', { levels: levelsText(body, unit, false, lang) }, lang)
}

/** What the device holds after the write, as it read back: "设备回读：报警 300 mA / 预警 240 mA". */
export function readBackText(written: WiredThresholdsWritten, unit: string, lang?: Lang): string {
  return t('wired.read_back', { levels: levelsText(written.read_back, unit, true, lang) }, lang)
}
