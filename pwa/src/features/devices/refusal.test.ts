import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { commissioning } from '../../test/fixtures'
import { requestFailureText } from './failures'
import { refusalText, refusalWords, withoutPath } from './refusal'

// What the server sends for PATCH /channels {alarm: 60} on a 32 A breaker (tests/test_installer.py).
const OVERLOAD = {
  field: 'channels.current_a.alarm',
  code: 'out_of_range',
  channel: 'current_a',
  setting: 'alarm',
  value: 60,
  min: 25.6,
  max: 46.4,
  min_open: false,
  max_open: false,
  unit: 'A',
  basis: 'rated_multiple',
  source: '0.8–1.45 × In (GB/T 10963.1 conventional tripping current 1.45 In)',
}

const refused = (extra: Record<string, unknown>, detail = 'channels.current_a.alarm: 60 is outside …') =>
  new ApiError(400, detail, typeof extra.field === 'string' ? extra.field : null, extra)

describe('a refusal in the installer’s words', () => {
  it('says a threshold out of range with its range and basis, in zh-CN and en', () => {
    expect(refusalText(refused(OVERLOAD), [], 'zh-CN')).toBe('报警值 60 A 超出允许范围 25.6–46.4 A（0.8–1.45 倍额定电流，GB/T 10963.1）')
    expect(refusalText(refused(OVERLOAD), [], 'en')).toBe(
      'Alarm 60 A is outside the allowed range 25.6–46.4 A (0.8–1.45 × rated current, GB/T 10963.1)',
    )
  })

  it('never shows the field path', () => {
    for (const lang of ['zh-CN', 'en'] as const) expect(refusalText(refused(OVERLOAD), [], lang)).not.toContain('channels.')
  })

  it('says an open bound, a device range and a basis it does not know', () => {
    const prealarm = { ...OVERLOAD, channel: 'residual_ma', setting: 'prealarm', value: 300, min: 0, max: 300, max_open: true, unit: 'mA', basis: 'below_alarm' }
    expect(refusalWords(prealarm, [], 'zh-CN')).toBe('预警值 300 mA 超出允许范围 0–300 mA，不含 300 mA（须低于报警值）')
    const device = { ...OVERLOAD, setting: 'alarm', value: 40000, min: 10, max: 30000, unit: 'mA', basis: 'device_range' }
    expect(refusalWords(device, [], 'zh-CN')).toBe('报警值 40,000 mA 超出允许范围 10–30,000 mA（设备自身的设定范围）')
    expect(refusalWords({ ...OVERLOAD, basis: 'new_rule', source: 'a newer rule' }, [], 'en')).toContain('(a newer rule)')
  })

  it('names the checklist items that need a photo, in the checklist’s words', () => {
    const { checklist } = commissioning()
    const extra = { field: 'answers', code: 'photo_required', items: ['location', 'transformer'] }
    expect(refusalWords(extra, checklist, 'zh-CN')).toBe('请为以下项目拍照：「安装位置正确」、「L、N 线同时穿过互感器」')
    expect(requestFailureText(refused(extra, 'answers: take a photo for: location'), 'en', checklist)).toBe(
      'Take a photo for: 「Installed in the right place」, 「L and N both pass through the transformer」',
    )
  })

  it('says a missing name or circuit, and a signature that is not an image', () => {
    expect(refusalWords({ field: 'circuit', code: 'required' }, [], 'zh-CN')).toBe('请选择或填写保护回路')
    expect(refusalWords({ field: 'name', code: 'required' }, [], 'zh-CN')).toBe('请填写设备名称')
    expect(refusalWords({ field: 'signature', code: 'not_image' }, [], 'en')).toBe('The signature must be an image')
  })

  it('falls back to the server’s words without the path when the code is unknown or absent', () => {
    expect(refusalText(new ApiError(400, 'link: cannot parse', 'link', { field: 'link' }), [], 'zh-CN')).toBe('cannot parse')
    expect(withoutPath('run step pair first', null)).toBe('run step pair first')
  })
})
