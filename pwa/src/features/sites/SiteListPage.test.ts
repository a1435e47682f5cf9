import { describe, expect, it } from 'vitest'
import { site } from '../../test/fixtures'
import { filterSites } from './SiteListPage'

describe('filterSites', () => {
  const sites = [
    site(1, { name: '龙岭市场', address: '赫山区龙岭路 1 号' }),
    site(2, { name: 'Sunshine Care Home', address: '桃花仑东路 8 号', status: 'alarm' }),
    site(3, { name: '梓山湖宾馆', address: '梓山湖大道 3 号', status: 'prealarm' }),
  ]

  it('matches name or address, ignoring case and spaces', () => {
    expect(filterSites(sites, '龙岭').map((s) => s.id)).toEqual([1])
    expect(filterSites(sites, 'care home').map((s) => s.id)).toEqual([2])
    expect(filterSites(sites, '8号').map((s) => s.id)).toEqual([2])
    expect(filterSites(sites, '赫山区龙岭路').map((s) => s.id)).toEqual([1])
    expect(filterSites(sites, 'nothing')).toEqual([])
  })

  it('puts sites that need attention first and keeps the order otherwise', () => {
    expect(filterSites(sites, '').map((s) => s.id)).toEqual([2, 3, 1])
    // The server's ranking: an unwatched circuit (fault, offline) before a warning.
    const mixed = [site(1, { status: 'prealarm' }), site(2, { status: 'offline' }), site(3, { status: 'fault' })]
    expect(filterSites(mixed, '').map((s) => s.id)).toEqual([3, 2, 1])
    expect(filterSites([site(5), site(4)], ' ').map((s) => s.id)).toEqual([5, 4])
  })

  it('puts a site without power after unwatched ones and before warnings', () => {
    const mixed = [
      site(1, { status: 'normal' }),
      site(2, { status: 'prealarm' }),
      site(3, { status: 'power_off' }),
      site(4, { status: 'offline' }),
      site(5, { status: 'alarm' }),
    ]
    expect(filterSites(mixed, '').map((s) => s.status)).toEqual(['alarm', 'offline', 'power_off', 'prealarm', 'normal'])
  })
})
