import { describe, expect, it } from 'vitest'
import { controlRecord, siteDetail } from '../../test/fixtures'
import { newerSwitch, openDetail, switchOfControl, switchOfDevice, switchOfEvent, withSwitches, type DeviceSwitch } from './switch'

const AT = new Date(2025, 10, 23, 9, 37).getTime() / 1000 // local time: the same words in any time zone
const closed: DeviceSwitch = { switch: 'closed', switch_at: AT - 3600, switch_by: null }
const opened: DeviceSwitch = { switch: 'open', switch_at: AT, switch_by: '值班员 王' }

describe('the breaker as read', () => {
  it('reads the state, when and who; missing (older servers, saved copies) is unknown', () => {
    expect(switchOfDevice({ switch: 'open', switch_at: AT, switch_by: '王' })).toEqual({ switch: 'open', switch_at: AT, switch_by: '王' })
    expect(switchOfDevice({ switch: 'closed' })).toEqual({ switch: 'closed', switch_at: null, switch_by: null })
    expect(switchOfDevice({})).toEqual({ switch: null, switch_at: null, switch_by: null })
  })

  it('takes a live device event as it comes', () => {
    const event = { device_id: 112, site_id: 12, switch: 'open' as const, switch_at: AT, switch_by: null }
    expect(switchOfEvent(event)).toEqual({ switch: 'open', switch_at: AT, switch_by: null })
  })
})

describe('switchOfControl', () => {
  it('a trip read back as open: changed now, by the operator who sent it', () => {
    expect(switchOfControl(controlRecord({ switch: 'open', at: AT, by: '值班员 王' }), closed)).toEqual(opened)
  })

  it('keeps the breaker when the device read nothing back, or it was in that state already', () => {
    expect(switchOfControl(controlRecord({ outcome: 'failed', switch: null }), closed)).toBe(closed)
    expect(switchOfControl(controlRecord({ action: 'close', switch: 'closed' }), closed)).toBe(closed)
  })
})

describe('newerSwitch', () => {
  it('takes the later report, unless the earlier one says it changed later', () => {
    expect(newerSwitch(closed, opened)).toBe(opened)
    expect(newerSwitch(opened, closed)).toBe(opened) // an event that overtook a read
    expect(newerSwitch(opened, { switch: 'closed', switch_at: null, switch_by: null }).switch).toBe('closed')
    expect(newerSwitch({ switch: 'open', switch_at: null, switch_by: null }, closed)).toBe(closed)
  })
})

describe('withSwitches', () => {
  const devices = siteDetail(12).devices.map((d) => ({ ...d, ...closed }))

  it('lays what the page heard over the site as read', () => {
    const shown = withSwitches(devices, new Map([[112, opened]]))
    expect(shown[0]).toMatchObject({ id: 112, switch: 'open', switch_at: AT, switch_by: '值班员 王' })
    expect(devices[0]?.switch).toBe('closed') // the read is not changed
  })

  it('keeps the same array when nothing changes, and a fresher read its own state', () => {
    expect(withSwitches(devices, new Map())).toBe(devices)
    expect(withSwitches(devices, new Map([[999, opened]]))).toBe(devices)
    expect(withSwitches(devices, new Map([[112, closed]]))).toBe(devices)
    const older = { switch: 'open' as const, switch_at: AT - 7200, switch_by: null }
    expect(withSwitches(devices, new Map([[112, older]]))).toBe(devices)
  })
})

describe('openDetail', () => {
  const text = (s: string) => s.replace(/\u202f/g, ' ')

  it('says who opened it remotely and since when, as far as known', () => {
    expect(text(openDetail(opened, 'zh-CN'))).toBe('值班员 王 远程分闸 · 2025年11月23日 09:37 起')
    expect(text(openDetail(opened, 'en'))).toBe('Opened remotely by 值班员 王 · since Nov 23, 2025, 9:37 AM')
    expect(text(openDetail({ ...opened, switch_by: null }, 'en'))).toBe('since Nov 23, 2025, 9:37 AM')
    expect(openDetail({ ...opened, switch_at: null }, 'zh-CN')).toBe('值班员 王 远程分闸')
    expect(openDetail({ switch: 'open', switch_at: null, switch_by: null }, 'zh-CN')).toBe('')
  })
})
