// Commands to a transmission device (pure): who may send them, why a button is off, the 查岗 timeout, when a
// command's state is final, and how often to read it again until then (never without a limit).
import { t, type Lang } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import { ApiError } from '../../platform/http'
import type { Command, CommandKind } from './types'

/** Who sees transmission devices and sends them commands (server: roles.MANAGERS, as for gateway keys). */
export function canSeeGateways(role: Role | undefined): boolean {
  return role === 'operator' || role === 'installer' || role === 'admin'
}

/** 查岗: minutes the device has to answer. The standard's timeout is one byte (1–255); 10 is the usual default. */
export const DUTY_TIMEOUT_DEFAULT = 10
export const DUTY_TIMEOUT_MIN = 1
export const DUTY_TIMEOUT_MAX = 255

export function timeoutOk(text: string): boolean {
  const n = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(n) && n >= DUTY_TIMEOUT_MIN && n <= DUTY_TIMEOUT_MAX
}

/** Why the command buttons are off ('' when they are on): a device that is not connected cannot be reached. */
export function blockedReason(connected: boolean, lang?: Lang): string {
  return connected ? '' : t('gb.cmd.offline_reason', undefined, lang)
}

/**
 * Whether a command has its outcome. A denial or a timeout always ends it; a clock sync and an initialisation end
 * with the device's confirmation; a 查岗 only with the answer of someone on duty (or none in time).
 */
export function isFinal(command: Pick<Command, 'kind' | 'state'>): boolean {
  if (command.state === 'denied' || command.state === 'no_answer' || command.state === 'answered') return true
  return command.state === 'confirmed' && command.kind !== 'duty_check'
}

/** Read a command's state again this often: quickly while the confirmation is due, then at the page's pace. */
export const POLL_FAST_MS = 2_000
export const POLL_SLOW_MS = 5_000
/**
 * A confirmation comes within 10 s, and the sender tries 3 more times (GB/T 26875.3-2011 §6.5.4–6.5.5): after
 * 40 s the server has its outcome, so 60 s leaves room for the server's own bookkeeping.
 */
export const CONFIRM_WAIT_MS = 60_000

/** How long to keep reading a command: a 查岗 until its timeout has passed, the others until their confirmation is due. */
export function pollLimitMs(kind: CommandKind, timeoutMin: number = DUTY_TIMEOUT_DEFAULT): number {
  return kind === 'duty_check' ? timeoutMin * 60_000 + CONFIRM_WAIT_MS : CONFIRM_WAIT_MS
}

/**
 * When to read a command again, `elapsedMs` after it was sent from here: null once it is final or the limit has
 * passed (the page's own refresh then shows whatever the server concludes).
 */
export function nextPoll(command: Pick<Command, 'kind' | 'state'>, elapsedMs: number, limitMs: number): number | null {
  if (isFinal(command) || elapsedMs >= limitMs) return null
  return elapsedMs < CONFIRM_WAIT_MS ? POLL_FAST_MS : POLL_SLOW_MS
}

/** A refused command in words: 409 "传输装置未连接", otherwise the server's detail or what the network did. */
export function commandErrorText(error: unknown, describe: (e: unknown) => string, lang?: Lang): string {
  if (error instanceof ApiError && error.status === 409) return t('gb.cmd.not_connected', undefined, lang)
  return describe(error)
}

/** The request body for a command (initialise always carries the confirmation the dialog asked for). */
export function commandBody(kind: CommandKind, timeoutMin?: number): { kind: CommandKind; timeout_min?: number; confirm?: boolean } {
  if (kind === 'duty_check') return { kind, timeout_min: timeoutMin ?? DUTY_TIMEOUT_DEFAULT }
  if (kind === 'initialise') return { kind, confirm: true }
  return { kind }
}
