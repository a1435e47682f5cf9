// Wire shapes of GB/T 26875.3 transmission devices (用户信息传输装置) and of the city platform uplink
// (API.md "GB/T 26875.3"). Field names are the server's, unchanged; times are Unix seconds. When the server's
// names move, this is the one file to change.

export type GatewayProtocol = 'andian' | 'gb26875'

/** GET /api/v1/gateways/{id}, and each entry of GET /api/v1/sites/{site_id}/gateways. */
export interface Gateway {
  id: number
  site_id: number
  name: string
  key_prefix: string
  created_at: number
  revoked_at: number | null
  last_seen_at: number | null
  /** Missing from servers before GB/T 26875.3: an andian gateway. */
  protocol?: GatewayProtocol
  /** gb26875: the 6 address bytes as 12 lower-case hex digits, in the order they stand on the wire. */
  address?: string | null
}

/** POST /api/v1/sites/{site_id}/gateways for a transmission device. */
export interface GatewayCreate {
  name: string
  protocol: 'gb26875'
  address: string
}

/** The last frame a transmission device sent: its command byte, its data unit's type flag, serial and bytes. */
export interface LastFrame {
  command: number
  type: number | null
  serial: number
  hex: string
}

export interface ReceiveCounters {
  frames: number
  confirms: number
  denials: number
  /** Bad checksum, malformed, or over the rate limit: never confirmed. */
  rejected: number
  events: number
  /** Another connection took the address over from an open one. */
  takeovers: number
}

/** One row of the per-gateway table: a user-defined analogue type (128–255) read as a channel, value × scale. */
export interface MappingRow {
  analogue_type: number
  channel: string
  scale: number
}

export type CommandKind = 'duty_check' | 'sync_clock' | 'initialise'

export type CommandState = 'sent' | 'confirmed' | 'denied' | 'answered' | 'no_answer'

/** A command sent to a transmission device (POST .../commands → 201, GET .../commands/{id}). */
export interface Command {
  id: number
  kind: CommandKind
  serial: number
  sent_at: number
  state: CommandState
  answered_at: number | null
}

/** POST /api/v1/gateways/{id}/gb26875/commands */
export interface CommandCreate {
  kind: CommandKind
  /** duty_check: minutes the device has to answer. */
  timeout_min?: number
  /** initialise: the caller confirmed the reset (400 without it). */
  confirm?: boolean
}

/** GET /api/v1/gateways/{id}/gb26875 (404 when the gateway is not gb26875). */
export interface Gb26875Status {
  gateway_id: number
  address: string
  connected: boolean
  /** "host:port" of the open connection. */
  peer: string | null
  connected_at: number | null
  last_frame_at: number | null
  last_frame: LastFrame | null
  counters: ReceiveCounters
  mapping: MappingRow[]
  /** The latest commands sent, newest first. */
  commands: Command[]
}

/** GET /api/v1/gateways/{id}/gb26875/events?limit=: what the device sent, newest first. */
export interface Gb26875Event {
  id: number
  received_at: number
  /** The time label the device put in the frame, as it wrote it (its local time, "2026-12-07T00:40:47"). */
  device_time: string | null
  command: number
  type: number | null
  serial: number
  /** The decoded objects, or a line of text (e.g. for what could not be decoded). */
  summary: Record<string, unknown> | unknown[] | string
  /** The frame's bytes, hex. */
  raw: string
}

export type DutyCheckState = 'pending' | 'answered' | 'expired'

/** A 查岗 the city platform sent to andian, waiting for someone on duty to answer it. */
export interface DutyCheck {
  id: number
  received_at: number
  timeout_min: number
  deadline: number
  answered_at: number | null
  /** The user's id. */
  answered_by: number | null
  /** Who answered, as people read it (display name, else username); missing from servers before it. */
  answered_by_name?: string | null
  state: DutyCheckState
}

/** The city platform's clock as it last set ours (同步时钟): `offset_s` = its time − the server's. */
export interface UplinkClock {
  centre_time: number
  offset_s: number
  at: number
}

/** GET /api/v1/gb26875/uplink: andian as a transmission device towards the city fire remote-monitoring platform. */
export interface Uplink {
  configured: boolean
  /** "host:port" of the platform. */
  centre: string | null
  /** Our own address towards it, 12 hex digits. */
  address: string | null
  connected: boolean
  connected_at: number | null
  last_confirm_at: number | null
  queued: { alarms: number; analogue: number }
  counters: { sent: number; confirmed: number; resent: number; denied: number }
  clock: UplinkClock | null
  duty_checks: DutyCheck[]
}
