import { describe, expect, it } from 'vitest'
import { en } from '../../platform/i18n/en'
import { zhCN } from '../../platform/i18n/zh-CN'
import { alarm } from '../../test/fixtures'
import type { ChannelSettings } from '../devices/types'
import { causeAdvice, causeText } from './causes'
import type { Alarm, AlarmCause } from './types'

// Noon UTC: the same calendar day in every time zone from UTC−11 to UTC+11.
const NOW = Date.UTC(2025, 10, 23, 12, 0)
const residual: ChannelSettings = { enabled: true, alarm: 300, prealarm: 240, delay_s: 5, hysteresis: 15 }
const temperature: ChannelSettings = { enabled: true, alarm: 70, prealarm: 60, delay_s: 5, ambient_c: 25 }
const current: ChannelSettings = { enabled: true, alarm: 32, prealarm: 28.8, delay_s: 5, rated_a: 32 }

type Case = [name: string, alarm: Alarm, settings: ChannelSettings | undefined, zh: string, en: string]

const cases: Case[] = [
  [
    'leakage',
    alarm(1, { cause: 'leakage', threshold: 300, peak: 420, unit: 'mA' }),
    residual,
    '漏电流持续超过 300 mA（最高 420 mA），可能存在线路绝缘老化或设备漏电，请尽快安排电工检查。',
    'Residual current stayed above 300 mA (peak 420 mA): wiring insulation may be ageing or an appliance is leaking current. Have an electrician check it soon.',
  ],
  [
    'overtemp with the minimum duration',
    alarm(2, { cause: 'overtemp', threshold: 70, peak: 78.25, unit: '°C' }),
    temperature,
    '温度超过 70 °C 已持续 5 秒以上（最高 78.25 °C），导线绝缘会加速老化，有起火危险。',
    'The temperature stayed above 70 °C for more than 5 s (peak 78.25 °C): cable insulation ages fast at this heat and may catch fire.',
  ],
  [
    'overload against the rated current',
    alarm(3, { cause: 'overload', threshold: 32, peak: 41.5, unit: 'A' }),
    current,
    '负载电流长时间超过额定电流 32 A（最高 41.5 A），线路和断路器持续发热，可能跳闸或引起过热。',
    'The load current stayed above the rated current of 32 A for a long time (peak 41.5 A): the wiring and the breaker keep heating up and may trip or overheat.',
  ],
  [
    'overload pre-alarm',
    alarm(4, { cause: 'overload', level: 'prealarm', threshold: 28.8, peak: 30, unit: 'A' }),
    current,
    '负载电流长时间接近额定电流 32 A（最高 30 A），再增加用电就会过载。',
    'The load current stayed close to the rated current of 32 A for a long time (peak 30 A): any more load will overload the circuit.',
  ],
  [
    'arc counts half-cycles',
    alarm(5, { cause: 'arc', threshold: 14, peak: 17, unit: 'half-cycles/s' }),
    { enabled: true, alarm: 14 },
    '检测到故障电弧（1 秒内 17 个半波），可能是接线松动、导线破损或插头接触不良，电弧可能引燃周围的可燃物。',
    'A fault arc was detected (17 arcing half-cycles within 1 s): a loose connection, damaged cable or bad plug contact; the arc can set fire to anything nearby.',
  ],
  [
    'hot joint',
    alarm(6, { cause: 'hot_joint', threshold: 15, peak: 71, unit: '°C', detail: { excess_c: 18.4 } }),
    temperature,
    '接线端子温度比负载应有温度高 18.4 °C，可能是接头松动或氧化，接触电阻增大会持续发热。',
    'A terminal is 18.4 °C hotter than the load explains: the joint may be loose or oxidised, and the extra resistance keeps heating it.',
  ],
  [
    'leakage trend with the projected date',
    alarm(7, {
      cause: 'leakage_trend',
      level: 'prealarm',
      threshold: 240,
      peak: 250,
      unit: 'mA',
      detail: { projected_at: NOW / 1000 + 9 * 86400 },
    }),
    residual,
    '漏电流持续上升（目前最高 250 mA），按当前趋势预计9天后（2025年12月2日）达到报警值 300 mA，线路绝缘可能正在老化。',
    'The residual current keeps rising (peak so far 250 mA) and is expected to reach the alarm level of 300 mA in 9 days (Dec 2, 2025): the insulation may be deteriorating.',
  ],
  [
    'voltage',
    alarm(8, { cause: 'voltage', threshold: 242, peak: 251.3, unit: 'V' }),
    { enabled: true, alarm: 242, delay_s: 10 },
    '电压越过 242 V 已持续 10 秒以上（最严重时 251.3 V），电器可能过热或损坏。',
    'The supply voltage was beyond 242 V for more than 10 s (worst 251.3 V): appliances may overheat or be damaged.',
  ],
  [
    'sensor stuck',
    alarm(9, { cause: 'sensor', level: 'fault', threshold: null, peak: 25, unit: '°C', detail: { reason: 'stuck' } }),
    temperature,
    '传感器读数长时间不变（停在 25 °C），可能已经损坏，这个通道暂时无法可靠监测。',
    'The sensor reading has not changed for a long time (stuck at 25 °C): it may be broken, so this channel is not reliably watched.',
  ],
  [
    'sensor out of range',
    alarm(10, { cause: 'sensor', level: 'fault', threshold: null, peak: 1200, unit: 'mA', detail: { reason: 'out_of_range' } }),
    residual,
    '传感器读数超出量程（1,200 mA），测量值不可信，可能是传感器损坏或接线脱落。',
    'The sensor reads outside its range (1,200 mA): the value cannot be trusted; the sensor may be broken or disconnected.',
  ],
  [
    'offline, a device-level alarm without numbers',
    alarm(11, { cause: 'offline', level: 'offline', channel: null, channel_id: null, peak: null, threshold: null, unit: '' }),
    undefined,
    '设备超过 3 个采集周期没有上报数据，可能是断电、断网或设备故障，期间无法监测这条回路。',
    'The device has sent no data for more than 3 collection intervals: power, network or the device may have failed, and the circuit is not watched meanwhile.',
  ],
]

describe('causeText', () => {
  it('counts the arc half-cycles that raised the alarm, as its first message did; the peak when not sent', () => {
    const arc = alarm(5, { cause: 'arc', threshold: 14, peak: 23, raised_value: 17, unit: 'half-cycles/s' })
    expect(causeText(arc, undefined, 'zh-CN')).toContain('1 秒内 17 个半波')
    expect(causeText(arc, undefined, 'en')).toContain('(17 arcing half-cycles within 1 s)')
    expect(causeText({ ...arc, raised_value: null }, undefined, 'zh-CN')).toContain('1 秒内 23 个半波')
    expect(causeText({ ...arc, raised_value: undefined }, undefined, 'en')).toContain('(23 arcing half-cycles')
    expect(causeText({ ...arc, raised_value: null, peak: null }, undefined, 'zh-CN')).toContain('1 秒内 — 个半波')
    // Other causes keep the highest value in their sentence.
    const leakage = alarm(1, { threshold: 300, peak: 420, raised_value: 310 })
    expect(causeText(leakage, undefined, 'zh-CN')).toContain('最高 420 mA')
  })

  it.each(cases)('%s', (_name, a, settings, zh, english) => {
    expect(causeText(a, settings, 'zh-CN', NOW)).toBe(zh)
    expect(causeText(a, settings, 'en', NOW)).toBe(english)
  })

  it('fills the numbers of short circuit and imbalance from the alarm', () => {
    const short = alarm(1, { cause: 'short_circuit', peak: 640, unit: 'A', threshold: 320 })
    expect(causeText(short, current, 'zh-CN')).toContain('最高 640 A')
    const imbalance = alarm(2, { cause: 'imbalance', peak: 45, unit: '%', threshold: 30 })
    expect(causeText(imbalance, undefined, 'en')).toContain('(45 %, limit 30 %)')
  })

  it('says "soon" when the trend has no projection, and a dash for a missing number', () => {
    const trend = alarm(1, { cause: 'leakage_trend', peak: null, threshold: null, detail: {} })
    expect(causeText(trend, undefined, 'zh-CN')).toBe(
      '漏电流持续上升（目前最高 —），按当前趋势预计近期达到报警值 —，线路绝缘可能正在老化。',
    )
  })

  it('shows a cause the app does not know yet by its code', () => {
    const future = alarm(1, { cause: 'water_ingress' })
    expect(causeText(future, undefined, 'zh-CN')).toBe('报警原因：water_ingress')
    expect(causeAdvice(future, 'en')).toBe('Please contact the operator company for details.')
  })
})

describe('causeAdvice', () => {
  const causes: AlarmCause[] = [
    'overload', 'leakage', 'overtemp', 'arc', 'short_circuit', 'hot_joint', 'leakage_trend', 'imbalance',
    'voltage', 'sensor', 'offline',
  ]

  it.each(causes)('%s has advice in both languages', (cause) => {
    const zh = causeAdvice(alarm(1, { cause }), 'zh-CN')
    const english = causeAdvice(alarm(1, { cause }), 'en')
    expect(zh).toMatch(/[\u4e00-\u9fff]/)
    expect(english).toMatch(/^[A-Z]/)
    expect(english).not.toMatch(/[\u4e00-\u9fff]/)
  })

  it('every cause and advice message exists in both catalogs', () => {
    const keys = (messages: object) => Object.keys(messages).filter((k) => /^(cause|advice)\./.test(k)).sort()
    expect(keys(en.messages)).toEqual(keys(zhCN.messages))
    expect(keys(zhCN.messages).length).toBeGreaterThanOrEqual(2 * causes.length)
  })
})
