// Wire shapes of devices: a site's devices and channels, commissioning (installer, over Bluetooth through the
// server's or the site box's radio), remote control (operator), and the live stream's `device` event. Field
// names are the server's, unchanged. Also the commissioning drafts kept on the device (platform/db.ts).

export type DeviceKind = 'breaker' | 'combined' | 'residual' | 'temperature' | 'arc' | 'gateway'

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
  /** What it measures in people's words ("二楼走廊照明 进线端子"); "" or missing: none given (sites/naming.ts). */
  label?: string
  /** Its newest reading (Unix seconds) in a site's answer; null or missing: none known. */
  latest?: { ts: number; value: number } | null
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
  /** How the site box reaches it (ble://…, modbus-rtu://…?unit=3); missing on older servers. */
  link?: string | null
  /** Seconds between reads; missing on older servers. */
  poll_interval_s?: number
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
  | 'box_unreachable'
  | 'box_no_answer'
  | 'box_expired'
  | 'box_unknown_device'
  | 'box_no_radio'

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
  /** Evidence: answering it (pass or fail) needs a photo. Absent from older servers. */
  photo?: boolean
}

/** One answer of a signed acceptance, as sent and as the record keeps it. */
export interface AcceptAnswer {
  key: string
  answer: ChecklistAnswer
  note?: string
  /** sha256 of the photos (uploaded first, or kept on the device until they are). */
  attachments?: string[]
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
  /** wired: a registered wired device's record; its address is the device's link. Absent from older servers. */
  via?: 'ble' | 'wired'
  /** The signed acceptance, once given (absent from older servers): answers with photos, who signed, the drawing. */
  answers?: AcceptAnswer[]
  signed_by?: string | null
  /** sha256 of the drawn signature (a PNG attachment). */
  signature?: string | null
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
  answers: AcceptAnswer[]
  signed_by: string
  /** sha256 of the drawn signature. */
  signature?: string
}

/** GET /api/v1/sites/{id}/circuits: the circuits the site's devices protect. */
export interface SiteCircuit {
  name: string
  devices: number
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
  /** "gateway:{id}": a cloud relayed it to the site box that reads the device; "cloud": a box ran it for the cloud. */
  via?: string | null
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
  answers: Record<string, { answer?: 'pass' | 'fail' | 'na'; note?: string; attachments?: string[] }>
  signature: string
  /** sha256 of the drawn signature, kept on the device (photos store) until it is uploaded. */
  drawn?: string | null
  /** The installer pressed accept with no network: send it by itself when the network is back. */
  submit: boolean
  /** Why the acceptance sent by itself was refused (the page shows it; the installer sends it again). */
  error: string | null
}

// ---- Wired commissioning (installer, on the site box: RS-485 or Modbus TCP) ----

/** GET /api/v1/models: a device model andian reads (its register map). */
export interface DeviceModel {
  model: string
  vendor: string
  kind: DeviceKind
  name: Partial<Record<'zh-CN' | 'en', string>>
  /** Link schemes a device of this model speaks: ble, modbus-rtu, modbus-tcp, modbus-rtu-tcp. */
  links: string[]
  channels: { key: string; unit: string }[]
  poll_interval_s: number
  /** Its factory Modbus address. */
  unit_id: number
  /** RS-485 defaults (baud, parity, stop) of wired models; null for the others. */
  line: { baud?: number; parity?: string; stop?: number } | null
  controls: string[]
  /** The device's own alarm levels andian can write (wired models); missing: none the server lists. */
  thresholds?: ModelThreshold[]
}

export interface ModelThreshold {
  channel: string
  setting: 'alarm' | 'prealarm'
  /** The device's range, in the channel's unit. */
  min: number
  max: number
  scale?: number
}

export type BusScanState = 'running' | 'done' | 'cancelled' | 'failed'

/** A unit that answered a bus scan. */
export interface FoundUnit {
  unit: number
  /** The model guessed; null: pick one of `candidates` (or any wired model when there are none). */
  model: string | null
  /** Wired models whose registers the unit answered. */
  candidates: string[]
  /** A device of this site (here) or another one (elsewhere) already has this bus and unit. */
  known: BleKnown | null
  /** Only when known here. */
  device_id: number | null
}

/** POST /api/v1/sites/{id}/bus-scans, GET /api/v1/bus-scans/{id}. */
export interface BusScan {
  id: number
  site_id: number
  link: string
  first?: number
  last?: number
  state: BusScanState
  /** Units tried so far. */
  done: number
  total: number
  found: FoundUnit[]
  /** Why it failed (the bus cannot be opened, or was lost). */
  error: string | null
}

export interface BusScanBody {
  link: string
  first: number
  last: number
}

/** POST /api/v1/sites/{id}/devices for a wired device: the model brings its kind and channels. */
export interface WiredDeviceBody {
  serial: string
  model: string
  name: string
  circuit: string
  /** The bus link with the device's unit, e.g. modbus-tcp://192.168.1.20:502?unit=3. */
  link: string
  poll_interval_s?: number
}

export type SensorFault = 'ct_open' | 'ct_short' | 'sensor'

/** POST /api/v1/devices/{id}/read: the device's values now (ingested like a poll). */
export interface WiredReading {
  values: Record<string, number>
  /** Channels without a value, and why. */
  faults: Record<string, SensorFault | string>
  /** Unix seconds. */
  read_at: number
}

/** POST /api/v1/devices/{id}/thresholds: one channel's levels in the device itself. */
export interface WiredThresholdsBody {
  channel: string
  alarm?: number
  prealarm?: number
  /** The device's own settings change: the server writes nothing without it. */
  confirm: true
}

export interface WiredThresholdsWritten {
  channel: string
  before?: Record<string, number>
  written: Record<string, number>
  /** The device's levels after the write, read back. */
  read_back: Record<string, number>
  matches: boolean
}
