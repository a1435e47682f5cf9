import { describe, expect, it } from 'vitest'
import { REFERENCE } from '../../test/stats'
import {
  canSeeDashboard,
  dashboardPath,
  districtOptions,
  parseDashboardSearch,
  sectorName,
  sectorOptions,
} from './filters'

describe('canSeeDashboard', () => {
  it.each([
    ['regulator', true],
    ['admin', true],
    ['inspector', true],
    ['operator', true],
    ['owner', false],
    ['installer', false],
    [undefined, false],
  ] as const)('%s → %s', (role, expected) => {
    expect(canSeeDashboard(role)).toBe(expected)
  })
})

describe('the filters in the address', () => {
  it.each([
    ['', {}, '/dashboard'],
    ['?region=430903', { region: '430903' }, '/dashboard?region=430903'],
    ['?region=430903&sector=commerce', { region: '430903', sector: 'commerce' }, '/dashboard?region=430903&sector=commerce'],
    ['?sector=civil_affairs', { sector: 'civil_affairs' }, '/dashboard?sector=civil_affairs'],
    ['?region=abc&sector=DROP%20TABLE', {}, '/dashboard'],
  ] as const)('%s ↔ %j', (search, filter, path) => {
    expect(parseDashboardSearch(search)).toEqual(filter)
    expect(dashboardPath(filter)).toBe(path)
  })
})

describe('districtOptions', () => {
  const codes = (user: { regions: string[] } | undefined) => districtOptions(REFERENCE, user).map((r) => r.code)

  it('offers every district to those without regions', () => {
    expect(codes({ regions: [] })).toEqual(['430902', '430903', '430922'])
    expect(codes(undefined)).toEqual(['430902', '430903', '430922'])
  })

  it('offers the districts under a city, at a district, or above a street or grid', () => {
    expect(codes({ regions: ['430900'] })).toEqual(['430902', '430903', '430922'])
    expect(codes({ regions: ['430903'] })).toEqual(['430903'])
    expect(codes({ regions: ['430903001'] })).toEqual(['430903'])
    expect(codes({ regions: ['430903001001', '430922'] })).toEqual(['430903', '430922'])
    expect(codes({ regions: ['999999'] })).toEqual([])
  })
})

describe('sectorOptions', () => {
  it('gives a sector department its own sector, everyone else every one', () => {
    expect(sectorOptions(REFERENCE, { department: 'commerce' }).map((d) => d.code)).toEqual(['commerce'])
    expect(sectorOptions(REFERENCE, { department: 'fire_rescue' })).toHaveLength(4)
    expect(sectorOptions(REFERENCE, { department: null })).toHaveLength(4)
    expect(sectorOptions(REFERENCE, undefined)).toHaveLength(4)
  })

  it('names sectors in the page’s language', () => {
    expect(sectorName('commerce', '商务部门', REFERENCE.departments, 'en')).toBe('Commerce')
    expect(sectorName('commerce', '商务部门', REFERENCE.departments, 'zh-CN')).toBe('商务部门')
    expect(sectorName('housing', '住房和城乡建设部门', REFERENCE.departments, 'en')).toBe('住房和城乡建设部门')
    expect(sectorName('housing', '', [], 'en')).toBe('housing')
  })
})
