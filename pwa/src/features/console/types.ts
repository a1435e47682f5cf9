// Wire shapes of the operator's console (docs/console.md): bulk acknowledgement, the electricians to dispatch to,
// and owners' power-off requests. Field names are the server's, unchanged.
import type { ControlRecord } from '../devices/types'

/** POST /api/v1/alarms/ack: one answer per alarm. */
export interface AckResult {
  alarm_id: number
  result: 'acknowledged' | 'already' | 'not_found'
  status_code: number
}

export interface AckManyAnswer {
  results: AckResult[]
  acknowledged: number
}

/** GET /api/v1/companies/{id}/electricians */
export interface Electrician {
  id: number
  username: string
  display_name: string
  phone: string
}

export type PowerOffState = 'pending' | 'tripped' | 'declined'

/** /api/v1/alarms/{id}/power-off-requests and /api/v1/power-off-requests. Times are Unix seconds. */
export interface PowerOffRequest {
  id: number
  alarm_id: number
  site_id: number
  site_name: string
  device_id: number
  device_name: string
  circuit: string
  requested_by: string
  requested_at: number
  reason: string
  state: PowerOffState
  decided_by: string | null
  decided_at: number | null
  decision_note: string
  control_id: number | null
  /** The trip this answer made (confirm only): its outcome and the switch read back. */
  control?: ControlRecord | null
}

/** The console's filters, as kept in the address (model.ts parseConsoleSearch). */
export interface ConsoleFilters {
  district?: string
  cause?: string
  level?: string
  /** Acknowledged ones only ("yes") or only the others ("no"). */
  ack?: 'yes' | 'no'
  company?: number
  /** The wall-screen layout of a control room. */
  wall?: boolean
}

/** GET /api/v1/gateways/catching-up: a site box still sending what it kept while the cloud was away. */
export interface BoxBacklog {
  id: number
  site_id: number
  site_name: string
  /** Per stream: alarms, commissionings, events, readings (estimated), rollups. */
  backlog: Record<string, number>
  backlog_at: number
  last_seen_at: number | null
}

/** GET /api/v1/companies (an admin: every operator company). */
export interface Company {
  id: number
  name: string
  hotline: string
}
