// The wired bus the installer names, as the link the server takes (API.md "Device links and models", parsed by
// ble/links.py): a serial port on the site box, or a host:port reached over TCP. Pure: form in, link or the
// fields to correct out.
import type { MessageKey } from '../../platform/i18n'

export type BusKind = 'serial' | 'tcp'

/** Over TCP: Modbus TCP (MBAP frames), or RTU frames through a serial server's socket (透传). */
export type TcpMode = 'modbus-tcp' | 'modbus-rtu-tcp'

export type Parity = 'N' | 'E' | 'O'

/** The standard RS-485 rates, as ble/links.py BAUDS accepts them. */
export const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const

export const PARITIES: readonly Parity[] = ['N', 'E', 'O']

/** Modbus addresses a scan may try: 0 is broadcast, 248–255 are reserved (Modbus over serial line, 2.2). */
export const UNIT_MIN = 1
export const UNIT_MAX = 247

/** Modbus TCP's registered port; a serial server's port must be given (each vendor picks its own). */
export const MODBUS_TCP_PORT = 502

export interface BusForm {
  kind: BusKind
  /** The serial port on the box, e.g. /dev/ttyUSB0. */
  port: string
  baud: string
  parity: Parity
  /** HOST or HOST:PORT. */
  address: string
  mode: TcpMode
  /** The unit range to scan. */
  first: string
  last: string
}

/** What most RS-485 devices ship with (9600 8N1), the usual adapter, and the first 32 addresses. */
export const DEFAULT_BUS: BusForm = {
  kind: 'serial',
  port: '/dev/ttyUSB0',
  baud: '9600',
  parity: 'N',
  address: '',
  mode: 'modbus-tcp',
  first: '1',
  last: '32',
}

export type BusField = 'port' | 'baud' | 'parity' | 'address' | 'first' | 'last'

export type BusErrors = Partial<Record<BusField, MessageKey>>

export type BusLink = { ok: true; link: string; first: number; last: number } | { ok: false; errors: BusErrors }

// A device path on the box: no spaces, no URL punctuation (?, #, &) the link would misread.
const SERIAL_PORT = /^\/[A-Za-z0-9._/-]+$/
// Host names and IPv4 addresses, as ble/links.py takes them.
const HOST = /^[A-Za-z0-9.-]{1,253}$/

function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim()
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : undefined
}

function unitRange(form: BusForm, errors: BusErrors): { first: number; last: number } {
  const first = wholeNumber(form.first)
  const last = wholeNumber(form.last)
  const inRange = (n: number | undefined) => n !== undefined && n >= UNIT_MIN && n <= UNIT_MAX
  if (!inRange(first)) errors.first = 'wired.error_unit'
  if (!inRange(last)) errors.last = 'wired.error_unit'
  else if (inRange(first) && last! < first!) errors.last = 'wired.error_range'
  return { first: first ?? 0, last: last ?? 0 }
}

function serialLink(form: BusForm, errors: BusErrors): string {
  const port = form.port.trim()
  if (!SERIAL_PORT.test(port) || port.length < 2) errors.port = 'wired.error_port'
  const baud = wholeNumber(form.baud)
  if (baud === undefined || !(BAUDS as readonly number[]).includes(baud)) errors.baud = 'wired.error_baud'
  if (!PARITIES.includes(form.parity)) errors.parity = 'wired.error_parity'
  return `modbus-rtu://${port}?baud=${baud}&parity=${form.parity}`
}

function tcpLink(form: BusForm, errors: BusErrors): string {
  const text = form.address.trim()
  const colon = text.lastIndexOf(':')
  const host = colon === -1 ? text : text.slice(0, colon)
  const portText = colon === -1 ? '' : text.slice(colon + 1)
  const port = portText === '' ? undefined : wholeNumber(portText)
  // Only the host and port: a pasted URL (http://…, modbus-tcp://…) is refused as a whole.
  if (!HOST.test(host) || text.includes('/')) errors.address = 'wired.error_host'
  else if (portText !== '' && (port === undefined || port < 1 || port > 65535)) errors.address = 'wired.error_tcp_port'
  else if (port === undefined && form.mode === 'modbus-rtu-tcp') errors.address = 'wired.error_rtu_tcp_port'
  return `${form.mode}://${host}:${port ?? MODBUS_TCP_PORT}`
}

/** The bus link and unit range the form names, or for each field what to correct. */
export function busLink(form: BusForm): BusLink {
  const errors: BusErrors = {}
  const link = form.kind === 'serial' ? serialLink(form, errors) : tcpLink(form, errors)
  const { first, last } = unitRange(form, errors)
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, link, first, last }
}

/** A device's own link: the bus with its unit (modbus-tcp://10.0.0.5:502?unit=3, …?baud=9600&parity=N&unit=3). */
export function unitLink(bus: string, unit: number): string {
  return `${bus}${bus.includes('?') ? '&' : '?'}unit=${unit}`
}

/** The form for a bus link the server sent back (a scan followed after a reload); the range as given. */
export function busFormOf(link: string, first: number, last: number): BusForm | null {
  const base = { ...DEFAULT_BUS, first: String(first), last: String(last) }
  const serial = /^modbus-rtu:\/\/(\/[^?]+)(?:\?(.*))?$/.exec(link)
  if (serial?.[1]) {
    const query = new URLSearchParams(serial[2] ?? '')
    const parity = query.get('parity')
    return {
      ...base,
      kind: 'serial',
      port: serial[1],
      baud: query.get('baud') ?? DEFAULT_BUS.baud,
      parity: parity === 'E' || parity === 'O' ? parity : 'N',
    }
  }
  const tcp = /^(modbus-tcp|modbus-rtu-tcp):\/\/([^?/]+)/.exec(link)
  if (tcp?.[1] && tcp[2]) return { ...base, kind: 'tcp', mode: tcp[1] as TcpMode, address: tcp[2] }
  return null
}

/** The link scheme of a bus link: modbus-rtu, modbus-tcp or modbus-rtu-tcp. */
export function schemeOf(link: string): string {
  return link.split('://')[0] ?? ''
}
