// Wire shapes of devices: a site's devices and channels, commissioning (installer, over Bluetooth through the
// server's or the site box's radio), remote control (operator), and the live stream's `device` event. Field
// names are the server's, unchanged. Also the commissioning drafts kept on the device (platform/db.ts).

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

// ---- Kept on the device (platform/db.ts owns the store) ----

export interface DraftRecord {
  /** E.g. "commission/17". */
  key: string
  user_id: number
  saved_at: number
  /** A commissioning's acceptance checklist as typed, and the commissioning as last read (to open it offline). */
  value: CommissionDraft
}

export interface CommissionDraft {
  commissioning: Commissioning
  answers: Record<string, { answer?: 'pass' | 'fail' | 'na'; note?: string }>
  signature: string
  /** The installer pressed accept with no network: send it by itself when the network is back. */
  submit: boolean
  /** Why the acceptance sent by itself was refused (the page shows it; the installer sends it again). */
  error: string | null
}
