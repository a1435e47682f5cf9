// The city platform uplink in the console (pure): a 查岗's state now and its countdown, the order the checks are
// shown in, the platform clock's offset and a refused answer in words.
import { ApiError } from '../../platform/http'
import { formatNumber, t, type Lang } from '../../platform/i18n'
import type { DutyCheck, DutyCheckState } from './types'

/** The console reads the uplink this often while it is on screen. */
export const UPLINK_REFRESH_MS = 10_000

/**
 * A 查岗's state at `nowS` (Unix seconds): the server's, except that a pending one whose deadline has passed is
 * expired already (the next read will say so too).
 */
export function dutyState(check: Pick<DutyCheck, 'state' | 'deadline'>, nowS: number): DutyCheckState {
  if (check.state === 'pending' && nowS >= check.deadline) return 'expired'
  return check.state
}

/** Whole seconds left to answer (0 once the deadline has passed). */
export function secondsLeft(check: Pick<DutyCheck, 'deadline'>, nowS: number): number {
  return Math.max(0, Math.ceil(check.deadline - nowS))
}

/** A countdown as the clock shows it: 605 → "10:05", 59 → "0:59", 3700 → "1:01:40". */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const hours = Math.floor(s / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

/** Under a minute left: the countdown turns red. */
export const URGENT_S = 60

/** Pending ones first, soonest deadline first; then the others, newest first. */
export function sortDutyChecks(checks: readonly DutyCheck[], nowS: number): DutyCheck[] {
  const pending = (c: DutyCheck) => dutyState(c, nowS) === 'pending'
  return [...checks].sort(
    (a, b) => Number(pending(b)) - Number(pending(a)) || (pending(a) ? a.deadline - b.deadline : b.received_at - a.received_at),
  )
}

/** The platform's clock against the server's ("平台时钟快 3 秒"); within half a second, "一致". */
export function offsetText(offsetS: number, lang?: Lang): string {
  if (Math.abs(offsetS) < 0.5) return t('uplink.clock_same', undefined, lang)
  const value = formatNumber(Math.abs(offsetS), lang)
  return t(offsetS > 0 ? 'uplink.clock_ahead' : 'uplink.clock_behind', { value }, lang)
}

/** A refused answer: 409 the check is over (answered or expired), 503 the platform is not connected. */
export function answerErrorText(error: unknown, describe: (e: unknown) => string, lang?: Lang): string {
  if (error instanceof ApiError && error.status === 409) return t('uplink.answer_over', { detail: error.detail }, lang)
  if (error instanceof ApiError && error.status === 503) return t('uplink.answer_offline', undefined, lang)
  return describe(error)
}
