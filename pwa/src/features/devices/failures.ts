// What to tell the user when a device operation fails — a commissioning step or a remote control — and
// when the request itself did not get through. The words are in the i18n catalogs (failure.*); this module
// picks them.
import { ApiError, NetworkError } from '../../platform/http'
import { t, type Lang, type MessageKey } from '../../platform/i18n'
import { refusalText } from './refusal'
import type { ChecklistItem, DeviceFailureCode } from './types'

/** Each failure code the server sends, with what to try. */
const ADVICE: Record<DeviceFailureCode, MessageKey> = {
  not_found: 'failure.not_found',
  timeout: 'failure.timeout',
  pairing_failed: 'failure.pairing_failed',
  encryption_required: 'failure.encryption_required',
  link_lost: 'failure.link_lost',
  no_reply: 'failure.no_reply',
  self_test_no_alarm: 'failure.self_test_no_alarm',
  self_test_not_cleared: 'failure.self_test_not_cleared',
  unsupported: 'failure.unsupported',
  box_unreachable: 'failure.box_unreachable',
  box_no_answer: 'failure.box_no_answer',
  box_expired: 'failure.box_expired',
  box_unknown_device: 'failure.box_unknown_device',
  box_no_radio: 'failure.box_no_radio',
}

export function isKnownFailure(code: string | null | undefined): code is DeviceFailureCode {
  return typeof code === 'string' && Object.hasOwn(ADVICE, code)
}

/**
 * The failure in words with what to try: the catalog's text for a known code, else the server's own
 * `error`, else the bare code.
 */
export function failureText(code: string | null | undefined, error: string | null | undefined, lang?: Lang): string {
  if (isKnownFailure(code)) return t(ADVICE[code], undefined, lang)
  if (error) return error
  return code ? t('failure.unknown', { code }, lang) : t('failure.generic', undefined, lang)
}

/**
 * A request that did not get an answer the screen can use. 503 from a device endpoint means the server has
 * no Bluetooth radio; a refusal the server sent as data (extra.code) is said in the installer's language
 * (refusal.ts), others (409 names the step to do first, 403) carry the server's own words without a field path.
 */
export function requestFailureText(error: unknown, lang?: Lang, checklist: readonly ChecklistItem[] = []): string {
  if (error instanceof ApiError) {
    if (error.status === 503) return t('commission.no_radio', undefined, lang)
    return refusalText(error, checklist, lang)
  }
  if (error instanceof NetworkError) return t('commission.no_answer', undefined, lang)
  return String(error)
}
