import { describe, expect, it } from 'vitest'
import { alarm, alarmEvent, siteDetail } from '../../test/fixtures'
import {
  alarmOf,
  applyAlarm,
  applySnapshot,
  bannerOf,
  channelAlarms,
  deviceAlarms,
  isTest,
  mergeAlarm,
  shouldAlert,
  siteStatusOf,
  sortAlarms,
  STATUS_ORDER,
  worstStatus,
} from './model'
import type { Alarm } from './types'

const ids = (list: Alarm[]) => list.map((a) => a.id)
const CLEARED = 1_763_860_000
const ACKED = 1_763_857_000

describe('sortAlarms', () => {
  it('puts active alarms first, newest first within each group', () => {
    const list = [
      alarm(1, { cleared_at: CLEARED }),
      alarm(2),
      alarm(3, { cleared_at: CLEARED, started_at: 10 }),
      alarm(4, { started_at: 5 }),
      alarm(5, { cleared_at: CLEARED }),
    ]
    expect(ids(sortAlarms(list))).toEqual([2, 4, 5, 1, 3])
  })

  it('breaks ties of start time by id', () => {
    expect(ids(sortAlarms([alarm(1, { started_at: 7 }), alarm(2, { started_at: 7 })]))).toEqual([2, 1])
  })
})

describe('applyAlarm (live events)', () => {
  it('a raised event adds the alarm', () => {
    const list = applyAlarm([alarm(1, { cleared_at: CLEARED })], alarmOf(alarmEvent(2, 'raised')))
    expect(ids(list)).toEqual([2, 1])
    expect(list[0]).not.toHaveProperty('transition')
  })

  it('a cleared event updates the existing item and moves it below the active ones', () => {
    const list = [alarm(2), alarm(1)]
    const next = applyAlarm(list, alarmOf(alarmEvent(2, 'cleared', { cleared_at: CLEARED, peak: 450 })))
    expect(next).toHaveLength(2)
    expect(ids(next)).toEqual([1, 2])
    expect(next[1]).toMatchObject({ id: 2, cleared_at: CLEARED, peak: 450 })
    expect(list[0]?.cleared_at).toBeNull() // the old list is not changed
  })

  it('an escalated event raises the level', () => {
    const next = applyAlarm([alarm(1, { level: 'prealarm', threshold: 240 })], alarm(1, { level: 'alarm' }))
    expect(next[0]).toMatchObject({ level: 'alarm', threshold: 300 })
  })

  it('an acknowledged event records who and when', () => {
    const next = applyAlarm([alarm(1)], alarm(1, { acknowledged_at: ACKED, acknowledged_by: '王老板' }))
    expect(next[0]).toMatchObject({ acknowledged_at: ACKED, acknowledged_by: '王老板', cleared_at: null })
  })

  it('is idempotent: the same event twice gives the same list', () => {
    const events = [alarmEvent(1, 'raised'), alarmEvent(2, 'raised'), alarmEvent(1, 'cleared', { cleared_at: CLEARED })]
    const once = events.map(alarmOf).reduce(applyAlarm, [] as Alarm[])
    const twice = [...events, ...events].map(alarmOf).reduce(applyAlarm, [] as Alarm[])
    expect(twice).toEqual(once)
  })

  it('does not go backwards when events arrive late or out of order', () => {
    const raised = alarm(1, { level: 'prealarm' })
    const escalated = alarm(1, { level: 'alarm' })
    const acked = alarm(1, { level: 'alarm', acknowledged_at: ACKED, acknowledged_by: '值班员' })
    const cleared = alarm(1, { level: 'alarm', cleared_at: CLEARED, acknowledged_at: ACKED, acknowledged_by: '值班员' })
    const inOrder = [raised, escalated, acked, cleared].reduce(applyAlarm, [] as Alarm[])
    const shuffled = [cleared, raised, acked, escalated, raised].reduce(applyAlarm, [] as Alarm[])
    expect(shuffled).toEqual(inOrder)
    expect(inOrder[0]).toMatchObject({ level: 'alarm', cleared_at: CLEARED, acknowledged_by: '值班员' })
  })

  it('keeps the first acknowledgement', () => {
    const first = alarm(1, { acknowledged_at: ACKED, acknowledged_by: '王老板' })
    const second = alarm(1, { acknowledged_at: ACKED + 60, acknowledged_by: '值班员' })
    expect(mergeAlarm(first, second).acknowledged_by).toBe('王老板')
    expect(mergeAlarm(second, first).acknowledged_by).toBe('王老板')
  })

  it('keeps the furthest escalation tier, whichever version came first', () => {
    const told = alarm(1, { escalated_tier: 2 })
    expect(mergeAlarm(told, alarm(1, { escalated_tier: 1 })).escalated_tier).toBe(2)
    expect(mergeAlarm(alarm(1), told).escalated_tier).toBe(2)
    expect(mergeAlarm(told, alarm(1, { cleared_at: CLEARED })).escalated_tier).toBe(2)
    expect(mergeAlarm(alarm(1), alarm(1))).not.toHaveProperty('escalated_tier')
  })
})

describe('applySnapshot (re-read after a reconnect)', () => {
  it('replaces the list: alarms no longer in the window go', () => {
    const snapshot = [alarm(3), alarm(2, { cleared_at: CLEARED })]
    expect(ids(applySnapshot(snapshot))).toEqual([3, 2])
  })

  it('merges in the events that arrived while the read was under way', () => {
    const snapshot = [alarm(3)] // read before alarm 3 cleared and alarm 4 was raised
    const since = [alarm(3, { cleared_at: CLEARED }), alarm(4)]
    const list = applySnapshot(snapshot, since)
    expect(ids(list)).toEqual([4, 3])
    expect(list[1]?.cleared_at).toBe(CLEARED)
  })

  it('an older event does not undo what the snapshot already shows', () => {
    const snapshot = [alarm(3, { cleared_at: CLEARED })]
    expect(applySnapshot(snapshot, [alarm(3)])[0]?.cleared_at).toBe(CLEARED)
  })

  it('de-duplicates an alarm in both the active and the cleared answer', () => {
    expect(ids(applySnapshot([alarm(5), alarm(5, { cleared_at: CLEARED })]))).toEqual([5])
  })
})

describe('levels', () => {
  const channel = siteDetail(12).devices[0]!.channels[0]!

  it('the site status is the worst active alarm', () => {
    expect(worstStatus([])).toBe('normal')
    expect(worstStatus([alarm(1, { level: 'offline', channel_id: null })])).toBe('offline')
    expect(worstStatus([alarm(1, { level: 'prealarm' }), alarm(2, { level: 'fault' })])).toBe('fault')
    expect(worstStatus([alarm(1, { level: 'prealarm' }), alarm(2, { level: 'offline', channel_id: null })])).toBe('offline')
    expect(worstStatus([alarm(1, { level: 'prealarm' }), alarm(2)])).toBe('alarm')
    expect(worstStatus([alarm(1, { cleared_at: CLEARED })])).toBe('normal')
  })

  it('finds the active alarms of a channel and of a device', () => {
    const list = [
      alarm(1),
      alarm(2, { cleared_at: CLEARED }),
      alarm(3, { channel_id: 999 }),
      alarm(4, { channel_id: null, channel: null, level: 'offline', cause: 'offline' }),
    ]
    expect(ids(channelAlarms(list, channel))).toEqual([1])
    expect(ids(deviceAlarms(list, 112))).toEqual([4])
    expect(deviceAlarms(list, 113)).toEqual([])
  })

  it('the banner shows alarm level first, else pre-alarms, else nothing', () => {
    expect(bannerOf([alarm(1, { level: 'fault' })])).toBeNull()
    expect(bannerOf([alarm(1, { level: 'prealarm' })])?.level).toBe('prealarm')
    const banner = bannerOf([alarm(1, { level: 'prealarm' }), alarm(2), alarm(3), alarm(4, { cleared_at: CLEARED })])
    expect(banner?.level).toBe('alarm')
    expect(ids(banner?.alarms ?? [])).toEqual([3, 2])
  })
})

describe('shouldAlert', () => {
  it('alerts once per alarm raised at or escalated to level alarm', () => {
    const alerted = new Set<number>()
    const decide = (...args: Parameters<typeof alarmEvent>) => shouldAlert(alarmEvent(...args), alerted)
    expect(decide(1, 'raised', { level: 'prealarm' })).toBe(false)
    expect(decide(1, 'escalated')).toBe(true)
    expect(decide(1, 'escalated')).toBe(false) // the same event again
    expect(decide(1, 'acknowledged')).toBe(false)
    expect(decide(2, 'raised')).toBe(true)
    expect(decide(3, 'cleared', { cleared_at: CLEARED })).toBe(false)
    expect(decide(4, 'raised', { level: 'fault' })).toBe(false)
    expect(decide(5, 'raised', { level: 'offline', channel_id: null })).toBe(false)
  })
})

describe('self-test alarms', () => {
  const test = alarm(1, { test: true })
  const testOffline = alarm(2, { test: true, level: 'offline', cause: 'offline', channel: null, channel_id: null })
  const channel = siteDetail(12).devices[0]!.channels[0]!

  it('are test alarms only when the server says so (missing means not)', () => {
    expect(isTest(test)).toBe(true)
    expect(isTest(alarm(3))).toBe(false)
    expect(isTest(alarm(3, { test: false }))).toBe(false)
  })

  it('stay in the list, as any alarm', () => {
    expect(ids(applyAlarm([alarm(3)], test))).toEqual([3, 1])
    expect(mergeAlarm(test, alarm(1, { cleared_at: CLEARED }))).toMatchObject({ test: true, cleared_at: CLEARED })
  })

  it('never colour a channel, a device or the site', () => {
    expect(worstStatus([test])).toBe('normal')
    expect(worstStatus(channelAlarms([test], channel))).toBe('normal')
    expect(worstStatus(deviceAlarms([testOffline], 112))).toBe('normal')
    expect(worstStatus([test, alarm(3, { level: 'prealarm' })])).toBe('prealarm')
    expect(siteStatusOf([test, testOffline], [{ switch: 'closed' }])).toBe('normal')
  })

  it('never make the banner', () => {
    expect(bannerOf([test])).toBeNull()
    expect(bannerOf([test, alarm(3, { level: 'prealarm' })])?.level).toBe('prealarm')
    expect(ids(bannerOf([test, alarm(3)])?.alarms ?? [])).toEqual([3])
  })

  it('never beep or vibrate', () => {
    const alerted = new Set<number>()
    expect(shouldAlert(alarmEvent(1, 'raised', { test: true }), alerted)).toBe(false)
    expect(shouldAlert(alarmEvent(1, 'escalated', { test: true }), alerted)).toBe(false)
    expect(alerted.size).toBe(0)
    expect(shouldAlert(alarmEvent(2, 'raised', { test: false }), alerted)).toBe(true)
  })
})

describe('siteStatusOf (alarms and breakers)', () => {
  const open = [{ switch: 'closed' as const }, { switch: 'open' as const }]
  const closed = [{ switch: 'closed' as const }, { switch: null }, {}]

  it('ranks alarm > fault > offline > power_off > prealarm > normal', () => {
    const order = Object.entries(STATUS_ORDER).sort((a, b) => a[1] - b[1]).map(([status]) => status)
    expect(order).toEqual(['alarm', 'fault', 'offline', 'power_off', 'prealarm', 'normal'])
  })

  it.each([
    ['no alarm, a breaker open', [], open, 'power_off'],
    ['no alarm, every breaker closed or unknown', [], closed, 'normal'],
    ['a pre-alarm and a breaker open', [alarm(1, { level: 'prealarm' })], open, 'power_off'],
    ['an offline device and a breaker open', [alarm(1, { level: 'offline', channel_id: null })], open, 'offline'],
    ['a fault and a breaker open', [alarm(1, { level: 'fault' })], open, 'fault'],
    ['an alarm and a breaker open', [alarm(1)], open, 'alarm'],
    ['a cleared alarm (the trip) and a breaker open', [alarm(1, { cleared_at: CLEARED, cleared_reason: 'trip' })], open, 'power_off'],
    ['a pre-alarm, breakers closed', [alarm(1, { level: 'prealarm' })], closed, 'prealarm'],
  ] as const)('%s → %s', (_name, alarms, devices, expected) => {
    expect(siteStatusOf([...alarms], devices)).toBe(expected)
  })
})
