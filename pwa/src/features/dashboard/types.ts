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
