// What a commissioning step card shows once its step is done: the paired device, the live values read, the
// self-test's outcome.
import { channelLabel, formatQuantity, formatTime, t, type MessageKey } from '../../platform/i18n'
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

export function LiveValues({ step, commissioning }: { step: CommissioningStep; commissioning: Commissioning }) {
  const result = liveReadResult(step)
  if (!result) return null
  const rows = liveRows(result, commissioning.channels)
  if (rows.length === 0) return <p class="muted">{t('step.live_empty')}</p>
  return (
    <table class="live-values" data-testid="live-values">
      <thead>
        <tr>
          <th scope="col">{t('channel.quantity')}</th>
          <th scope="col">{t('channel.now')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} data-channel-key={row.key}>
            <td>{channelLabel(row.key)}</td>
            <td class="num">{formatQuantity(row.value, row.unit)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
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
