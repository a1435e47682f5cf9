// The dashboard's tables and colours without rendering: the district × sector heat table with its totals, the
// colour scale, the cells below target, the hour × district alarm grid, hazards by department as bars, and the
// summary cards. Pure: arrays in, values out.
import type { CategoryRow, CoverageOut, CoverageRow, HazardRow, HotspotsOut } from './types'

// ---- Colours ----

interface Rgb {
  r: number
  g: number
  b: number
}

interface Stop {
  at: number
  rgb: Rgb
}

/**
 * The coverage scale: red at 0 %, amber at 50 %, green at 100 % (the app's alarm, pre-alarm and normal hues,
 * lightened so the numbers on them stay readable). Targets are 30 % and 50 %, so amber is "getting there".
 */
const COVERAGE_STOPS: readonly Stop[] = [
  { at: 0, rgb: { r: 232, g: 89, b: 89 } },
  { at: 0.5, rgb: { r: 247, g: 190, b: 80 } },
  { at: 1, rgb: { r: 64, g: 168, b: 106 } },
]

/** The alarm grid: from almost white (no alarms) to the alarm red (the busiest hour and district). */
const HOT_STOPS: readonly Stop[] = [
  { at: 0, rgb: { r: 255, g: 245, b: 245 } },
  { at: 1, rgb: { r: 201, g: 42, b: 42 } },
]

/** The colour at `value` (clamped to 0..1), mixed linearly between the two stops around it. */
function mix(stops: readonly Stop[], value: number): Rgb {
  const v = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0))
  let low = stops[0] as Stop
  for (const high of stops) {
    if (v <= high.at) {
      const f = high.at === low.at ? 0 : (v - low.at) / (high.at - low.at)
      const channel = (a: number, b: number) => Math.round(a + (b - a) * f)
      return { r: channel(low.rgb.r, high.rgb.r), g: channel(low.rgb.g, high.rgb.g), b: channel(low.rgb.b, high.rgb.b) }
    }
    low = high
  }
  return low.rgb
}

export interface Colour {
  /** CSS, e.g. "rgb(64 168 106)". */
  background: string
  /** Dark or white, whichever contrasts more with the background (WCAG relative luminance). */
  text: string
}

const DARK_TEXT = '#1c2430'
/** Relative luminance of DARK_TEXT. */
const DARK_LUMINANCE = 0.017

function luminance({ r, g, b }: Rgb): number {
  const linear = (c: number) => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

function colourOf(rgb: Rgb): Colour {
  const l = luminance(rgb)
  const onWhite = 1.05 / (l + 0.05)
  const onDark = (l + 0.05) / (DARK_LUMINANCE + 0.05)
  return { background: `rgb(${rgb.r} ${rgb.g} ${rgb.b})`, text: onWhite > onDark ? '#ffffff' : DARK_TEXT }
}

/** A coverage rate (0..1) on the red–amber–green scale. */
export function coverageColour(rate: number): Colour {
  return colourOf(mix(COVERAGE_STOPS, rate))
}

/** A share of the busiest cell (0..1) on the white–red scale. */
export function hotColour(level: number): Colour {
  return colourOf(mix(HOT_STOPS, level))
}

// ---- The heat table ----

export interface Totals {
  sites: number
  covered: number
  compliant: number
  coverage: number
  compliance: number
}

export interface HeatTable {
  districts: { code: string; name: string; totals: Totals }[]
  sectors: { code: string; name: string; totals: Totals }[]
  /** By cellKey(district, sector); a missing cell has no sites. */
  cells: ReadonlyMap<string, CoverageRow>
  totals: Totals
}

export function cellKey(district: string, sector: string): string {
  return `${district}|${sector}`
}

function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0
}

function totalsOf(rows: readonly Pick<CoverageRow, 'sites' | 'covered' | 'compliant'>[]): Totals {
  const sites = rows.reduce((n, r) => n + r.sites, 0)
  const covered = rows.reduce((n, r) => n + r.covered, 0)
  const compliant = rows.reduce((n, r) => n + r.compliant, 0)
  return { sites, covered, compliant, coverage: rate(covered, sites), compliance: rate(compliant, sites) }
}

/**
 * Districts as rows (code order), sectors as columns (in `sectorOrder`, the reference's order, then any other
 * by code), each with its totals over the cells it has.
 */
export function heatTable(
  rows: readonly CoverageRow[],
  sectorOrder: readonly string[] = [],
  sectorLabel: (code: string, serverName: string) => string = (_code, name) => name,
): HeatTable {
  const cells = new Map(rows.map((r) => [cellKey(r.district, r.sector), r]))
  const districtCodes = [...new Set(rows.map((r) => r.district))].sort()
  const rank = (code: string) => {
    const i = sectorOrder.indexOf(code)
    return i === -1 ? sectorOrder.length : i
  }
  const sectorCodes = [...new Set(rows.map((r) => r.sector))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  return {
    districts: districtCodes.map((code) => {
      const own = rows.filter((r) => r.district === code)
      return { code, name: own[0]?.district_name ?? code, totals: totalsOf(own) }
    }),
    sectors: sectorCodes.map((code) => {
      const own = rows.filter((r) => r.sector === code)
      return { code, name: sectorLabel(code, own[0]?.sector_name ?? code), totals: totalsOf(own) }
    }),
    cells,
    totals: totalsOf(rows),
  }
}

/** The cells below their target, the furthest behind first (then the most sites): where to push. */
export function belowTarget(rows: readonly CoverageRow[]): CoverageRow[] {
  return rows
    .filter((r) => r.sites > 0 && !r.target_met)
    .sort((a, b) => b.target - b.coverage - (a.target - a.coverage) || b.sites - a.sites || a.district.localeCompare(b.district))
}

// ---- Summary cards ----

export interface Summary {
  sites: number
  covered: number
  compliant: number
  coverage: number
  compliance: number
  notCompliant: number
  /** high_risk, crowded, all, in that order, each against its target. */
  categories: CategoryRow[]
}

const CATEGORY_ORDER = ['high_risk', 'crowded', 'all']

export function summaryOf(coverage: CoverageOut): Summary {
  const rank = (c: string) => (CATEGORY_ORDER.includes(c) ? CATEGORY_ORDER.indexOf(c) : CATEGORY_ORDER.length)
  return {
    sites: coverage.sites,
    covered: coverage.covered,
    compliant: coverage.compliant,
    coverage: rate(coverage.covered, coverage.sites),
    compliance: rate(coverage.compliant, coverage.sites),
    notCompliant: coverage.sites - coverage.compliant,
    categories: [...coverage.categories].sort((a, b) => rank(a.category) - rank(b.category)),
  }
}

// ---- Hazards by department ----

export interface HazardBar extends HazardRow {
  /** Shares of the department with the most open hazards (0..1), for the bars. */
  openShare: number
  overdueShare: number
}

/** Departments with the most overdue hazards first, then the most open. */
export function hazardBars(rows: readonly HazardRow[]): HazardBar[] {
  const max = Math.max(0, ...rows.map((r) => r.open))
  return [...rows]
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.sector.localeCompare(b.sector))
    .map((r) => ({ ...r, openShare: rate(r.open, max), overdueShare: rate(r.overdue, max) }))
}

// ---- Alarm hot spots ----

export interface HotRow {
  district: string
  name: string
  /** 24 cells, local hours 0..23. */
  cells: { hour: number; count: number; level: number }[]
  total: number
}

export interface HotGrid {
  rows: HotRow[]
  /** Alarms per hour over every district. */
  hours: number[]
  max: number
  total: number
  /** The hours with the most alarms over every district (ties all named). */
  peakHours: number[]
}

/** The hour × district grid, the district with the most alarms first; each cell's level is its share of the busiest. */
export function hotGrid(out: HotspotsOut): HotGrid {
  const counts = out.districts.map((_, d) => Array.from({ length: 24 }, (_, h) => Math.max(0, out.counts[d]?.[h] ?? 0)))
  const max = Math.max(0, ...counts.flat())
  const hours = Array.from({ length: 24 }, (_, h) => counts.reduce((n, row) => n + (row[h] ?? 0), 0))
  const top = Math.max(0, ...hours)
  const rows = out.districts
    .map((district, d) => {
      const row = counts[d] ?? []
      return {
        district,
        name: out.district_names[d] ?? district,
        cells: row.map((count, hour) => ({ hour, count, level: rate(count, max) })),
        total: row.reduce((n, c) => n + c, 0),
      }
    })
    .sort((a, b) => b.total - a.total || a.district.localeCompare(b.district))
  return {
    rows,
    hours,
    max,
    total: hours.reduce((n, c) => n + c, 0),
    peakHours: top === 0 ? [] : hours.flatMap((c, h) => (c === top ? [h] : [])),
  }
}
