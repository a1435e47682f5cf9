// A remote control's outcome as the device read it back ("✓ 已分闸…" or "✕ …" with what to try), and the words for a
// control that got no answer or was refused: shared by the device page and the console's power-off requests.
import { ApiError, NetworkError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { describeError } from '../../ui/feedback'
import { resultText } from './control'
import type { ControlRecord } from './types'

/** No answer leaves the outcome unknown; 403 and the other refusals carry the server's words. */
export function controlErrorText(error: unknown): string {
  if (error instanceof NetworkError) return t('control.no_answer')
  return error instanceof ApiError ? error.detail : describeError(error)
}

export function ControlResult({ record, testid }: { record: ControlRecord; testid: string }) {
  return (
    <p
      class={record.outcome === 'done' ? 'control-result ok' : 'control-result form-error'}
      role="status"
      data-testid={testid}
      data-outcome={record.outcome}
      data-switch={record.switch ?? ''}
    >
      {record.outcome === 'done' ? '✓ ' : '✕ '}
      {resultText(record)}
    </p>
  )
}
