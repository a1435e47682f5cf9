// Hazard shapes as the server sends them (GET /api/v1/hazards, /hazards/{id}), for tests.
import type { Hazard, HazardDetail, HazardEvent } from '../features/hazards/types'

// Local times, so dates read the same in any time zone.
export const NOW = new Date(2025, 10, 23, 9, 0).getTime()
export const at = (day: number, h = 9, m = 0) => new Date(2025, 10, day, h, m).getTime() / 1000

export function hazard(id: number, overrides: Partial<Hazard> = {}): Hazard {
  return {
    id,
    site_id: 1,
    site_name: '桃花仑综合市场 12号摊位',
    title: '插座烧焦发黑',
    description: '收银台下方插座有烧痕',
    severity: 'major',
    source: 'inspection',
    alarm_id: null,
    commissioning_id: null,
    state: 'assigned',
    overdue: false,
    assignee_id: 4,
    assignee: '王老板',
    due_at: at(26),
    created_by: '李娟',
    created_at: at(23, 8),
    updated_at: at(23, 8),
    rectified_by: null,
    rectified_at: null,
    verified_by: null,
    verified_at: null,
    closed_at: null,
    ...overrides,
  }
}

export function event(id: number, overrides: Partial<HazardEvent> = {}): HazardEvent {
  return {
    id,
    ts: at(23, 8),
    kind: 'created',
    state: 'open',
    note: '',
    actor: '李娟',
    actor_role: 'inspector',
    attachments: [],
    ...overrides,
  }
}

export function hazardDetail(id: number, overrides: Partial<HazardDetail> = {}): HazardDetail {
  return {
    ...hazard(id),
    events: [
      event(1, { note: '收银台下方插座有烧痕' }),
      event(2, { kind: 'assigned', state: 'assigned' }),
    ],
    ...overrides,
  }
}
