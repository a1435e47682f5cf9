// The dashboard's filters without rendering: who sees the dashboard, the filters in the address, and the
// districts and sectors a person may pick (their own scope, from the reference data). Pure.
import type { Lang } from '../../platform/i18n'
import type { Role, User } from '../../platform/wire'
import { DASHBOARD_PATH } from '../../shell/router'
import type { Department, Reference, Region, StatsFilter } from './types'

/** The header shows the dashboard to those who oversee many sites; the server scopes every figure anyway. */
export const DASHBOARD_ROLES: readonly Role[] = ['regulator', 'admin', 'inspector', 'operator']

export function canSeeDashboard(role: Role | undefined): boolean {
  return role !== undefined && DASHBOARD_ROLES.includes(role)
}

const REGION_CODE = /^\d{6,12}$/
const SECTOR_CODE = /^[a-z][a-z_]{1,39}$/

/** The filters in the address ("/dashboard?region=430903&sector=commerce"); anything malformed is ignored. */
export function parseDashboardSearch(search: string): StatsFilter {
  const params = new URLSearchParams(search)
  const filter: StatsFilter = {}
  const region = params.get('region')
  const sector = params.get('sector')
  if (region && REGION_CODE.test(region)) filter.region = region
  if (sector && SECTOR_CODE.test(sector)) filter.sector = sector
  return filter
}

/** The dashboard's address for these filters (the inverse of parseDashboardSearch). */
export function dashboardPath(filter: StatsFilter): string {
  const params = new URLSearchParams()
  if (filter.region) params.set('region', filter.region)
  if (filter.sector) params.set('sector', filter.sector)
  const text = params.toString()
  return text ? `${DASHBOARD_PATH}?${text}` : DASHBOARD_PATH
}

function ancestorsOf(code: string, byCode: ReadonlyMap<string, Region>): Set<string> {
  const seen = new Set<string>()
  let region = byCode.get(code)
  while (region && !seen.has(region.code)) {
    seen.add(region.code)
    region = region.parent ? byCode.get(region.parent) : undefined
  }
  return seen
}

/**
 * The districts (区县) a person may pick: every one for those without regions (admins, operator staff, whose
 * scope is their company), else the districts above, at or below their regions, in code order.
 */
export function districtOptions(reference: Pick<Reference, 'regions'>, user: Pick<User, 'regions'> | undefined): Region[] {
  const byCode = new Map(reference.regions.map((r) => [r.code, r]))
  const districts = reference.regions.filter((r) => r.level === 'district').sort((a, b) => a.code.localeCompare(b.code))
  const mine = user?.regions ?? []
  if (mine.length === 0) return districts
  return districts.filter((district) =>
    mine.some((code) => ancestorsOf(code, byCode).has(district.code) || ancestorsOf(district.code, byCode).has(code)),
  )
}

/**
 * The sectors a person may pick: a sector department (commerce, civil affairs, …) sees its own sector only; the
 * fire department and everyone else every sector, in the reference's order.
 */
export function sectorOptions(
  reference: Pick<Reference, 'departments'>,
  user: Pick<User, 'department'> | undefined,
): Department[] {
  const own = reference.departments.find((d) => d.code === user?.department)
  if (own && !own.sees_all_venue_types) return [own]
  return [...reference.departments]
}

/** A department's name in the page's language; the server's Chinese name when the reference has no entry. */
export function sectorName(code: string, fallback: string, departments: readonly Department[], lang: Lang): string {
  const department = departments.find((d) => d.code === code)
  if (!department) return fallback || code
  return lang === 'en' ? department.name_en || department.name_zh : department.name_zh
}

/**
 * The sector picker's value: the filter's sector, or a sector department's only sector. (With one sector there is
 * no "all sectors" option, and a select whose value matches no option shows blank: the commerce and civil-affairs
 * bureaus saw an empty picker.)
 */
export function sectorValue(filter: StatsFilter, sectors: readonly Pick<Department, 'code'>[]): string {
  if (filter.sector) return filter.sector
  return sectors.length === 1 ? (sectors[0] as Pick<Department, 'code'>).code : ''
}

/** Regulators land on the dashboard (after signing in and at "/"); everyone else on their sites. */
export function landsOnDashboard(role: Role | undefined): boolean {
  return role === 'regulator'
}
