// Shapes of wired commissioning the server sends (server/devices/wired_schemas.py, GET /api/v1/models), for tests.
import type { BusScan, Device, DeviceModel, FoundUnit } from '../features/devices/types'

export function foundUnit(unit: number, overrides: Partial<FoundUnit> = {}): FoundUnit {
  return { unit, model: 'acrel-asj', candidates: ['acrel-asj'], known: null, device_id: null, ...overrides }
}

export function busScan(overrides: Partial<BusScan> = {}): BusScan {
  return {
    id: 4,
    site_id: 12,
    link: 'modbus-tcp://192.168.1.20:502',
    first: 1,
    last: 32,
    state: 'running',
    done: 0,
    total: 32,
    found: [],
    error: null,
    ...overrides,
  }
}

/** The Acrel ASJ relay: one residual-current channel, its alarm and pre-alarm levels kept in the device. */
export function asj(overrides: Partial<DeviceModel> = {}): DeviceModel {
  return {
    model: 'acrel-asj',
    vendor: 'Acrel',
    kind: 'residual',
    name: { 'zh-CN': '安科瑞 ASJ 剩余电流继电器', en: 'Acrel ASJ residual-current relay' },
    links: ['modbus-rtu', 'modbus-tcp', 'modbus-rtu-tcp'],
    channels: [{ key: 'residual_ma', unit: 'mA' }],
    poll_interval_s: 10,
    unit_id: 1,
    line: { baud: 9600, parity: 'N', stop: 1 },
    controls: [],
    thresholds: [
      { channel: 'residual_ma', setting: 'alarm', min: 10, max: 30000, scale: 1 },
      { channel: 'residual_ma', setting: 'prealarm', min: 10, max: 30000, scale: 1 },
    ],
    ...overrides,
  }
}

/** A 12-loop monitor that keeps no levels of its own, and a Bluetooth breaker. */
export const MODELS: DeviceModel[] = [
  asj(),
  asj({
    model: 'acrel-aim-r100',
    name: { 'zh-CN': '安科瑞 AIM-R100 剩余电流监测仪', en: 'Acrel AIM-R100 residual-current monitor' },
    channels: [{ key: 'residual_ma_1', unit: 'mA' }, { key: 'residual_ma_2', unit: 'mA' }],
    links: ['modbus-rtu', 'modbus-rtu-tcp'],
    thresholds: [],
  }),
  asj({ model: 'AD-B63', kind: 'breaker', name: { 'zh-CN': '智能断路器', en: 'Smart breaker' }, links: ['ble'], line: null }),
]

export function wiredDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: 140,
    site_id: 12,
    serial: 'unit-3',
    model: 'acrel-asj',
    kind: 'residual',
    name: '1号摊位漏电继电器',
    circuit: '1号摊位照明回路',
    rated_current_a: null,
    state: 'registered',
    created_at: 1_763_800_100,
    link: 'modbus-tcp://192.168.1.20:502?unit=3',
    poll_interval_s: 10,
    channels: [
      { id: 1400, device_id: 140, key: 'residual_ma', unit: 'mA', settings: { enabled: true, alarm: 300, prealarm: 240, delay_s: 5 } },
    ],
    ...overrides,
  }
}
