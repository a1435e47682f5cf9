import { describe, expect, it } from 'vitest'
import { setLanguage } from '../../platform/i18n'
import { alarm } from '../../test/fixtures'
import { place } from './AlarmList'

describe('where an alarm is, in words a care-home director knows', () => {
  setLanguage('zh-CN')

  it('names the circuit and the quantity, not the device model or the key', () => {
    expect(place(alarm(1, { circuit: '插座回路' }))).toBe('插座回路 · 剩余电流')
  })

  it("prefers the channel's own label when an installer gave one", () => {
    expect(place(alarm(1, { circuit: '插座回路', channel: 'temp_c_2' }), { label: '二楼走廊照明 进线端子' }))
      .toBe('二楼走廊照明 进线端子')
  })

  it("falls back to the device's name without a circuit, and to the device alone for a device-level alarm", () => {
    expect(place(alarm(1))).toBe('插座回路断路器 · 剩余电流')
    expect(place(alarm(2, { channel: null, channel_id: null, level: 'offline', cause: 'offline' }))).toBe('插座回路断路器')
  })
})
