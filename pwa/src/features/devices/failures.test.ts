import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { en } from '../../platform/i18n/en'
import { zhCN } from '../../platform/i18n/zh-CN'
import { failureText, isKnownFailure, requestFailureText } from './failures'

const CODES = [
  'not_found',
  'timeout',
  'pairing_failed',
  'encryption_required',
  'link_lost',
  'no_reply',
  'self_test_no_alarm',
  'self_test_not_cleared',
  'unsupported',
  'box_unreachable',
  'box_no_answer',
  'box_expired',
  'box_unknown_device',
  'box_no_radio',
] as const

describe('failureText', () => {
  it.each(CODES)('%s has advice in both languages', (code) => {
    expect(isKnownFailure(code)).toBe(true)
    const key = `failure.${code}` as const
    expect(failureText(code, 'raw server text', 'zh-CN')).toBe(zhCN.messages[key])
    expect(failureText(code, null, 'en')).toBe(en.messages[key])
  })

  it('says what to try', () => {
    expect(failureText('not_found', null, 'zh-CN')).toBe('找不到设备：请靠近设备，并确认设备已通电。')
    expect(failureText('pairing_failed', null, 'en')).toBe("Pairing failed: hold the device's pair button, then try again.")
  })

  it("falls back to the server's text, then to the code", () => {
    expect(isKnownFailure('battery_low')).toBe(false)
    expect(failureText('battery_low', 'Battery too low to pair', 'zh-CN')).toBe('Battery too low to pair')
    expect(failureText('battery_low', null, 'zh-CN')).toBe('操作失败（battery_low）')
    expect(failureText(null, null, 'en')).toBe('Failed. Please try again.')
    expect(isKnownFailure('toString')).toBe(false) // not from the prototype
  })
})

describe('requestFailureText', () => {
  it('says the server has no radio on 503', () => {
    expect(requestFailureText(new ApiError(503, 'no Bluetooth adapter'), 'zh-CN')).toBe(
      '此服务器没有蓝牙，请连接现场站点盒后调试',
    )
  })

  it("shows the server's detail for refusals, without the field path", () => {
    const bad = new ApiError(400, 'channels.residual_ma.alarm: must be in [20, 1000] mA', 'channels.residual_ma.alarm')
    expect(requestFailureText(bad, 'en')).toBe('must be in [20, 1000] mA')
    expect(requestFailureText(new ApiError(409, 'run step pair first'), 'en')).toBe('run step pair first')
  })

  it('says no answer came when the network failed', () => {
    expect(requestFailureText(new NetworkError('x'), 'en')).toBe(en.messages['commission.no_answer'])
  })
})
