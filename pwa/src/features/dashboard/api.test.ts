import { describe, expect, it } from 'vitest'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { coverage, REFERENCE } from '../../test/stats'
import { getCoverage, getHazardStats, getHotspots, getOfflineSites, getReference, HOTSPOT_DAYS, statsQuery } from './api'

useFakeServer()

describe('statsQuery', () => {
  it.each([
    [{}, {}, ''],
    [{ region: '430903' }, {}, '?region=430903'],
    [{ region: '430903', sector: 'commerce' }, { days: '30' }, '?region=430903&sector=commerce&days=30'],
    [{ sector: '' }, {}, ''],
  ] as const)('%j %j → %s', (filter, extra, text) => {
    expect(statsQuery(filter, extra)).toBe(text)
  })
})

describe('statistics requests', () => {
  it('read each figure with the filters', async () => {
    await startSession({ token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user })
    server.answers.push(json(200, coverage()), json(200, []), json(200, { days: 30, districts: [], district_names: [], counts: [] }))
    server.answers.push(json(200, []), json(200, REFERENCE))
    const filter = { region: '430903', sector: 'commerce' }
    expect((await getCoverage(filter)).sites).toBe(19)
    await getHazardStats(filter)
    await getHotspots({})
    await getOfflineSites(filter)
    expect((await getReference()).departments).toHaveLength(4)
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/v1/stats/coverage?region=430903&sector=commerce',
      '/api/v1/stats/hazards?region=430903&sector=commerce',
      `/api/v1/stats/hotspots?days=${HOTSPOT_DAYS}`,
      '/api/v1/stats/offline?region=430903&sector=commerce',
      '/api/v1/reference',
    ])
  })
})
