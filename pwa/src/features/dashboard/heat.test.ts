import { describe, expect, it } from 'vitest'
import { coverage, ROWS, row } from '../../test/stats'
import {
  belowTarget,
  cellKey,
  coverageColour,
  hazardBars,
  heatTable,
  hotColour,
  hotGrid,
  summaryOf,
} from './heat'

describe('colour scales', () => {
  it.each([
    [0, 'rgb(232 89 89)', '#1c2430'],
    [0.25, 'rgb(240 140 85)', '#1c2430'],
    [0.5, 'rgb(247 190 80)', '#1c2430'],
    [1, 'rgb(64 168 106)', '#1c2430'],
    [1.7, 'rgb(64 168 106)', '#1c2430'],
    [-1, 'rgb(232 89 89)', '#1c2430'],
    [Number.NaN, 'rgb(232 89 89)', '#1c2430'],
  ])('coverage %s → %s', (rate, background, text) => {
    expect(coverageColour(rate)).toEqual({ background, text })
  })

  it('goes from almost white to the alarm red, with white words on the dark end', () => {
    expect(hotColour(0)).toEqual({ background: 'rgb(255 245 245)', text: '#1c2430' })
    expect(hotColour(1)).toEqual({ background: 'rgb(201 42 42)', text: '#ffffff' })
    expect(hotColour(0.5).background).toBe('rgb(228 144 144)')
  })
})

describe('heatTable', () => {
  const table = heatTable(ROWS, ['fire_rescue', 'commerce', 'civil_affairs', 'education'])

  it('puts districts down in code order and sectors across in the reference order', () => {
    expect(table.districts.map((d) => [d.code, d.name])).toEqual([
      ['430902', '资阳区'],
      ['430903', '赫山区'],
    ])
    expect(table.sectors.map((s) => s.code)).toEqual(['fire_rescue', 'commerce', 'civil_affairs', 'education'])
  })

  it('finds each cell by district and sector; a missing one has no sites', () => {
    expect(table.cells.get(cellKey('430903', 'commerce'))?.coverage).toBe(0.8)
    expect(table.cells.get(cellKey('430902', 'commerce'))).toBeUndefined()
  })

  it('totals each district, each sector and the whole from the counts, not by averaging rates', () => {
    const heshan = table.districts.find((d) => d.code === '430903')
    expect(heshan?.totals).toEqual({ sites: 15, covered: 9, compliant: 6, coverage: 0.6, compliance: 0.4 })
    expect(table.sectors.find((s) => s.code === 'education')?.totals.coverage).toBe(0)
    expect(table.totals).toMatchObject({ sites: 19, covered: 10, compliant: 7 })
  })

  it('names sectors through the given function (English names from the reference)', () => {
    const english = heatTable(ROWS, [], (code) => code.toUpperCase())
    expect(english.sectors.map((s) => s.name)).toEqual(['CIVIL_AFFAIRS', 'COMMERCE', 'EDUCATION', 'FIRE_RESCUE'])
    expect(heatTable([]).districts).toEqual([])
  })
})

describe('belowTarget', () => {
  it('lists the cells below target, the furthest behind first', () => {
    const rows = [
      ...ROWS,
      row('430922', 'education', { sites: 6, covered: 0, coverage: 0, target_met: false }),
      row('430922', 'commerce', { sites: 0, covered: 0, coverage: 0, target_met: false }),
    ]
    expect(belowTarget(rows).map((r) => cellKey(r.district, r.sector))).toEqual([
      '430922|education',
      '430903|education',
      '430902|civil_affairs',
    ])
  })
})

describe('summaryOf', () => {
  it('gives the rates from the counts and the categories in target order', () => {
    const summary = summaryOf(coverage())
    expect(summary).toMatchObject({ sites: 19, covered: 10, compliant: 7, notCompliant: 12 })
    expect(summary.coverage).toBeCloseTo(10 / 19)
    expect(summary.categories.map((c) => [c.category, c.target, c.target_met])).toEqual([
      ['high_risk', 0.3, true],
      ['crowded', 0.5, true],
      ['all', 1, false],
    ])
    expect(summaryOf(coverage({ sites: 0, covered: 0, compliant: 0 })).coverage).toBe(0)
  })
})

describe('hazardBars', () => {
  it('puts the most overdue first, with bar lengths against the most open', () => {
    const bars = hazardBars([
      { sector: 'commerce', sector_name: '商务部门', open: 10, overdue: 1, major_open: 3 },
      { sector: 'education', sector_name: '教育部门', open: 4, overdue: 3, major_open: 0 },
      { sector: 'civil_affairs', sector_name: '民政部门', open: 5, overdue: 1, major_open: 1 },
    ])
    expect(bars.map((b) => [b.sector, b.openShare, b.overdueShare])).toEqual([
      ['education', 0.4, 0.3],
      ['commerce', 1, 0.1],
      ['civil_affairs', 0.5, 0.1],
    ])
    expect(hazardBars([])).toEqual([])
  })
})

describe('hotGrid', () => {
  const evening = Array.from({ length: 24 }, (_, h) => (h === 19 ? 4 : h === 20 ? 2 : 0))
  const night = Array.from({ length: 24 }, (_, h) => (h === 3 ? 1 : h === 19 ? 0 : 0))

  it('puts the district with the most alarms first and shades each cell against the busiest', () => {
    const grid = hotGrid({ days: 30, districts: ['430902', '430903'], district_names: ['资阳区', '赫山区'], counts: [night, evening] })
    expect(grid.rows.map((r) => [r.district, r.total])).toEqual([
      ['430903', 6],
      ['430902', 1],
    ])
    expect(grid.max).toBe(4)
    expect(grid.rows[0]?.cells[19]).toEqual({ hour: 19, count: 4, level: 1 })
    expect(grid.rows[0]?.cells[20]?.level).toBe(0.5)
    expect(grid.rows[1]?.cells[3]?.level).toBe(0.25)
    expect(grid.hours[19]).toBe(4)
    expect(grid.total).toBe(7)
    expect(grid.peakHours).toEqual([19])
  })

  it('copes with no alarms and short rows', () => {
    const grid = hotGrid({ days: 30, districts: ['430903'], district_names: [], counts: [[1]] })
    expect(grid.rows[0]?.name).toBe('430903')
    expect(grid.rows[0]?.cells).toHaveLength(24)
    expect(hotGrid({ days: 30, districts: [], district_names: [], counts: [] })).toEqual({
      rows: [],
      hours: Array(24).fill(0),
      max: 0,
      total: 0,
      peakHours: [],
    })
  })
})
