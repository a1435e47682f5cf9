import { afterEach, describe, expect, it } from 'vitest'
import { setLanguage } from '../../platform/i18n'
import { commissioning, commissioningDone } from '../../test/fixtures'
import type { Commissioning, CommissioningStep } from './types'
import { acceptStage, autoStepFailure, autoStepReason, nextAutoStep, signedBy } from './wired-accept'

const wired = (overrides: Partial<Commissioning> = {}) =>
  commissioning({ via: 'wired', address: 'modbus-tcp://10.0.0.9:502?unit=3', model: 'acrel-asj', device_id: 7, ...overrides })

function withStep(record: Commissioning, change: Partial<CommissioningStep> & Pick<CommissioningStep, 'step'>): Commissioning {
  return { ...record, steps: record.steps.map((s) => (s.step === change.step ? { ...s, ...change } : s)) }
}

afterEach(() => setLanguage('zh-CN'))

describe('the acceptance of a wired device', () => {
  it('starts, runs the steps before the checklist in order, then asks for the checklist', () => {
    expect(acceptStage(undefined, 'registered')).toBe('start')
    expect(acceptStage(undefined, 'commissioned')).toBe('accepted')
    const fresh = wired()
    expect(nextAutoStep(fresh)).toBe('pair')
    expect(acceptStage(fresh, 'registered')).toBe('steps')
    expect(nextAutoStep(commissioningDone(3, { via: 'wired' }))).toBe('self_test')
    const ready = commissioningDone(5, { via: 'wired' })
    expect(nextAutoStep(ready)).toBeNull()
    expect(acceptStage(ready, 'registered')).toBe('checklist')
    expect(acceptStage({ ...ready, state: 'commissioned' }, 'registered')).toBe('accepted')
  })

  it('says why a step failed, and why the others were done at once', () => {
    const failed = withStep(wired(), { step: 'pair', status: 'failed', code: 'timeout', error: 'timeout: unit 3 did not answer' })
    expect(autoStepFailure(failed)).toBe('timeout: unit 3 did not answer')
    expect(autoStepFailure(wired())).toBeNull()
    expect(autoStepFailure(withStep(wired(), { step: 'pair', status: 'failed', code: null, error: null }))).toBe(
      '设备没有应答，暂不能验收',
    )
    const ready = commissioningDone(5, { via: 'wired' })
    const pair = { ...ready.steps[0]!, result: { paired: 'wired', link: 'modbus-tcp://10.0.0.9:502?unit=3' } }
    const selfTest = { ...ready.steps[3]!, result: { supported: false, reason: 'acrel-asj has no coil' } }
    expect(autoStepReason(pair)).toBe('设备已在总线地址上应答，有线设备无需配对')
    expect(autoStepReason(selfTest)).toBe('此型号不支持远程操作，请在设备上进行')
    setLanguage('en')
    expect(autoStepReason(selfTest)).toBe('This model cannot do it remotely; do it on the device itself')
    expect(autoStepReason({ ...ready.steps[2]!, result: { values: {} } })).toBe('✓')
  })

  it('reads who signed from the accept step', () => {
    const done = withStep(commissioningDone(6, { via: 'wired', state: 'commissioned' }), {
      step: 'accept',
      result: { signed_by: '刘工', checklist_version: 1 },
    })
    expect(signedBy(done)).toBe('刘工')
    expect(signedBy(wired())).toBe('')
  })
})
