import { describe, expect, it } from 'vitest'
import { alarm, alarmEvent, siteDetail } from '../../test/fixtures'
import type { AlarmEvent, AlarmLevel, AlarmTransition } from '../alarms/types'
import { noticeOf, shouldNotify } from './alarm-notice'

const offline = { level: 'offline' as const, cause: 'offline', channel: null, channel_id: null, peak: null, threshold: null, unit: '' }

describe('shouldNotify', () => {
  it.each([
    ['alarm', 'raised', true],
    ['alarm', 'escalated', true],
    ['offline', 'raised', true],
    ['prealarm', 'raised', false],
    ['fault', 'raised', false],
    ['alarm', 'cleared', false],
    ['alarm', 'acknowledged', false],
  ] as [AlarmLevel, AlarmTransition, boolean][])('%s %s → %s', (level, transition, expected) => {
    const cleared_at = transition === 'cleared' ? 1_763_860_000 : null
    expect(shouldNotify(alarmEvent(1, transition, { level, cleared_at }), new Set())).toBe(expected)
  })

  it('notifies once per alarm and level, however often the event repeats', () => {
    const notified = new Set<string>()
    const events: AlarmEvent[] = [
      alarmEvent(1, 'raised', { level: 'prealarm' }),
      alarmEvent(1, 'escalated'), // pre-alarm became an alarm: now it notifies
      alarmEvent(1, 'escalated'), // the same again (or the operator company was told): no second pop-up
      alarmEvent(2, 'raised', offline),
      alarmEvent(2, 'raised', offline),
    ]
    expect(events.map((e) => shouldNotify(e, notified))).toEqual([false, true, false, true, false])
  })

  it('never notifies for a self-test alarm', () => {
    const notified = new Set<string>()
    expect(shouldNotify(alarmEvent(1, 'raised', { test: true }), notified)).toBe(false)
    expect(shouldNotify(alarmEvent(2, 'escalated', { test: true }), notified)).toBe(false)
    expect(shouldNotify(alarmEvent(3, 'raised', { ...offline, test: true }), notified)).toBe(false)
    expect(notified.size).toBe(0)
    expect(shouldNotify(alarmEvent(1, 'raised', { test: false }), notified)).toBe(true)
  })

  it('does not notify for an event that already carries its clearing', () => {
    expect(shouldNotify(alarmEvent(1, 'raised', { cleared_at: 1_763_860_000 }), new Set())).toBe(false)
  })
})

describe('noticeOf', () => {
  const site = siteDetail(12) // 集贸市场 12号摊位, residual channel 1012 with delay 5 s

  it('says where, what and how much in the title, the cause and what to do in the body', () => {
    const notice = noticeOf(alarm(42, { peak: 380 }), site, 'zh-CN')
    expect(notice).toEqual({
      title: '【报警】集贸市场 12号摊位 插座回路断路器 剩余电流 380 mA',
      body:
        '漏电流持续超过 300 mA（最高 380 mA），可能存在线路绝缘老化或设备漏电，请尽快安排电工检查。\n' +
        '现在该做什么：逐个拔下这条回路上的电器，看漏电流是否下降，找出漏电的电器；保持插座和电线干燥，不要用湿手触碰。',
      tag: 'alarm-42',
      url: '/alarms/42',
      requireInteraction: true,
    })
  })

  it('in English', () => {
    const notice = noticeOf(alarm(42, { peak: 380 }), site, 'en')
    expect(notice.title).toBe('[Alarm] 集贸市场 12号摊位 插座回路断路器 Residual current 380 mA')
    expect(notice.body).toMatch(/^Residual current stayed above 300 mA \(peak 380 mA\)/)
    expect(notice.body).toContain('\nWhat to do now: ')
  })

  it('an offline device: no quantity or value, and it may go away by itself', () => {
    const notice = noticeOf(alarm(7, offline), site, 'zh-CN')
    expect(notice.title).toBe('【离线】集贸市场 12号摊位 插座回路断路器')
    expect(notice.body).toMatch(/^设备超过 3 个采集周期没有上报数据/)
    expect(notice).toMatchObject({ tag: 'alarm-7', url: '/alarms/7', requireInteraction: false })
  })

  it('without the site (not read yet) still names the device', () => {
    expect(noticeOf(alarm(1), undefined, 'zh-CN').title).toBe('【报警】插座回路断路器 剩余电流 420 mA')
  })

  it("uses the channel's settings for what the alarm does not carry (the minimum duration)", () => {
    const hot = alarm(3, { cause: 'overtemp', channel: 'temp_c', threshold: 70, peak: 78, unit: '°C' })
    const withSettings = {
      name: '养老院',
      devices: [{ ...site.devices[0]!, channels: [{ ...site.devices[0]!.channels[0]!, settings: { enabled: true, delay_s: 5 } }] }],
    }
    expect(noticeOf(hot, withSettings, 'zh-CN').body).toMatch(/^温度超过 70 °C 已持续 5 秒以上（最高 78 °C）/)
    expect(noticeOf(hot, undefined, 'zh-CN').body).toMatch(/^温度超过 70 °C 已持续 —以上/)
  })
})
