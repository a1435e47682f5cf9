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
  /** Remote actions the device's model supports; missing (older servers) means none. */
  controls?: ControlAction[]
  /** Last known breaker state; missing or null when unknown or the device has no switch. */
  switch?: SwitchState | null
  /** When the breaker last changed (Unix seconds); missing or null when unknown. */
  switch_at?: number | null
  /** Who switched it remotely (display name); null when the device itself or someone on site did. */
  switch_by?: string | null
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

/** What a subscription may ask for: the alarm levels, and news of hazards at its sites. */
export type NotifyLevel = AlarmLevel | 'hazard'

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

/** Data of the live stream's `device` event: a device's breaker changed. */
export interface DeviceEvent {
  device_id: number
  site_id: number
  switch: SwitchState | null
  /** Unix seconds of the change. */
  switch_at: number | null
  /** Who switched it remotely; null when the device itself or someone on site did. */
  switch_by: string | null
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

// ---- Commissioning (installer, over Bluetooth through the server's or the site box's radio) ----

/** Whether a device found in a scan is already registered: at this site, at another one, or not at all. */
export type BleKnown = 'here' | 'elsewhere'

/** GET /api/v1/sites/{id}/ble/scan: one advertising device. */
export interface BleDevice {
  address: string
  name: string
  /** dBm, e.g. -52. */
  rssi: number
  model: string | null
  model_name: string | null
  kind: DeviceKind | null
  known: BleKnown | null
  device_id: number | null
}

export type StepName = 'pair' | 'identify' | 'live_read' | 'self_test' | 'thresholds' | 'accept'
export type StepStatus = 'pending' | 'done' | 'failed'

/** Failure codes of a device operation (commissioning step or remote control); others may come. */
export type DeviceFailureCode =
  | 'not_found'
  | 'timeout'
  | 'pairing_failed'
  | 'encryption_required'
  | 'link_lost'
  | 'no_reply'
  | 'self_test_no_alarm'
  | 'self_test_not_cleared'
  | 'unsupported'

export interface PairResult {
  serial: string
  model: string
  firmware: string
}

export interface LiveReadResult {
  values: Record<string, number>
  units: Record<string, string>
}

export interface SelfTestResult {
  kind: 'leakage' | 'arc'
  peak: number | null
  alarm_id: number | null
  raised_at: number | null
  cleared_at: number | null
}

export interface CommissioningStep {
  step: StepName
  status: StepStatus
  /** Unix seconds of the last run. */
  at: number | null
  code: DeviceFailureCode | string | null
  error: string | null
  /** The step's result when done: PairResult, { identified }, LiveReadResult, SelfTestResult, … */
  result: Record<string, unknown> | null
}

export interface CommissioningChannel {
  id: number
  key: string
  unit: string
  settings: Partial<ChannelSettings> & Record<string, number | boolean | undefined>
}

export interface ChecklistItem {
  key: string
  text: Partial<Record<'zh-CN' | 'en', string>>
}

/** POST /api/v1/commissioning, GET /api/v1/commissioning/{id}, POST …/steps/{step}. */
export interface Commissioning {
  id: number
  site_id: number
  address: string
  model: string
  model_name: string
  kind: DeviceKind | string
  serial: string | null
  device_id: number | null
  state: 'in_progress' | 'commissioned'
  steps: CommissioningStep[]
  channels: CommissioningChannel[]
  checklist: ChecklistItem[]
  created_at: number
  completed_at: number | null
}

export type ChecklistAnswer = 'pass' | 'fail' | 'na'

export interface IdentifyBody {
  name?: string
  circuit?: string
  rated_current_a?: number
}

export interface ThresholdsBody {
  channels: Record<string, Record<string, number>>
}

export interface AcceptBody {
  answers: { key: string; answer: ChecklistAnswer; note?: string }[]
  signed_by: string
}

// ---- Remote control (operator) ----

export type ControlAction = 'trip' | 'close' | 'self_test'
export type SwitchState = 'closed' | 'open'

/** POST /api/v1/devices/{id}/control, and the items of GET on the same path (newest first). */
export interface ControlRecord {
  id: number
  device_id: number
  action: ControlAction
  reason: string
  outcome: 'done' | 'failed'
  /** The breaker state read back from the device after the action. */
  switch: SwitchState | null
  code: DeviceFailureCode | string | null
  error: string | null
  /** Unix seconds. */
  at: number
  by: string
}

// Notifications: their own module, re-exported so that callers import wire shapes from one place.
export type * from './notify/types'
