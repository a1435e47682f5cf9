// Wire shapes of alarms (/api/v1/alarms and the live stream's `alarm` event). Field names are the server's, unchanged.

export type AlarmLevel = 'prealarm' | 'alarm' | 'fault' | 'offline'

export type AlarmCause =
  | 'overload'
  | 'leakage'
  | 'overtemp'
  | 'arc'
  | 'short_circuit'
  | 'hot_joint'
  | 'leakage_trend'
  | 'imbalance'
  | 'voltage'
  | 'sensor'
  | 'offline'

/** Per-cause extras: leakage_trend `projected_at` (Unix s), sensor `reason`, hot_joint `excess_c`. */
export interface AlarmDetail {
  projected_at?: number
  reason?: 'out_of_range' | 'stuck' | string
  excess_c?: number
  [key: string]: unknown
}

/** GET /api/v1/alarms, POST /api/v1/alarms/{id}/ack. Times are Unix seconds. */
export interface Alarm {
  id: number
  site_id: number
  device_id: number
  device_name: string
  device_serial: string
  /** Channel key, or null for a device-level alarm (offline). */
  channel: string | null
  channel_id: number | null
  level: AlarmLevel
  cause: AlarmCause | string
  started_at: number
  cleared_at: number | null
  /** Worst value seen, in `unit`; null for offline. */
  peak: number | null
  unit: string
  /** The setting the value crossed, in `unit`. */
  threshold: number | null
  detail: AlarmDetail
  acknowledged_at: number | null
  acknowledged_by: string | null
  /** The note given with the acknowledgement ("" without one). */
  ack_note?: string
  /** How far the escalation ladder went; missing (older servers, copies saved before) means 0. */
  escalated_tier?: EscalationTier
  /**
   * Raised while the device was in self-test (after a `self_test` event, or in the commissioning self-test
   * step): listed, but never a banner, beep or notification, and never a colour. Missing means false.
   */
  test?: boolean
  /** `trip`: the alarm ended because the breaker opened, not because the fault went away. */
  cleared_reason?: ClearedReason | null
  /** Who tripped it remotely (display name); null when the breaker tripped by itself. */
  tripped_by?: string | null
  /** The value that raised the alarm, in `unit` (the number its first message quoted); `peak` is the highest. */
  raised_value?: number | null
  /** Where it is and whom to call (servers since the console; missing on older copies). */
  site_name?: string
  circuit?: string
  district_code?: string | null
  /** The site's district (区/县) name. */
  district?: string
  company_id?: number | null
  /** The operator company's 24-hour hotline; "" when it has none. */
  hotline?: string
  /** How many times the escalation ladder climbed. */
  escalations?: number
}

/** Why a cleared alarm ended when it was not the fault going away; others may come. */
export type ClearedReason = 'trip'

/**
 * Who has been told about an alarm: 0 the owner only; 1 the operator company too, because nobody acknowledged
 * in time; 2 the grid inspector as well.
 */
export type EscalationTier = 0 | 1 | 2

export type AlarmTransition = 'raised' | 'escalated' | 'cleared' | 'acknowledged'

/** Data of the live stream's `alarm` event. */
export interface AlarmEvent extends Alarm {
  transition: AlarmTransition
}
