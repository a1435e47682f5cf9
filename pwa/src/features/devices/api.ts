// Commissioning over Bluetooth (scan, steps) and remote control of a device. Errors as in platform/http.ts; the
// requests that wait for a device get a longer timeout.
import { request, REQUEST_TIMEOUT_MS } from '../../platform/http'
import type {
  AcceptBody,
  BleDevice,
  Commissioning,
  ControlAction,
  ControlRecord,
  IdentifyBody,
  SiteCircuit,
  StepName,
  ThresholdsBody,
} from './types'

/**
 * Requests that wait for a device over Bluetooth. A self-test holds the answer until the device's alarm has
 * been raised and cleared (up to about 20 s at the server), after connecting and pairing; a minute leaves
 * room for that and a slow site-box link before the step counts as unanswered.
 */
export const DEVICE_TIMEOUT_MS = 60_000

/** Devices advertising near the radio that serves the site (the server's, or the site box's). */
export function scanBle(siteId: number, seconds: number): Promise<BleDevice[]> {
  return request<BleDevice[]>('GET', `/api/v1/sites/${siteId}/ble/scan?seconds=${seconds}`, {
    // The server listens for `seconds` before it answers.
    timeoutMs: seconds * 1000 + REQUEST_TIMEOUT_MS,
  })
}

export function startCommissioning(siteId: number, address: string): Promise<Commissioning> {
  return request<Commissioning>('POST', '/api/v1/commissioning', { body: { site_id: siteId, address } })
}

export function getCommissioning(id: number): Promise<Commissioning> {
  return request<Commissioning>('GET', `/api/v1/commissioning/${id}`)
}

/** The circuits the site's devices protect, for the pick-list when naming a device's circuit. */
export function getCircuits(siteId: number): Promise<SiteCircuit[]> {
  return request<SiteCircuit[]>('GET', `/api/v1/sites/${siteId}/circuits`)
}

/** A device's signed acceptance (answers, photos, the drawn signature); 404 before it was accepted. */
export function getAcceptance(deviceId: number): Promise<Commissioning> {
  return request<Commissioning>('GET', `/api/v1/devices/${deviceId}/acceptance`)
}

/** Body of each step, as the server takes it. */
export interface StepBodies {
  pair: Record<string, never>
  identify: IdentifyBody
  live_read: Record<string, never>
  self_test: Record<string, never>
  thresholds: ThresholdsBody
  accept: AcceptBody
}

/** Run one step; the answer is the whole commissioning with the step `done` or `failed` (code, error). */
export function runStep<S extends StepName>(id: number, step: S, body: StepBodies[S]): Promise<Commissioning> {
  return request<Commissioning>('POST', `/api/v1/commissioning/${id}/steps/${step}`, {
    body,
    timeoutMs: DEVICE_TIMEOUT_MS,
  })
}

/** Trip, close or self-test a device; the answer says what the device read back. */
export function controlDevice(deviceId: number, action: ControlAction, reason: string): Promise<ControlRecord> {
  return request<ControlRecord>('POST', `/api/v1/devices/${deviceId}/control`, {
    body: { action, reason },
    timeoutMs: DEVICE_TIMEOUT_MS,
  })
}

/** The device's remote actions, newest first. */
export function getControlLog(deviceId: number): Promise<ControlRecord[]> {
  return request<ControlRecord[]>('GET', `/api/v1/devices/${deviceId}/control`)
}
