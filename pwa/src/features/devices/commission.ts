// The rules of commissioning one Bluetooth device, without rendering: which steps there are and in what
// order, which one may run now, the request body of each step from its form, and the scan list. Pure: data
// in, data out.
//
// Invariant: the server is the judge of the order (409 names the step to do first); the screen only avoids
// offering a step whose earlier steps are not done, so the installer is not sent into a refusal.
import { t, type Lang } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import type {
  AcceptBody,
  BleDevice,
  ChecklistAnswer,
  ChecklistItem,
  Commissioning,
  CommissioningChannel,
  CommissioningStep,
  IdentifyBody,
  LiveReadResult,
  PairResult,
  SelfTestResult,
  StepName,
  ThresholdsBody,
} from './types'

/** The steps in the order the server takes them. */
export const STEPS: readonly StepName[] = ['pair', 'identify', 'live_read', 'self_test', 'thresholds', 'accept']

/** Roles the server lets scan and commission; others are not offered the screen. */
const COMMISSION_ROLES: ReadonlySet<Role> = new Set(['installer', 'operator', 'admin'])

export function canCommission(role: Role | undefined): boolean {
  return role !== undefined && COMMISSION_ROLES.has(role)
}

// ---- Scan ----

/** Strongest signal first (the device the installer stands next to); ties by address, so the list is stable. */
export function sortByRssi(devices: readonly BleDevice[]): BleDevice[] {
  return [...devices].sort((a, b) => b.rssi - a.rssi || a.address.localeCompare(b.address))
}

// Signal bars as phones draw them. Below about -90 dBm a BLE connection rarely holds; above -60 dBm the
// installer is within a few metres with a clear line of sight.
const BAR_FLOORS_DBM = [-90, -80, -70, -60] as const

/** 0 to 4 bars for an RSSI in dBm. */
export function signalBars(rssi: number): number {
  return BAR_FLOORS_DBM.filter((floor) => rssi >= floor).length
}

/** A device registered at another site belongs to someone else: it cannot be commissioned here. */
export function isSelectable(device: BleDevice): boolean {
  return device.known !== 'elsewhere'
}

// ---- Steps ----

/** The step's record, or a pending one if the server has not listed it. */
export function stepOf(commissioning: Commissioning, step: StepName): CommissioningStep {
  return (
    commissioning.steps.find((s) => s.step === step) ?? {
      step,
      status: 'pending',
      at: null,
      code: null,
      error: null,
      result: null,
    }
  )
}

export function isDone(commissioning: Commissioning, step: StepName): boolean {
  return stepOf(commissioning, step).status === 'done'
}

/** The first step that is not done yet; null when all are. */
export function nextStep(commissioning: Commissioning): StepName | null {
  return STEPS.find((step) => !isDone(commissioning, step)) ?? null
}

/** The first earlier step that is not done, which must be done before `step`; null when there is none. */
export function blockedBy(commissioning: Commissioning, step: StepName): StepName | null {
  const earlier = STEPS.slice(0, STEPS.indexOf(step))
  return earlier.find((s) => !isDone(commissioning, s)) ?? null
}

export function isCommissioned(commissioning: Commissioning): boolean {
  return commissioning.state === 'commissioned'
}

/**
 * Whether the run button of `step` is offered: while the commissioning is open and every earlier step is
 * done. A done step may run again (identify once more to find the box, re-read live values) until acceptance.
 */
export function canRun(commissioning: Commissioning, step: StepName): boolean {
  return !isCommissioned(commissioning) && blockedBy(commissioning, step) === null
}

// ---- Step results (the server's `result`, checked before use) ----

function record(step: CommissioningStep): Record<string, unknown> | null {
  return step.status === 'done' && step.result && typeof step.result === 'object' ? step.result : null
}

export function pairResult(step: CommissioningStep): PairResult | null {
  const r = record(step)
  return r && typeof r.serial === 'string' ? (r as unknown as PairResult) : null
}

export function liveReadResult(step: CommissioningStep): LiveReadResult | null {
  const r = record(step)
  return r && r.values && typeof r.values === 'object' ? (r as unknown as LiveReadResult) : null
}

export function selfTestResult(step: CommissioningStep): SelfTestResult | null {
  const r = record(step)
  return r && (r.kind === 'leakage' || r.kind === 'arc') ? (r as unknown as SelfTestResult) : null
}

/** Live values in the order of the device's channels, then any the device sent besides. */
export function liveRows(
  result: LiveReadResult,
  channels: readonly CommissioningChannel[],
): { key: string; value: number; unit: string }[] {
  const order = channels.map((c) => c.key)
  const keys = Object.keys(result.values).sort((a, b) => {
    const ia = order.indexOf(a)
    const ib = order.indexOf(b)
    return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib) || a.localeCompare(b)
  })
  return keys.map((key) => ({
    key,
    value: result.values[key] as number,
    unit: result.units?.[key] ?? channels.find((c) => c.key === key)?.unit ?? '',
  }))
}

/** What the self-test simulates: a fault arc on an arc detector, a residual current on everything else. */
export function selfTestKind(commissioning: Commissioning): 'leakage' | 'arc' {
  return commissioning.kind === 'arc' ? 'arc' : 'leakage'
}

// ---- Forms to request bodies ----

/** A form field the user typed that is not a number. */
export interface Invalid {
  invalid: string
}

/** A number typed by the user ("32", " 0.5 "), or undefined for an empty or non-numeric field. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.')
  if (trimmed === '') return undefined
  const value = Number(trimmed)
  return Number.isFinite(value) ? value : undefined
}

export interface IdentifyForm {
  name: string
  circuit: string
  /** Rated current in A; only breakers have one. */
  rated: string
}

export const EMPTY_IDENTIFY: IdentifyForm = { name: '', circuit: '', rated: '' }

export function hasRatedCurrent(kind: string): boolean {
  return kind === 'breaker'
}

/** The identify body: name and circuit required; the rated current only for a breaker, when given. */
export function identifyBody(form: IdentifyForm, kind: string): IdentifyBody | Invalid {
  if (!form.name.trim()) return { invalid: 'name' }
  if (!form.circuit.trim()) return { invalid: 'circuit' }
  const body: IdentifyBody = { name: form.name.trim(), circuit: form.circuit.trim() }
  if (hasRatedCurrent(kind) && form.rated.trim()) {
    const rated = parseNumber(form.rated)
    if (rated === undefined) return { invalid: 'rated_current_a' }
    body.rated_current_a = rated
  }
  return body
}

/** The settings the thresholds form edits, where a channel has them. */
export const THRESHOLD_SETTINGS = ['prealarm', 'alarm', 'delay_s'] as const
export type ThresholdSetting = (typeof THRESHOLD_SETTINGS)[number]

/** channel key → setting → the text in its input. */
export type ThresholdForm = Record<string, Partial<Record<ThresholdSetting, string>>>

/** The form pre-filled with the channels' current settings (the standards' defaults on a new device). */
export function thresholdForm(channels: readonly CommissioningChannel[]): ThresholdForm {
  const form: ThresholdForm = {}
  for (const channel of channels) {
    const fields: Partial<Record<ThresholdSetting, string>> = {}
    for (const setting of THRESHOLD_SETTINGS) {
      const value = channel.settings[setting]
      if (typeof value === 'number') fields[setting] = String(value)
    }
    if (Object.keys(fields).length > 0) form[channel.key] = fields
  }
  return form
}

/** Every value of the form (sending unchanged ones is harmless); `invalid` names the first bad field. */
export function thresholdsBody(form: ThresholdForm): ThresholdsBody | Invalid {
  const channels: ThresholdsBody['channels'] = {}
  for (const [key, fields] of Object.entries(form)) {
    const settings: Record<string, number> = {}
    for (const setting of THRESHOLD_SETTINGS) {
      const text = fields[setting]
      if (text === undefined) continue
      const value = parseNumber(text)
      if (value === undefined) return { invalid: `channels.${key}.${setting}` }
      settings[setting] = value
    }
    channels[key] = settings
  }
  return { channels }
}

export function isInvalid<T extends object>(value: T | Invalid): value is Invalid {
  return 'invalid' in value
}

/** The installer's answers so far: checklist key → answer, note and the photos taken for it (sha256). */
export type Answers = Record<string, { answer?: ChecklistAnswer; note?: string; attachments?: string[] }>

/** Checklist items without an answer yet. */
export function unanswered(checklist: readonly ChecklistItem[], answers: Answers): string[] {
  return checklist.filter((item) => !answers[item.key]?.answer).map((item) => item.key)
}

/** Items that ask for a photo and have none, unless answered "does not apply" (the server refuses them too). */
export function photosMissing(checklist: readonly ChecklistItem[], answers: Answers): string[] {
  return checklist
    .filter((item) => item.photo && answers[item.key]?.answer !== 'na' && !(answers[item.key]?.attachments ?? []).length)
    .map((item) => item.key)
}

/** Why the acceptance cannot be sent yet, first things first; null when it can. */
export type AcceptBlocker = 'unanswered' | 'photos' | 'signer' | 'drawing'

export function acceptBlocker(checklist: readonly ChecklistItem[], answers: Answers, signedBy: string, drawn: string | null | undefined): AcceptBlocker | null {
  if (unanswered(checklist, answers).length > 0) return 'unanswered'
  if (photosMissing(checklist, answers).length > 0) return 'photos'
  if (!signedBy.trim()) return 'signer'
  if (!drawn) return 'drawing'
  return null
}

/** What is still missing before the acceptance can be sent, in words ("还有 2 项未检查"); undefined when nothing is. */
export function acceptBlockerText(checklist: readonly ChecklistItem[], answers: Answers, signedBy: string, drawn: string | null | undefined, lang?: Lang): string | undefined {
  switch (acceptBlocker(checklist, answers, signedBy, drawn)) {
    case null:
      return undefined
    case 'unanswered':
      return t('accept.missing', { count: unanswered(checklist, answers).length }, lang)
    case 'photos':
      return t('accept.photos_missing', { count: photosMissing(checklist, answers).length }, lang)
    case 'signer':
      return t('accept.no_signature', undefined, lang)
    case 'drawing':
      return t('accept.no_drawn_signature', undefined, lang)
  }
}

/** The accept body, or null while an item is unanswered, a photo is missing, or nobody has signed (name and drawing). */
export function acceptBody(checklist: readonly ChecklistItem[], answers: Answers, signedBy: string, drawn: string | null | undefined): AcceptBody | null {
  if (acceptBlocker(checklist, answers, signedBy, drawn) !== null || !drawn) return null
  return {
    answers: checklist.map((item) => {
      const { answer, note, attachments } = answers[item.key] ?? {}
      const trimmed = note?.trim()
      return {
        key: item.key,
        answer: answer!,
        ...(trimmed ? { note: trimmed } : {}),
        ...(attachments?.length && answer !== 'na' ? { attachments: [...new Set(attachments)] } : {}),
      }
    }),
    signed_by: signedBy.trim(),
    signature: drawn,
  }
}

/** A checklist item's text in `lang`, else in the other language, else its key. */
export function checklistText(item: ChecklistItem, lang: Lang): string {
  return item.text[lang] || item.text['zh-CN'] || item.text.en || item.key
}

/** The field a 400 names ("channels.residual_ma.alarm: must be in [20, 1000] mA"), to mark its input. */
export function invalidThreshold(detail: string): { channel: string; setting: string } | null {
  const match = /^channels\.([\w-]+)\.(\w+)/.exec(detail)
  return match?.[1] && match[2] ? { channel: match[1], setting: match[2] } : null
}
