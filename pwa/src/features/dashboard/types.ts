// Wire shapes of the regulator statistics (server/stats/schemas.py) and of the reference data the filters are
// made from (GET /api/v1/reference). Rates are 0..1; names from the server are Chinese.

/** The programme's categories: high-risk units (target 30 %), crowded places (50 %), every unit (100 %). */
export type Category = 'high_risk' | 'crowded' | 'all'

/** One district × sector (supervising department) cell. */
export interface CoverageRow {
  district: string
  district_name: string
  sector: string
  sector_name: string
  /** The category most of its sites fall in, which sets its target. */
  category: Exclude<Category, 'all'> | string
  sites: number
  /** With at least one commissioned device. */
  covered: number
  coverage: number
  /** Commissioned capabilities cover what the venue type requires. */
  compliant: number
  compliance: number
  target: number
  target_met: boolean
}

export interface CategoryRow {
  category: Category | string
  sites: number
  covered: number
  coverage: number
  target: number
  /** False when the category has no sites. */
  target_met: boolean
  /** "no_units" when the category has no units: 0/0 is neither met nor failing. */
  status?: 'met' | 'not_met' | 'no_units' | string
}

/** GET /api/v1/stats/coverage */
export interface CoverageOut {
  targets: Record<string, number>
  rows: CoverageRow[]
  categories: CategoryRow[]
  sites: number
  covered: number
  compliant: number
  /** Ids of the sites whose installed capabilities fall short (the first 500). */
  not_compliant: number[]
}

/** GET /api/v1/stats/hazards: hazards not closed, by supervising department. */
export interface HazardRow {
  sector: string
  sector_name: string
  open: number
  overdue: number
  major_open: number
}

/** GET /api/v1/stats/hotspots */
export interface HotspotsOut {
  days: number
  districts: string[]
  district_names: string[]
  /** counts[d][h]: alarm-level alarms that started in district d at local hour h. */
  counts: number[][]
}

/** GET /api/v1/stats/offline: sites with devices offline now, longest first. */
export interface OfflineSite {
  site_id: number
  name: string
  district_name: string
  devices: number
  /** Offline since (Unix s). */
  since: number
}

/** The dashboard's filters: a region (a district) and a sector (a department code). */
export interface StatsFilter {
  region?: string
  sector?: string
}

export interface Region {
  code: string
  name: string
  parent: string | null
  level: 'city' | 'district' | 'street' | 'grid' | string
}

export interface Department {
  code: string
  name_zh: string
  name_en: string
  venue_types: string[]
  sees_all_venue_types: boolean
}

export interface VenueTypeRef {
  code: string
  name_zh: string
  name_en: string
  department: string
  required_capabilities: string[]
}

export interface CapabilityRef {
  code: string
  name_zh: string
  name_en: string
  category: string
}

/** GET /api/v1/reference */
export interface Reference {
  regions: Region[]
  departments: Department[]
  venue_types: VenueTypeRef[]
  capabilities: CapabilityRef[]
}

/** GET /api/v1/stats/units: one unit behind a number. */
export interface UnitRow {
  site_id: number
  name: string
  address: string
  district: string
  district_name: string
  region_name: string
  venue_type: string
  venue_type_name: string
  sector: string
  sector_name: string
  covered: boolean
  compliant: boolean
  /** Capability codes the venue type requires and the unit lacks. */
  missing: string[]
  missing_names: string[]
  open_hazards: number
  overdue_hazards: number
  /** This month's health-check report; null when it cannot be made. */
  score: number | null
  grade: string | null
}

export interface UnitsOut {
  total: number
  offset: number
  limit: number
  rows: UnitRow[]
}

/** GET /api/v1/stats/trend: one local month. */
export interface TrendMonth {
  month: string
  alarms: number
  prealarms: number
  hazards_found: number
  hazards_closed: number
  sites: number
  covered: number
  coverage: number
}

export interface TrendOut {
  months: TrendMonth[]
}

/** GET /api/v1/stats/districts */
export interface DistrictRank {
  rank: number
  district: string
  district_name: string
  sites: number
  covered: number
  coverage: number
  compliant: number
  compliance: number
  open_hazards: number
  overdue_hazards: number
  alarms_30d: number
}
