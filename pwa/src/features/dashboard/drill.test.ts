import { describe, expect, it } from 'vitest'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { getDistricts, getExport, getTrend, getUnits } from './api'
import {
  exportFallbackName,
  exportPath,
  missingText,
  monthChange,
  monthLabel,
  parseRankBy,
  parseUnitsSearch,
  trendColumns,
  unitsPath,
  unitsQuery,
} from './drill'
import { landsOnDashboard, sectorValue } from './filters'
import type { TrendMonth } from './types'

useFakeServer()

describe('the units list in the address', () => {
  it.each([
    ['', {}, '/dashboard/units'],
    ['?region=430903&sector=commerce', { region: '430903', sector: 'commerce' }, '/dashboard/units?region=430903&sector=commerce'],
    ['?compliant=false', { compliant: false }, '/dashboard/units?compliant=false'],
    ['?sector=civil_affairs&compliant=true&covered=false', { sector: 'civil_affairs', compliant: true, covered: false }, '/dashboard/units?sector=civil_affairs&compliant=true&covered=false'],
    ['?region=abc&compliant=maybe&sector=DROP', {}, '/dashboard/units'],
  ] as const)('%s ↔ %j', (search, view, path) => {
    expect(parseUnitsSearch(search)).toEqual(view)
    expect(unitsPath(view)).toBe(path)
  })
})

describe('missingText', () => {
  it('names what a unit lacks, in the page’s language through the given names', () => {
    const unit = { missing: ['arc_detection', 'arc_extinguishing'], missing_names: ['故障电弧探测', '灭弧保护'] }
    expect(missingText(unit, (_code, zh) => zh)).toBe('故障电弧探测、灭弧保护')
    expect(missingText(unit, (code) => code.toUpperCase())).toBe('ARC_DETECTION、ARC_EXTINGUISHING')
    expect(missingText({ missing: [], missing_names: [] }, (c) => c)).toBe('')
    expect(missingText({ missing: ['x'], missing_names: [] }, (_c, zh) => zh)).toBe('x')
  })
})

describe('the trend', () => {
  const month = (m: string, alarms: number, coverage: number): TrendMonth => ({
    month: m,
    alarms,
    prealarms: 0,
    hazards_found: alarms + 1,
    hazards_closed: 1,
    sites: 4,
    covered: Math.round(coverage * 4),
    coverage,
  })

  it('lines the months up as chart columns, coverage in percent', () => {
    const columns = trendColumns([month('2025-10', 2, 0.5), month('2025-11', 5, 0.7514)])
    expect(columns).toEqual({
      labels: ['2025-10', '2025-11'],
      x: [0, 1],
      alarms: [2, 5],
      hazardsFound: [3, 6],
      hazardsClosed: [1, 1],
      coverage: [50, 75.1],
    })
  })

  it('names the months on the axis with the year where it starts', () => {
    const labels = ['2025-11', '2025-12', '2026-01', '2026-02']
    expect(labels.map((_, i) => monthLabel(labels, i))).toEqual(['2025-11', '12', '2026-01', '02'])
    expect(monthLabel(labels, 9)).toBe('')
  })

  it('gives the change from last month', () => {
    expect(monthChange([month('2025-10', 2, 0), month('2025-11', 5, 0)], 'alarms')).toBe(3)
    expect(monthChange([month('2025-10', 7, 0), month('2025-11', 5, 0)], 'hazards_found')).toBe(-2)
    expect(monthChange([month('2025-11', 5, 0)], 'alarms')).toBeNull()
  })
})

describe('the ranking and exports', () => {
  it.each([
    ['overdue', 'overdue'],
    ['alarms', 'alarms'],
    ['luck', 'coverage'],
    [null, 'coverage'],
  ] as const)('rank by %s → %s', (value, by) => {
    expect(parseRankBy(value)).toBe(by)
  })

  it('asks the server for a table as a file with the table’s filters and the page’s language', () => {
    const params = unitsQuery({ region: '430903', compliant: false })
    expect(exportPath('units', 'xlsx', params, 'zh-CN')).toBe('/api/v1/stats/export/units?region=430903&compliant=false&format=xlsx')
    expect(exportPath('trend', 'csv', new URLSearchParams(), 'en')).toBe('/api/v1/stats/export/trend?format=csv&lang=en')
    expect(params.get('format')).toBeNull() // the caller's query is not changed
    expect(exportFallbackName('districts', 'csv')).toBe('andian-districts.csv')
  })
})

describe('the sector picker and the landing page', () => {
  it('shows a sector department its only sector instead of a blank picker', () => {
    expect(sectorValue({}, [{ code: 'commerce' }])).toBe('commerce')
    expect(sectorValue({}, [{ code: 'commerce' }, { code: 'civil_affairs' }])).toBe('')
    expect(sectorValue({ sector: 'civil_affairs' }, [{ code: 'commerce' }, { code: 'civil_affairs' }])).toBe('civil_affairs')
    expect(sectorValue({}, [])).toBe('')
  })

  it.each([
    ['regulator', true],
    ['inspector', false],
    ['owner', false],
    [undefined, false],
  ] as const)('%s lands on the dashboard: %s', (role, expected) => {
    expect(landsOnDashboard(role)).toBe(expected)
  })
})

describe('drill-down requests', () => {
  it('read units, trend, ranking and a file with the filters', async () => {
    await startSession({ token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user })
    server.answers.push(json(200, { total: 0, offset: 0, limit: 100, rows: [] }), json(200, { months: [] }), json(200, []))
    server.answers.push({
      status: 200,
      text: '\ufeff区县\r\n',
      headers: { 'Content-Type': 'text/csv', 'Content-Disposition': "attachment; filename=\"andian-units-2025-11-23.csv\"; filename*=UTF-8''%E5%AE%89%E7%94%B5_%E5%8D%95%E4%BD%8D%E6%B8%85%E5%8D%95_2025-11-23.csv" },
    })
    expect((await getUnits({ region: '430903', sector: 'commerce', compliant: false })).total).toBe(0)
    await getTrend({ sector: 'commerce' })
    await getDistricts({}, 'overdue')
    const file = await getExport('/api/v1/stats/export/units?format=csv')
    expect(file.filename).toBe('安电_单位清单_2025-11-23.csv')
    expect(server.calls.map((c) => c.url)).toEqual([
      '/api/v1/stats/units?region=430903&sector=commerce&compliant=false&offset=0&limit=100',
      '/api/v1/stats/trend?sector=commerce&months=12',
      '/api/v1/stats/districts?by=overdue',
      '/api/v1/stats/export/units?format=csv',
    ])
  })
})
