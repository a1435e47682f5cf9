// Shapes the server sends (GET /api/v1/sites, /sites/{id}, /me), for tests.
import type { Alarm, AlarmEvent, AlarmTransition, Site, SiteDetail, User } from '../types'

export const user: User = {
  id: 7,
  username: 'inspector1',
  role: 'inspector',
  display_name: '李网格',
  company_id: null,
  regions: ['430903001'],
  department: null,
}

export function site(id: number, overrides: Partial<Site> = {}): Site {
  return {
    id,
    name: `集贸市场 ${id}号摊位`,
    address: '益阳市赫山区龙岭路 1 号',
    region_code: '430903',
    region_name: '益阳市 赫山区',
    venue_type: 'market',
    department: 'commerce',
    required_capabilities: ['arc_extinguishing'],
    key_unit: false,
    owner_id: 3,
    company_id: 1,
    lat: 28.57,
    lon: 112.36,
    created_at: 1_763_800_000,
    device_count: 1,
    status: 'normal',
    ...overrides,
  }
}

export function siteDetail(id: number): SiteDetail {
  return {
    ...site(id),
    devices: [
      {
        id: 100 + id,
        site_id: id,
        serial: 'AD-2025-000123',
        model: 'AD-B63',
        kind: 'breaker',
        name: '插座回路断路器',
        circuit: '插座回路',
        rated_current_a: 32,
        state: 'commissioned',
        created_at: 1_763_800_100,
        channels: [
          {
            id: 1000 + id,
            device_id: 100 + id,
            key: 'residual_ma',
            unit: 'mA',
            settings: { enabled: true, alarm: 300, prealarm: 240, delay_s: 5 },
          },
        ],
      },
    ],
  }
}

/** An active leakage alarm on the fixture site's residual-current channel (siteDetail(12)). */
export function alarm(id: number, overrides: Partial<Alarm> = {}): Alarm {
  return {
    id,
    site_id: 12,
    device_id: 112,
    device_name: '插座回路断路器',
    device_serial: 'AD-2025-000123',
    channel: 'residual_ma',
    channel_id: 1012,
    level: 'alarm',
    cause: 'leakage',
    started_at: 1_763_856_000 + id,
    cleared_at: null,
    peak: 420,
    unit: 'mA',
    threshold: 300,
    detail: {},
    acknowledged_at: null,
    acknowledged_by: null,
    ...overrides,
  }
}

export function alarmEvent(id: number, transition: AlarmTransition, overrides: Partial<Alarm> = {}): AlarmEvent {
  return { ...alarm(id, overrides), transition }
}
