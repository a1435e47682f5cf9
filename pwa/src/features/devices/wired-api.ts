// Commissioning wired devices (RS-485, Modbus TCP) through the site box: bus scans, the models andian reads,
// registering a device, reading it once and writing its own alarm levels. Errors as in platform/http.ts: 400
// names the field (`link`, `serial`, `alarm`…), 409 a scan already running on the bus or levels the device did not
// keep, 503 a server that is not a site box (or a bus that does not answer).
import { request } from '../../platform/http'
import { DEVICE_TIMEOUT_MS } from './api'
import type {
  BusScan,
  Commissioning,
  BusScanBody,
  Device,
  DeviceModel,
  WiredDeviceBody,
  WiredReading,
  WiredThresholdsBody,
  WiredThresholdsWritten,
} from './types'

export function startBusScan(siteId: number, body: BusScanBody): Promise<BusScan> {
  return request<BusScan>('POST', `/api/v1/sites/${siteId}/bus-scans`, { body })
}

export function getBusScan(id: number): Promise<BusScan> {
  return request<BusScan>('GET', `/api/v1/bus-scans/${id}`)
}

export function cancelBusScan(id: number): Promise<void> {
  return request<void>('DELETE', `/api/v1/bus-scans/${id}`)
}

export function getModels(): Promise<DeviceModel[]> {
  return request<DeviceModel[]>('GET', '/api/v1/models')
}

export function registerDevice(siteId: number, body: WiredDeviceBody): Promise<Device> {
  return request<Device>('POST', `/api/v1/sites/${siteId}/devices`, { body })
}

export function getDevice(id: number): Promise<Device> {
  return request<Device>('GET', `/api/v1/devices/${id}`)
}

/** The box asks the device over its bus (a silent unit costs the bus's timeout, retries included). */
export function readDevice(id: number): Promise<WiredReading> {
  return request<WiredReading>('POST', `/api/v1/devices/${id}/read`, { timeoutMs: DEVICE_TIMEOUT_MS })
}

/** Write one channel's levels into the device; the answer is what it reads back. Only after the installer confirms. */
export function writeLevels(id: number, body: WiredThresholdsBody): Promise<WiredThresholdsWritten> {
  return request<WiredThresholdsWritten>('POST', `/api/v1/devices/${id}/thresholds`, {
    body,
    timeoutMs: DEVICE_TIMEOUT_MS,
  })
}

/** The acceptance of a registered wired device: its open commissioning, or a new one (then its steps as usual). */
export function startWiredCommissioning(siteId: number, deviceId: number): Promise<Commissioning> {
  return request<Commissioning>('POST', '/api/v1/commissioning', { body: { site_id: siteId, device_id: deviceId } })
}
