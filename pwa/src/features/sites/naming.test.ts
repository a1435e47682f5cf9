import { describe, expect, it } from 'vitest'
import { channelName, devicePlace } from './naming'

describe('channelName', () => {
  it("uses the installer's label first, trimmed", () => {
    expect(channelName({ key: 'temp_c_2', label: ' 二楼走廊照明 进线端子 ' }, { circuit: '照明回路' }, 'zh-CN')).toBe(
      '二楼走廊照明 进线端子',
    )
  })

  it.each([
    ['residual_ma', { circuit: '插座回路', name: '插座回路断路器' }, 'zh-CN', '插座回路 · 剩余电流'],
    ['temp_c_2', { circuit: '一层总进线', name: '组合式探测器' }, 'zh-CN', '一层总进线 · 温度 2'],
    ['current_a_l2', { circuit: '', name: '冷柜回路断路器' }, 'zh-CN', '冷柜回路断路器 · 电流 L2'],
    ['residual_ma', { circuit: 'Sockets' }, 'en', 'Sockets · Residual current'],
    ['arc', undefined, 'zh-CN', '故障电弧'],
  ] as const)('without a label: %s at %o → circuit · quantity', (key, device, lang, want) => {
    expect(channelName({ key, label: '' }, device, lang)).toBe(want)
  })

  it('a blank label or an older server without the field falls back too, never to the bare key', () => {
    expect(channelName({ key: 'temp_c_2', label: '   ' }, { circuit: '厨房' }, 'zh-CN')).toBe('厨房 · 温度 2')
    expect(channelName({ key: 'temp_c_2' }, { circuit: '厨房' }, 'zh-CN')).not.toContain('temp_c')
  })

  it('devicePlace: the circuit, else the name', () => {
    expect(devicePlace({ circuit: '插座回路', name: 'x' })).toBe('插座回路')
    expect(devicePlace({ circuit: '', name: '充电桩探测器' })).toBe('充电桩探测器')
  })
})
