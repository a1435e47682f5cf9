import { describe, expect, it } from 'vitest'
import { busFormOf, busLink, DEFAULT_BUS, unitLink, type BusForm } from './bus-link'

const serial = (change: Partial<BusForm> = {}): BusForm => ({ ...DEFAULT_BUS, ...change })
const tcp = (address: string, change: Partial<BusForm> = {}): BusForm => ({ ...DEFAULT_BUS, kind: 'tcp', address, ...change })

describe('busLink', () => {
  it.each([
    [serial(), 'modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N'],
    [serial({ port: ' /dev/ttyUSB1 ', baud: '19200', parity: 'E' }), 'modbus-rtu:///dev/ttyUSB1?baud=19200&parity=E'],
    [serial({ port: '/dev/serial/by-id/usb-FTDI_FT232R-if00', baud: '115200', parity: 'O' }), 'modbus-rtu:///dev/serial/by-id/usb-FTDI_FT232R-if00?baud=115200&parity=O'],
    [serial({ baud: '1200' }), 'modbus-rtu:///dev/ttyUSB0?baud=1200&parity=N'],
  ])('a serial port with its line → %#: %s', (form, link) => {
    expect(busLink(form)).toEqual({ ok: true, link, first: 1, last: 32 })
  })

  it.each([
    [tcp('192.168.1.20:502'), 'modbus-tcp://192.168.1.20:502'],
    [tcp('192.168.1.20'), 'modbus-tcp://192.168.1.20:502'],
    [tcp(' gw-3.local:1502 '), 'modbus-tcp://gw-3.local:1502'],
    [tcp('192.168.1.21:4001', { mode: 'modbus-rtu-tcp' }), 'modbus-rtu-tcp://192.168.1.21:4001'],
  ])('a host:port with its mode → %#: %s', (form, link) => {
    expect(busLink(form)).toEqual({ ok: true, link, first: 1, last: 32 })
  })

  it('takes the unit range as typed', () => {
    expect(busLink(serial({ first: ' 5 ', last: '247' }))).toMatchObject({ ok: true, first: 5, last: 247 })
    expect(busLink(serial({ first: '7', last: '7' }))).toMatchObject({ ok: true, first: 7, last: 7 })
  })

  it.each([
    [serial({ port: '' }), { port: 'wired.error_port' }],
    [serial({ port: 'ttyUSB0' }), { port: 'wired.error_port' }],
    [serial({ port: '/' }), { port: 'wired.error_port' }],
    [serial({ port: '/dev/tty USB0' }), { port: 'wired.error_port' }],
    [serial({ port: '/dev/ttyUSB0?unit=3' }), { port: 'wired.error_port' }],
    [serial({ baud: '9601' }), { baud: 'wired.error_baud' }],
    [serial({ parity: 'X' as never }), { parity: 'wired.error_parity' }],
    [tcp(''), { address: 'wired.error_host' }],
    [tcp('http://10.0.0.5'), { address: 'wired.error_host' }],
    [tcp('10.0.0.5:0'), { address: 'wired.error_tcp_port' }],
    [tcp('10.0.0.5:70000'), { address: 'wired.error_tcp_port' }],
    [tcp('10.0.0.5:50x'), { address: 'wired.error_tcp_port' }],
    [tcp('10.0.0.5', { mode: 'modbus-rtu-tcp' }), { address: 'wired.error_rtu_tcp_port' }],
    [serial({ first: '0' }), { first: 'wired.error_unit' }],
    [serial({ first: '', last: '248' }), { first: 'wired.error_unit', last: 'wired.error_unit' }],
    [serial({ first: '1.5' }), { first: 'wired.error_unit' }],
    [serial({ first: '20', last: '10' }), { last: 'wired.error_range' }],
    [tcp('', { last: 'x' }), { address: 'wired.error_host', last: 'wired.error_unit' }],
  ])('bad input → field errors %#', (form, errors) => {
    expect(busLink(form)).toEqual({ ok: false, errors })
  })
})

describe('unitLink', () => {
  it.each([
    ['modbus-tcp://192.168.1.20:502', 3, 'modbus-tcp://192.168.1.20:502?unit=3'],
    ['modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N', 17, 'modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N&unit=17'],
    ['modbus-rtu:///dev/ttyUSB0', 1, 'modbus-rtu:///dev/ttyUSB0?unit=1'],
  ])('%s with unit %d → %s', (bus, unit, link) => {
    expect(unitLink(bus, unit)).toBe(link)
  })
})

describe('busFormOf', () => {
  it.each([
    serial({ port: '/dev/ttyS1', baud: '19200', parity: 'E', first: '3', last: '40' }),
    tcp('192.168.1.20:502', { first: '1', last: '32' }),
    tcp('10.1.1.9:4001', { mode: 'modbus-rtu-tcp', first: '1', last: '8' }),
  ])('round-trips the link built from a form %#', (form) => {
    const built = busLink(form)
    if (!built.ok) throw new Error('the form is valid')
    const back = busFormOf(built.link, built.first, built.last)!
    expect(busLink(back)).toEqual(built)
  })

  it('reads the line the server left out as the defaults, and refuses other links', () => {
    expect(busFormOf('modbus-rtu:///dev/ttyUSB0', 1, 32)).toMatchObject({ kind: 'serial', port: '/dev/ttyUSB0', baud: '9600', parity: 'N' })
    expect(busFormOf('ble://AA:BB:CC:DD:EE:FF', 1, 32)).toBeNull()
  })
})
