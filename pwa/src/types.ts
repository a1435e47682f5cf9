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
