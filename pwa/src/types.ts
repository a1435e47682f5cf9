// Wire shapes of the andian HTTP API (/api/v1). Field names are the server's, unchanged.

export type Role = 'admin' | 'operator' | 'installer' | 'owner' | 'inspector' | 'regulator'

export interface User {
  id: number
  username: string
  role: Role
  display_name: string
  company_id: number | null
  regions: string[]
  department: string | null
}

export interface LoginResponse {
  token: string
  /** Unix seconds. */
  expires_at: number
  user: User
}

export type SiteStatus = 'normal' | 'prealarm' | 'alarm' | 'fault' | 'offline'

export interface Site {
  id: number
  name: string
  address: string
  region_code: string
  region_name: string
  venue_type: string
  department: string
  required_capabilities: string[]
  key_unit: boolean
  owner_id: number | null
  company_id: number | null
  lat: number | null
  lon: number | null
  /** Unix seconds. */
  created_at: number
  device_count: number
  status: SiteStatus
}

export type DeviceKind = 'breaker' | 'combined' | 'residual' | 'temperature' | 'arc'
export type DeviceState = 'registered' | 'commissioned'

export interface ChannelSettings {
  enabled: boolean
  alarm?: number
  prealarm?: number
  delay_s?: number
  hysteresis?: number
  rated_a?: number
  ambient_c?: number
}

export interface Channel {
  id: number
  device_id: number
  key: string
  unit: string
  settings: ChannelSettings
}

export interface Device {
  id: number
  site_id: number
  serial: string
  model: string
  kind: DeviceKind
  name: string
  circuit: string
  rated_current_a: number | null
  state: DeviceState
  created_at: number
  channels: Channel[]
}

export interface SiteDetail extends Site {
  devices: Device[]
}

/** Error body of every non-2xx answer. */
export interface ErrorBody {
  status_code: number
  detail: string
  extra?: unknown
}

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
}

export type AlarmTransition = 'raised' | 'escalated' | 'cleared' | 'acknowledged'

/** Data of the live stream's `alarm` event. */
export interface AlarmEvent extends Alarm {
  transition: AlarmTransition
}

/** Data of the live stream's `reading` event: the latest value of one channel in an ingested batch. */
export interface ReadingEvent {
  channel_id: number
  device_id: number
  channel: string
  ts: number
  value: number
}

/** GET /api/v1/channels/{id}/readings: parallel arrays sorted by ts (Unix seconds). */
export interface Readings {
  ts: number[]
  value: number[]
}
