import { describe, expect, it } from 'vitest'
import { commissionPath, matchRoute, safeNext } from './router'

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'sites' }],
    ['', { name: 'sites' }],
    ['/login', { name: 'login' }],
    ['/sites/12', { name: 'site', id: 12 }],
    ['/sites/12/', { name: 'site', id: 12 }],
    ['/sites/12/commission', { name: 'commission', siteId: 12, id: null }],
    ['/sites/12/commission/', { name: 'commission', siteId: 12, id: null }],
    ['/sites/12/commission/5', { name: 'commission', siteId: 12, id: 5 }],
    ['/sites/12/commission/abc', { name: 'notfound' }],
    ['/sites/12/commission/5/pair', { name: 'notfound' }],
    ['/sites/x', { name: 'notfound' }],
    ['/commission', { name: 'notfound' }],
  ] as const)('%s → %j', (path, route) => {
    expect(matchRoute(path)).toEqual(route)
  })

  it('round-trips the commissioning paths', () => {
    expect(commissionPath(12)).toBe('/sites/12/commission')
    expect(commissionPath(12, 5)).toBe('/sites/12/commission/5')
    expect(matchRoute(commissionPath(12, 5))).toEqual({ name: 'commission', siteId: 12, id: 5 })
  })
})

describe('safeNext', () => {
  it.each([
    ['/sites/12/commission/5', '/sites/12/commission/5'],
    ['//evil.example/x', '/'],
    ['https://evil.example/', '/'],
    ['/login?next=/', '/'],
    [null, '/'],
  ] as const)('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected)
  })
})
