// The regulator statistics and the reference data. Every figure is scoped by the server to the caller's regions
// and sectors; `region=` and `sector=` narrow it further (docs/statistics.md). Errors as in platform/http.ts.
import { request, requestFile, type FileAnswer } from '../../platform/http'
import { unitsQuery, type RankBy, type UnitsView } from './drill'
import type { CoverageOut, DistrictRank, HazardRow, HotspotsOut, OfflineSite, Reference, StatsFilter, TrendOut, UnitsOut } from './types'

/** The alarm hot spots look back this far: a month shows the evening peaks without one bad night dominating. */
export const HOTSPOT_DAYS = 30

/** The query string of the statistics endpoints: "?region=430903&sector=commerce", "" without filters. */
export function statsQuery(filter: StatsFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams()
  if (filter.region) params.set('region', filter.region)
  if (filter.sector) params.set('sector', filter.sector)
  for (const [name, value] of Object.entries(extra)) params.set(name, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

export function getCoverage(filter: StatsFilter = {}): Promise<CoverageOut> {
  return request<CoverageOut>('GET', `/api/v1/stats/coverage${statsQuery(filter)}`)
}

export function getHazardStats(filter: StatsFilter = {}): Promise<HazardRow[]> {
  return request<HazardRow[]>('GET', `/api/v1/stats/hazards${statsQuery(filter)}`)
}

export function getHotspots(filter: StatsFilter = {}, days: number = HOTSPOT_DAYS): Promise<HotspotsOut> {
  return request<HotspotsOut>('GET', `/api/v1/stats/hotspots${statsQuery(filter, { days: String(days) })}`)
}

export function getOfflineSites(filter: StatsFilter = {}): Promise<OfflineSite[]> {
  return request<OfflineSite[]>('GET', `/api/v1/stats/offline${statsQuery(filter)}`)
}

/** Regions, departments, venue types and capabilities (for the filter pickers and English sector names). */
export function getReference(): Promise<Reference> {
  return request<Reference>('GET', '/api/v1/reference')
}

/** One page of the units behind a number (drill.ts unitsQuery), with what each lacks and its grade. */
export function getUnits(view: UnitsView, offset = 0, limit = UNITS_PAGE): Promise<UnitsOut> {
  const params = unitsQuery(view)
  params.set('offset', String(offset))
  params.set('limit', String(limit))
  return request<UnitsOut>('GET', `/api/v1/stats/units?${params.toString()}`)
}

/** A page of units: enough for a district's cell; more on "show more". */
export const UNITS_PAGE = 100

export function getTrend(filter: StatsFilter = {}, months = 12): Promise<TrendOut> {
  return request<TrendOut>('GET', `/api/v1/stats/trend${statsQuery(filter, { months: String(months) })}`)
}

export function getDistricts(filter: StatsFilter = {}, by: RankBy = 'coverage'): Promise<DistrictRank[]> {
  return request<DistrictRank[]>('GET', `/api/v1/stats/districts${statsQuery(filter, { by })}`)
}

/** A table as a file from the server (drill.ts exportPath), with the token a plain link cannot send. */
export function getExport(path: string): Promise<FileAnswer> {
  return requestFile('GET', path)
}
