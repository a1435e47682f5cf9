// Regulator statistics and reference data as the server sends them, for tests.
import type { CoverageOut, CoverageRow, Reference } from '../features/dashboard/types'

export function row(district: string, sector: string, overrides: Partial<CoverageRow> = {}): CoverageRow {
  const names: Record<string, string> = { '430902': '资阳区', '430903': '赫山区', '430922': '桃江县' }
  const sectors: Record<string, string> = { commerce: '商务部门', civil_affairs: '民政部门', education: '教育部门', fire_rescue: '消防救援机构' }
  return {
    district,
    district_name: names[district] ?? district,
    sector,
    sector_name: sectors[sector] ?? sector,
    category: 'crowded',
    sites: 4,
    covered: 2,
    coverage: 0.5,
    compliant: 1,
    compliance: 0.25,
    target: 0.5,
    target_met: true,
    ...overrides,
  }
}

export const ROWS: CoverageRow[] = [
  row('430903', 'commerce', { sites: 10, covered: 8, coverage: 0.8, compliant: 5, compliance: 0.5 }),
  row('430903', 'education', { sites: 2, covered: 0, coverage: 0, compliant: 0, compliance: 0, target_met: false }),
  row('430902', 'civil_affairs', { sites: 4, covered: 1, coverage: 0.25, compliant: 1, compliance: 0.25, target_met: false }),
  row('430903', 'fire_rescue', { category: 'high_risk', sites: 3, covered: 1, coverage: 0.3333, compliant: 1, compliance: 0.3333, target: 0.3 }),
]

export function coverage(overrides: Partial<CoverageOut> = {}): CoverageOut {
  return {
    targets: { high_risk: 0.3, crowded: 0.5, all: 1 },
    rows: ROWS,
    categories: [
      { category: 'all', sites: 19, covered: 10, coverage: 0.5263, target: 1, target_met: false },
      { category: 'crowded', sites: 16, covered: 9, coverage: 0.5625, target: 0.5, target_met: true },
      { category: 'high_risk', sites: 3, covered: 1, coverage: 0.3333, target: 0.3, target_met: true },
    ],
    sites: 19,
    covered: 10,
    compliant: 7,
    not_compliant: [2, 3],
    ...overrides,
  }
}

export const REFERENCE: Reference = {
  regions: [
    { code: '430900', name: '益阳市', parent: null, level: 'city' },
    { code: '430902', name: '资阳区', parent: '430900', level: 'district' },
    { code: '430903', name: '赫山区', parent: '430900', level: 'district' },
    { code: '430922', name: '桃江县', parent: '430900', level: 'district' },
    { code: '430903001', name: '赫山街道', parent: '430903', level: 'street' },
    { code: '430903001001', name: '赫山街道第一网格', parent: '430903001', level: 'grid' },
  ],
  departments: [
    { code: 'fire_rescue', name_zh: '消防救援机构', name_en: 'Fire and rescue', venue_types: ['underground_garage'], sees_all_venue_types: true },
    { code: 'commerce', name_zh: '商务部门', name_en: 'Commerce', venue_types: ['market', 'mall', 'supermarket'], sees_all_venue_types: false },
    { code: 'civil_affairs', name_zh: '民政部门', name_en: 'Civil affairs', venue_types: ['elderly_care', 'welfare'], sees_all_venue_types: false },
    { code: 'education', name_zh: '教育部门', name_en: 'Education', venue_types: ['school'], sees_all_venue_types: false },
  ],
  venue_types: [],
  capabilities: [],
}
