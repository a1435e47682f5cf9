// Remote control of a device (trip, close, self-test) without rendering: who is offered it, which actions a
// device has, when the confirmation may be sent, and what to say before and after. Pure.
import { label, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import { failureText } from './failures'
import type { ControlAction, ControlRecord, Device } from './types'

/** Only the operator company's monitoring centre switches circuits remotely (story 4). */
export function canControl(role: Role | undefined): boolean {
  return role === 'operator'
}

/** The order the buttons appear in, whatever order the server lists them. */
const ACTION_ORDER: readonly ControlAction[] = ['trip', 'close', 'self_test']

/** The actions the device's model supports; a server that does not send `controls` offers none. */
export function controlsOf(device: Pick<Device, 'controls'>): ControlAction[] {
  const supported = new Set(device.controls ?? [])
  return ACTION_ORDER.filter((action) => supported.has(action))
}

/**
 * The audit trail needs a reason a colleague can read later; four characters is "现场冒烟" or "test", not
 * a single keystroke.
 */
export const MIN_REASON_CHARS = 4

export function reasonOk(reason: string): boolean {
  return [...reason.trim()].length >= MIN_REASON_CHARS
}

const CONFIRM: Record<ControlAction, MessageKey> = {
  trip: 'control.confirm_trip',
  close: 'control.confirm_close',
  self_test: 'control.confirm_self_test',
}

/** What will happen, in plain words, with the device and its circuit named. */
export function confirmText(action: ControlAction, device: Pick<Device, 'name' | 'circuit'>, lang?: Lang): string {
  const circuit = device.circuit.trim() || t('control.unnamed_circuit', undefined, lang)
  return t(CONFIRM[action], { device: device.name, circuit }, lang)
}

const DONE: Record<ControlAction, MessageKey> = {
  trip: 'control.done_trip',
  close: 'control.done_close',
  self_test: 'control.done_self_test',
}

/** The outcome as read back from the device: "已分闸（设备回读确认）", or the failure with what to try. */
export function resultText(record: ControlRecord, lang?: Lang): string {
  if (record.outcome === 'done') return t(DONE[record.action] ?? 'control.done_other', undefined, lang)
  return t(
    'control.failed',
    { action: label('control_action', record.action, lang), reason: failureText(record.code, record.error, lang) },
    lang,
  )
}
