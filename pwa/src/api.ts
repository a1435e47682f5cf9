// HTTP client for the andian API. Adds the bearer token, turns error answers into ApiError with the
// server's `detail`, and a request that gets no answer into NetworkError (the caller then uses the cache).
// A 401 on an authenticated request ends the session; the app then shows the login page.
import { reportReachable } from './online'
import { endSession, getSession } from './session'
import type {
  AcceptBody,
  Alarm,
  BleDevice,
  Commissioning,
  ControlAction,
  ControlRecord,
  IdentifyBody,
  LoginResponse,
  Readings,
  Site,
  SiteDetail,
  StepName,
  ThresholdsBody,
  User,
} from './types'

/** Longer than any answer of a healthy server; a request still pending then counts as no network. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * Requests that wait for a device over Bluetooth. A self-test holds the answer until the device's alarm has
 * been raised and cleared (up to about 20 s at the server), after connecting and pairing; a minute leaves
 * room for that and a slow site-box link before the step counts as unanswered.
 */
export const DEVICE_TIMEOUT_MS = 60_000

/** The server answered with an error status. `detail` is its message, ready to show. */
export class ApiError extends Error {
  readonly status: number
  readonly detail: string

  constructor(status: number, detail: string) {
    super(`HTTP ${status}: ${detail}`)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
  }
}

/** No answer from the server: no network, server down, timeout, or a gateway that could not reach it. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

// A reverse proxy's own answers when the andian server behind it is down or silent.
const GATEWAY_STATUSES = new Set([502, 504])

interface RequestOptions {
  body?: unknown
  /** Send the token, and treat 401 as "session over". False for login. */
  auth?: boolean
  /** Give up after this long (NetworkError); REQUEST_TIMEOUT_MS unless the request waits for a device. */
  timeoutMs?: number
}

async function readDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const body: unknown = JSON.parse(text)
    if (body && typeof body === 'object' && 'detail' in body && typeof body.detail === 'string') {
      return body.detail
    }
  } catch {
    // not JSON: fall through to the raw text or the status line
  }
  return text.trim().slice(0, 200) || response.statusText || `HTTP ${response.status}`
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const { body, auth = true, timeoutMs = REQUEST_TIMEOUT_MS } = options
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const token = auth ? getSession()?.token : undefined
  if (token) headers.Authorization = `Bearer ${token}`

  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    reportReachable(false)
    throw new NetworkError(`${method} ${path}: no answer from the server`, { cause: error })
  }
  if (GATEWAY_STATUSES.has(response.status)) {
    reportReachable(false)
    throw new NetworkError(`${method} ${path}: gateway answered ${response.status}`)
  }
  reportReachable(true)

  if (!response.ok) {
    const detail = await readDetail(response)
    if (response.status === 401 && auth) await endSession()
    throw new ApiError(response.status, detail)
  }
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

export function login(username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password }, auth: false })
}

export function logout(): Promise<void> {
  return request<void>('POST', '/api/v1/auth/logout')
}

export function getMe(): Promise<User> {
  return request<User>('GET', '/api/v1/me')
}

export function getSites(): Promise<Site[]> {
  return request<Site[]>('GET', '/api/v1/sites')
}

export function getSite(id: number): Promise<SiteDetail> {
  return request<SiteDetail>('GET', `/api/v1/sites/${id}`)
}

export function getAlarms(query: { site_id: number; active: boolean; since?: number }): Promise<Alarm[]> {
  const params = new URLSearchParams({ site_id: String(query.site_id), active: String(query.active) })
  if (query.since !== undefined) params.set('since', String(query.since))
  return request<Alarm[]>('GET', `/api/v1/alarms?${params}`)
}

/** Record that someone is responding; the alarm stays active until its cause clears. */
export function ackAlarm(id: number, note?: string): Promise<Alarm> {
  return request<Alarm>('POST', `/api/v1/alarms/${id}/ack`, { body: note ? { note } : {} })
}

/** Readings of one channel between two Unix times; with `step`, bucket means at bucket starts. */
export function getReadings(channelId: number, from: number, to: number, step?: number): Promise<Readings> {
  const params = new URLSearchParams({ from: String(from), to: String(to) })
  if (step !== undefined) params.set('step', String(step))
  return request<Readings>('GET', `/api/v1/channels/${channelId}/readings?${params}`)
}

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
