// What a commissioning step card shows once its step is done: the paired device, the live values read, the
// self-test's outcome.
import { channelLabel, formatQuantity, formatTime, label, t, type MessageKey } from '../../platform/i18n'
import { liveReadResult, liveRows, pairResult, selfTestResult } from './commission'
import type { Commissioning, CommissioningStep } from './types'

export function PairDone({ step }: { step: CommissioningStep }) {
  const result = pairResult(step)
  if (!result) return null
  return (
    <p class="step-result" data-testid="pair-result">
      ✓ {t('step.paired', { serial: result.serial })}
      {result.firmware && <span class="muted"> · {t('step.firmware', { firmware: result.firmware })}</span>}
    </p>
  )
}

/** A row of a values table: a channel's value with its unit, or the sensor fault that stands in for it. */
export interface ValueRow {
  key: string
  unit: string
  value: number | null
  fault?: string | null
}

/** Channel names and values now, as the live-read steps show them (Bluetooth and wired alike). */
export function ValuesTable({ rows, testId, rowTestId }: { rows: ValueRow[]; testId: string; rowTestId?: string }) {
  return (
    <table class="live-values" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('channel.quantity')}</th>
          <th scope="col">{t('channel.now')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.key}
            data-testid={rowTestId}
            data-channel-key={row.key}
            data-value={row.value === null ? '' : String(row.value)}
            data-fault={row.fault ?? ''}
          >
            <td>{channelLabel(row.key)}</td>
            <td class={row.fault ? 'num form-error' : 'num'}>
              {row.fault ? label('sensor_fault', row.fault) : formatQuantity(row.value, row.unit)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function LiveValues({ step, commissioning }: { step: CommissioningStep; commissioning: Commissioning }) {
  const result = liveReadResult(step)
  if (!result) return null
  const rows = liveRows(result, commissioning.channels)
  if (rows.length === 0) return <p class="muted">{t('step.live_empty')}</p>
  return <ValuesTable rows={rows} testId="live-values" />
}

const SELF_TEST_PASSED: Record<'leakage' | 'arc', [withPeak: MessageKey, without: MessageKey, unit: string]> = {
  leakage: ['step.self_test_passed', 'step.self_test_passed_nopeak', 'mA'],
  arc: ['step.self_test_passed_arc', 'step.self_test_passed_arc_nopeak', 'half-cycles/s'],
}

export function SelfTestDone({ step }: { step: CommissioningStep }) {
  const result = selfTestResult(step)
  if (!result) return null
  const [withPeak, without, unit] = SELF_TEST_PASSED[result.kind]
  return (
    <div class="step-result" data-testid="self-test-result">
      <p>
        ✓ {result.peak === null ? t(without) : t(withPeak, { peak: formatQuantity(result.peak, unit) })}
      </p>
      {result.raised_at !== null && result.cleared_at !== null && (
        <p class="muted">
          {t('step.self_test_times', {
            raised: formatTime(result.raised_at * 1000),
            cleared: formatTime(result.cleared_at * 1000),
          })}
        </p>
      )}
    </div>
  )
}
