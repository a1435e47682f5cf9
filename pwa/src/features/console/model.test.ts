import { describe, expect, it } from 'vitest'
import { alarm } from '../../test/fixtures'
import { alarmsQuery } from './api'
import {
  backlogLine,
  canUseConsole,
  consolePath,
  countsByDistrict,
  elapsedText,
  keepSelection,
  newArrivals,
  parseConsoleSearch,
  picksCompany,
  secondsSince,
  sortQueue,
  unackedCount,
  withNewer,
} from './model'
import type { PowerOffRequest } from './types'

const T = 1_763_856_000

describe('who gets the console', () => {
  it.each([
    ['operator', true],
    ['admin', true],
    ['installer', false],
    ['electrician', false],
    ['owner', false],
    [undefined, false],
  ] as const)('%s → %s', (role, expected) => {
    expect(canUseConsole(role)).toBe(expected)
  })
})

describe('the filters in the address', () => {
  it.each([
    ['', {}, '/console'],
    ['?district=430903&level=alarm', { district: '430903', level: 'alarm' }, '/console?district=430903&level=alarm'],
    ['?cause=arc&ack=no&company=2&wall=1', { cause: 'arc', ack: 'no', company: 2, wall: true }, '/console?cause=arc&ack=no&company=2&wall=1'],
    ['?district=湖南&cause=fire&level=red&ack=maybe&company=-1&wall=yes', {}, '/console'],
  ])('%s', (search, filters, path) => {
    expect(parseConsoleSearch(search)).toEqual(filters)
    expect(consolePath(parseConsoleSearch(search))).toBe(path)
  })

  it('asks the server for what the filters say', () => {
    const query = alarmsQuery({ district: '430903', cause: 'leakage', ack: 'no', company: 3 }, T * 1000)
    expect(Object.fromEntries(query)).toEqual({
      since: String(T - 86400), limit: '500', region: '430903', cause: 'leakage', acknowledged: 'false', company_id: '3',
    })
  })
})

describe('the queue', () => {
  const real = alarm(1, { level: 'prealarm', started_at: T - 60 })
  const worse = alarm(2, { level: 'alarm', started_at: T - 600 })
  const acked = alarm(3, { level: 'alarm', started_at: T, acknowledged_at: T, acknowledged_by: '值班员' })
  const test = alarm(4, { level: 'alarm', started_at: T, test: true })
  const ended = alarm(5, { level: 'alarm', started_at: T, cleared_at: T + 5 })
  const newer = alarm(6, { level: 'alarm', started_at: T - 5 })

  it('puts the unacknowledged first, then the most severe, then the newest; self-tests last', () => {
    expect(sortQueue([ended, test, acked, real, worse, newer]).map((a) => a.id)).toEqual([6, 2, 1, 3, 4, 5])
  })

  it('never counts a self-test or an acknowledged or ended alarm as unacknowledged', () => {
    expect(unackedCount([real, worse, acked, test, ended])).toBe(2)
  })

  it('sounds for new unacknowledged real alarms only, never on the first read', () => {
    expect(newArrivals(new Set(), [real, worse], true)).toEqual([])
    expect(newArrivals(new Set([1]), [real, worse, acked, test, ended], false)).toEqual([2])
    expect(newArrivals(new Set([1, 2]), [real, worse], false)).toEqual([])
  })

  it('keeps a selection only of alarms still waiting', () => {
    expect([...keepSelection(new Set([1, 3, 9]), [real, acked])]).toEqual([1])
  })

  it('counts active real alarms by district for the wall screen', () => {
    const heshan = { district_code: '430903', district: '赫山区' }
    const ziyang = { district_code: '430902', district: '资阳区' }
    const counts = countsByDistrict([
      { ...real, ...heshan }, { ...acked, ...ziyang }, { ...worse, ...ziyang }, { ...newer, ...ziyang },
      { ...test, ...heshan }, { ...ended, ...heshan },
    ])
    expect(counts).toEqual([
      { code: '430902', name: '资阳区', active: 3, unacked: 2 },
      { code: '430903', name: '赫山区', active: 1, unacked: 1 },
    ])
  })

  it('says how long ago it was read', () => {
    expect(secondsSince(1000, 13_900)).toBe(12)
    expect(secondsSince(5000, 1000)).toBe(0)
  })
})

describe('the company picker', () => {
  it('is for admins only: an operator sees their own company', () => {
    expect(picksCompany('admin')).toBe(true)
    for (const role of ['operator', 'installer', 'electrician', 'owner', 'inspector', 'regulator', undefined] as const) {
      expect(picksCompany(role)).toBe(false)
    }
  })

  it('keeps the company in the address and sends it as company_id', () => {
    const filters = parseConsoleSearch(consolePath({ company: 2, level: 'alarm' }).split('?')[1] ?? '')
    expect(filters).toEqual({ company: 2, level: 'alarm' })
    expect(alarmsQuery(filters).get('company_id')).toBe('2')
    expect(alarmsQuery(parseConsoleSearch('')).has('company_id')).toBe(false)
  })
})

describe('how long an alarm has lasted', () => {
  it.each([
    [42, '42 秒', '42 s'],
    [12 * 60 + 59, '12 分钟', '12 minutes'],
    [3600, '1 小时', '1 hour'],
    [5 * 3600 + 3 * 60 + 20, '5 小时 3 分钟', '5 hours 3 minutes'],
    [3548 * 60, '2 天 11 小时', '2 days 11 hours'],
    [3 * 86400 + 59 * 60, '3 天', '3 days'],
    [-5, '0 秒', '0 s'],
  ])('%d s reads %s', (seconds, zh, en) => {
    expect(elapsedText(seconds, 'zh-CN')).toBe(zh)
    expect(elapsedText(seconds, 'en')).toBe(en)
  })
})

describe("a site box's backlog line", () => {
  it('counts the readings left while there are some', () => {
    expect(backlogLine({ alarms: 0, readings: 12345, events: 3 })).toEqual({ key: 'console.box_readings', count: 12345 })
  })
  it('counts the other records once the readings are through', () => {
    expect(backlogLine({ alarms: 2, readings: 0, events: 3, rollups: 0 })).toEqual({ key: 'console.box_records', count: 5 })
  })
})

describe('withNewer', () => {
  const request = (id: number, state: PowerOffRequest['state'] = 'pending'): PowerOffRequest => ({
    id, alarm_id: 12, site_id: 1, site_name: '摊位', device_id: 3, device_name: '照明回路断路器', circuit: '照明回路',
    requested_by: '王老板', requested_at: T + id, reason: '', state, decided_by: null, decided_at: null,
    decision_note: '', control_id: null,
  })

  it('keeps a request made after the read began, ahead of what the read found', () => {
    expect(withNewer([request(4, 'declined')], [request(5)]).map((r) => r.id)).toEqual([5, 4])
    expect(withNewer([], [request(5)]).map((r) => r.id)).toEqual([5])
  })

  it('takes the read for every request it has, with its newer state', () => {
    const read = [request(5, 'tripped'), request(4, 'declined')]
    expect(withNewer(read, [request(5), request(4, 'declined')])).toEqual(read)
    expect(withNewer(read, undefined)).toEqual(read)
  })
})
