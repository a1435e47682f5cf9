// Drilling down from the dashboard, without rendering: the units list's filters in the address
// (/dashboard/units?region=&sector=&compliant=false), what a unit lacks in words, the district ranking's order,
// the trend as chart columns, and the addresses of the server's exports. Pure.
import { parseDashboardSearch } from './filters'
import type { StatsFilter, TrendMonth, UnitRow } from './types'

export const UNITS_PATH = '/dashboard/units'

/** The units list: the dashboard's filters plus what the number counted. */
export interface UnitsView extends StatsFilter {
  /** false: the units not equipped as their venue type requires ("未按要求配备"); true: those that are. */
  compliant?: boolean
  /** false: the units without a commissioned device. */
  covered?: boolean
}

function flag(value: string | null): boolean | undefined {
  return value === 'true' ? true : value === 'false' ? false : undefined
}

/** The list's filters from its address; anything malformed is ignored. */
export function parseUnitsSearch(search: string): UnitsView {
  const params = new URLSearchParams(search)
  const view: UnitsView = parseDashboardSearch(search)
  const compliant = flag(params.get('compliant'))
  const covered = flag(params.get('covered'))
  if (compliant !== undefined) view.compliant = compliant
  if (covered !== undefined) view.covered = covered
  return view
}

/** The query of the list and of its endpoint ("region=430903&sector=commerce&compliant=false"). */
export function unitsQuery(view: UnitsView): URLSearchParams {
  const params = new URLSearchParams()
  if (view.region) params.set('region', view.region)
  if (view.sector) params.set('sector', view.sector)
  if (view.compliant !== undefined) params.set('compliant', String(view.compliant))
  if (view.covered !== undefined) params.set('covered', String(view.covered))
  return params
}

/** The dashboard's filters as a query (an export's, with more parameters). */
export function filterParams(filter: StatsFilter, extra: Record<string, string> = {}): URLSearchParams {
  const params = unitsQuery({ ...(filter.region ? { region: filter.region } : {}), ...(filter.sector ? { sector: filter.sector } : {}) })
  for (const [name, value] of Object.entries(extra)) params.set(name, value)
  return params
}

/** The list's address (the inverse of parseUnitsSearch). */
export function unitsPath(view: UnitsView): string {
  const text = unitsQuery(view).toString()
  return text ? `${UNITS_PATH}?${text}` : UNITS_PATH
}

/** "缺 故障电弧探测、灭弧保护" from the names the server gives; '' when nothing is missing. */
export function missingText(unit: Pick<UnitRow, 'missing' | 'missing_names'>, names: (code: string, zh: string) => string): string {
  return unit.missing.map((code, i) => names(code, unit.missing_names[i] ?? code)).join('、')
}

export type RankBy = 'coverage' | 'compliance' | 'overdue' | 'open' | 'alarms'
export const RANK_BY: readonly RankBy[] = ['coverage', 'compliance', 'overdue', 'open', 'alarms']

export function parseRankBy(value: string | null): RankBy {
  return RANK_BY.includes(value as RankBy) ? (value as RankBy) : 'coverage'
}

/** The trend as chart columns: x = month index, counts per series, coverage in percent (its own axis). */
export interface TrendColumns {
  labels: string[]
  x: number[]
  alarms: number[]
  hazardsFound: number[]
  hazardsClosed: number[]
  coverage: number[]
}

export function trendColumns(months: readonly TrendMonth[]): TrendColumns {
  return {
    labels: months.map((m) => m.month),
    x: months.map((_, i) => i),
    alarms: months.map((m) => m.alarms),
    hazardsFound: months.map((m) => m.hazards_found),
    hazardsClosed: months.map((m) => m.hazards_closed),
    coverage: months.map((m) => Math.round(m.coverage * 1000) / 10),
  }
}

/** A month on the chart's axis: "2026-01" at the first month and at each January, else "02", "03", …. */
export function monthLabel(labels: readonly string[], index: number): string {
  const label = labels[index]
  if (label === undefined) return ''
  return index === 0 || label.endsWith('-01') ? label : label.slice(5)
}

/** The change from last month to this one, for the trend's summary line (null without two months). */
export function monthChange(months: readonly TrendMonth[], key: 'alarms' | 'hazards_found' | 'hazards_closed'): number | null {
  if (months.length < 2) return null
  return (months[months.length - 1] as TrendMonth)[key] - (months[months.length - 2] as TrendMonth)[key]
}

export type ExportTable = 'coverage' | 'units' | 'districts' | 'trend' | 'hazards' | 'offline'
export type ExportFormat = 'xlsx' | 'csv'

/** The server's export of a table with the table's own filters, in the page's language. */
export function exportPath(table: ExportTable, format: ExportFormat, params: URLSearchParams, lang: string): string {
  const query = new URLSearchParams(params)
  query.set('format', format)
  if (lang === 'en') query.set('lang', 'en')
  return `/api/v1/stats/export/${table}?${query.toString()}`
}

/** When the server gives no file name. */
export function exportFallbackName(table: ExportTable, format: ExportFormat): string {
  return `andian-${table}.${format}`
}
