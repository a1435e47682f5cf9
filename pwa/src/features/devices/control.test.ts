import { describe, expect, it } from 'vitest'
import { controlRecord } from '../../test/fixtures'
import { canControl, confirmText, controlsOf, reasonOk, resultText } from './control'

const device = { name: '1 号商铺灭弧断路器', circuit: '照明回路' }

describe('who and what', () => {
  it.each([
    ['operator', true],
    ['admin', false],
    ['installer', false],
    ['owner', false],
    [undefined, false],
  ] as const)('%s may control: %s', (role, expected) => {
    expect(canControl(role)).toBe(expected)
  })

  it('lists the supported actions in a fixed order; missing means none', () => {
    expect(controlsOf({ controls: ['self_test', 'trip', 'close'] })).toEqual(['trip', 'close', 'self_test'])
    expect(controlsOf({ controls: ['trip'] })).toEqual(['trip'])
    expect(controlsOf({ controls: [] })).toEqual([])
    expect(controlsOf({})).toEqual([])
  })
})

describe('confirmation', () => {
  it.each([
    ['', false],
    ['abc', false],
    ['  ab  ', false],
    ['现场冒烟', true],
    ['test', true],
    ['  电弧报警  ', true],
  ] as const)('reason %j is enough: %s', (reason, ok) => {
    expect(reasonOk(reason)).toBe(ok)
  })

  it('says plainly what a trip does', () => {
    expect(confirmText('trip', device, 'zh-CN')).toBe(
      '将断开「1 号商铺灭弧断路器」所保护的回路「照明回路」的电源，现场用电设备会停电。',
    )
    expect(confirmText('trip', device, 'en')).toBe(
      'This will cut the power of circuit “照明回路” protected by “1 号商铺灭弧断路器”: the appliances on it will lose power.',
    )
    expect(confirmText('trip', { ...device, circuit: ' ' }, 'zh-CN')).toContain('回路「未命名」')
    expect(confirmText('close', device, 'zh-CN')).toContain('重新接通')
    expect(confirmText('self_test', device, 'zh-CN')).toContain('自检')
  })
})

describe('outcome', () => {
  it('reports what the device read back', () => {
    expect(resultText(controlRecord(), 'zh-CN')).toBe('已分闸（设备回读确认）')
    expect(resultText(controlRecord({ action: 'close', switch: 'closed' }), 'zh-CN')).toBe('已合闸（设备回读确认）')
    expect(resultText(controlRecord({ action: 'self_test', switch: null }), 'zh-CN')).toBe('自检完成')
  })

  it('reports a failure with what to try', () => {
    const failed = controlRecord({ outcome: 'failed', switch: 'closed', code: 'timeout', error: 'no reply in 5 s' })
    expect(resultText(failed, 'zh-CN')).toBe('远程分闸失败：设备没有响应：请靠近设备后重试。')
    expect(resultText({ ...failed, code: 'weird', error: 'breaker jammed' }, 'en')).toBe('Remote trip failed: breaker jammed')
  })
})
