import { describe, expect, it } from 'vitest'
import { alarm, siteDetail } from '../../test/fixtures'
import type { Device } from '../devices/types'
import { capabilityLine, isStale, lastAlarm, lastAlarmState, newest, readingAge, statusSentence } from './overview'

const devices = siteDetail(12).devices // the socket circuit's breaker, residual current watched

describe('statusSentence', () => {
  it('all is well, and how much is watched', () => {
    expect(statusSentence('normal', [], devices, 'zh-CN')).toBe('一切正常：1 个测量点都在监测中，没有报警。')
    expect(statusSentence('normal', [], devices, 'en')).toBe('All is well: 1 measuring point is watched, no alarms.')
    expect(statusSentence('normal', [], [], 'zh-CN')).toBe('尚无设备在监测这个场所。')
  })

  it('an alarm: where, in the circuit’s words, and what', () => {
    expect(statusSentence('alarm', [alarm(1)], devices, 'zh-CN')).toBe('正在报警：插座回路 · 剩余电流（漏电流）。请立即处理。')
    expect(statusSentence('alarm', [alarm(1)], devices, 'en')).toBe('Alarm: 插座回路 · Residual current (leakage current). Act now.')
  })

  it('names the alarm of the status’s level and counts the others', () => {
    const pre = alarm(2, { level: 'prealarm', cause: 'overtemp', started_at: 1_763_900_000 })
    expect(statusSentence('alarm', [pre, alarm(1)], devices, 'zh-CN')).toBe(
      '正在报警：插座回路 · 剩余电流（漏电流）。请立即处理。 另有 1 项',
    )
    // A self-test or a cleared alarm is not what is wrong now.
    const test = alarm(3, { level: 'prealarm', test: true })
    const cleared = alarm(4, { cleared_at: 1_763_900_100 })
    expect(statusSentence('prealarm', [pre, test, cleared], devices, 'zh-CN')).toBe(
      '有预警：插座回路 · 剩余电流（温度过高）。请留意，并尽快请电工检查。',
    )
  })

  it('offline names the device’s circuit; an open breaker says the power is off', () => {
    const offline = alarm(5, { level: 'offline', cause: 'offline', channel: null, channel_id: null })
    expect(statusSentence('offline', [offline], devices, 'zh-CN')).toBe('设备离线：插座回路 没有数据，这一处目前没有被监测。')
    const open: Device[] = [{ ...(devices[0] as Device), switch: 'open' }]
    expect(statusSentence('power_off', [], open, 'zh-CN')).toBe('已断电：插座回路 的断路器已分闸，回路没有电。')
  })

  it('before the alarm list is read, the status word alone', () => {
    expect(statusSentence('alarm', [], devices, 'zh-CN')).toBe('报警')
  })
})

describe('values and their age', () => {
  it('newest of the site answer and the stream', () => {
    expect(newest({ ts: 10, value: 1 }, { ts: 20, value: 2 })).toEqual({ ts: 20, value: 2 })
    expect(newest({ ts: 30, value: 3 }, { ts: 20, value: 2 })).toEqual({ ts: 30, value: 3 })
    expect(newest(null, undefined)).toBeUndefined()
  })

  it.each([
    [30, 'zh-CN', '刚刚'],
    [180, 'zh-CN', '3分钟前'],
    [7300, 'zh-CN', '2小时前'],
    [5 * 86400, 'zh-CN', '5天前'],
    [180, 'en', '3 minutes ago'],
  ] as const)('%s s old in %s: %s', (age, lang, want) => {
    expect(readingAge(1000 - age, 1000, lang)).toBe(want)
  })

  it('stale after three poll intervals (at least a minute)', () => {
    expect(isStale(0, 89, 30)).toBe(false)
    expect(isStale(0, 91, 30)).toBe(true)
    expect(isStale(0, 59, 10)).toBe(false)
    expect(isStale(0, 61, 10)).toBe(true)
  })
})

describe('lastAlarm', () => {
  it('the newest real one, active or cleared', () => {
    const older = alarm(1, { started_at: 100, cleared_at: 200 })
    const newer = alarm(2, { started_at: 300, cleared_at: 400 })
    const test = alarm(3, { started_at: 500, test: true })
    expect(lastAlarm([older, test, newer])?.id).toBe(2)
    expect(lastAlarm([test])).toBeUndefined()
  })
})

describe('capabilityLine', () => {
  it('each required capability with a tick or a cross, and the verdict for the venue type', () => {
    const line = capabilityLine({ required: ['arc_detection', 'combined_detector'], present: ['arc_detection'], compliant: false }, 'elderly_care', 'zh-CN')
    expect(line.items.map((i) => [i.name, i.present])).toEqual([
      ['故障电弧探测', true],
      ['组合式电气火灾监控探测器', false],
    ])
    expect(line.verdict).toBe('不符合 养老机构 的配置要求')
    expect(capabilityLine({ required: ['arc_detection'], present: ['arc_detection'], compliant: true }, 'elderly_care', 'zh-CN').verdict).toBe(
      '符合 养老机构 的配置要求',
    )
    expect(capabilityLine({ required: [], present: [], compliant: true }, 'other', 'en').verdict).toContain('no detection capability is required')
  })
})

describe('lastAlarmState', () => {
  it('says whether the last alarm goes on, ended by itself or was ended by a trip', () => {
    expect(lastAlarmState(alarm(1))).toBe('overview.alarm_active')
    expect(lastAlarmState(alarm(1, { cleared_at: 1_763_900_000, cleared_reason: null }))).toBe('overview.alarm_cleared')
    expect(lastAlarmState(alarm(1, { cleared_at: 1_763_900_000, cleared_reason: 'trip' }))).toBe('overview.alarm_tripped')
  })
})
