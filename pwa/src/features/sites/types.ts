// Wire shapes of sites (GET /api/v1/sites, /api/v1/sites/{id}). Field names are the server's, unchanged.
import type { Device } from '../devices/types'

/**
 * `power_off`: a breaker of the site is open (tripped or switched off) and nothing worse is going on; older
 * servers never send it.
 */
export type SiteStatus = 'normal' | 'prealarm' | 'alarm' | 'fault' | 'offline' | 'power_off'

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

/** The venue type's required capabilities, those the commissioned devices give, and whether that is enough. */
export interface SiteCapabilities {
  required: string[]
  present: string[]
  compliant: boolean
}

export interface SiteDetail extends Site {
  devices: Device[]
  /** Missing from older servers and copies saved before. */
  capabilities?: SiteCapabilities
}
