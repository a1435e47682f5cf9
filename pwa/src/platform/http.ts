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
  Delivery,
  IdentifyBody,
  LoginResponse,
  NotifyPolicy,
  Readings,
  Site,
  SiteDetail,
  StepName,
  Subscription,
  SubscriptionCreate,
  SubscriptionPatch,
  TestResult,
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

/**
 * A test message waits for every target's service to answer (the server gives each up to about 10 s); the
 * extra time covers a slow mobile link before the request counts as unanswered.
 */
export const NOTIFY_TEST_TIMEOUT_MS = 30_000

/**
 * The server answered with an error status. `detail` is its message, ready to show; `field` names the input
 * it refused (the body's `extra.field`, e.g. "url"), so a form can show the message next to it.
 */
export class ApiError extends Error {
  readonly status: number
  readonly detail: string
  readonly field: string | null

  constructor(status: number, detail: string, field: string | null = null) {
    super(`HTTP ${status}: ${detail}`)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.field = field
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
  /** Raw bytes instead of JSON (an attachment upload), sent with their own Content-Type. */
  raw?: { data: Blob; type: string }
  /** Send the token, and treat 401 as "session over". False for login. */
  auth?: boolean
  /** Give up after this long (NetworkError); REQUEST_TIMEOUT_MS unless the request waits for a device. */
  timeoutMs?: number
}

function fieldOf(body: object): string | null {
  const extra = 'extra' in body ? body.extra : null
  if (extra && typeof extra === 'object' && 'field' in extra && typeof extra.field === 'string') return extra.field
  // A body the server could not decode (a string too long, a missing key): a list, the first entry's `key`.
  const first: unknown = Array.isArray(extra) ? extra[0] : null
  if (first && typeof first === 'object' && 'key' in first && typeof first.key === 'string') return first.key
  return null
}

async function readError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '')
  try {
    const body: unknown = JSON.parse(text)
    if (body && typeof body === 'object' && 'detail' in body && typeof body.detail === 'string') {
      return new ApiError(response.status, body.detail, fieldOf(body))
    }
  } catch {
    // not JSON: fall through to the raw text or the status line
  }
  return new ApiError(response.status, text.trim().slice(0, 200) || response.statusText || `HTTP ${response.status}`)
}

/** Send a request and answer its response when it is a success; every failure becomes ApiError or NetworkError. */
async function send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const { body, raw, auth = true, timeoutMs = REQUEST_TIMEOUT_MS } = options
  const headers: Record<string, string> = { Accept: accept }
  if (raw) headers['Content-Type'] = raw.type
  else if (body !== undefined) headers['Content-Type'] = 'application/json'
  const token = auth ? getSession()?.token : undefined
  if (token) headers.Authorization = `Bearer ${token}`

  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: raw ? raw.data : body === undefined ? undefined : JSON.stringify(body),
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
    const error = await readError(response)
    if (response.status === 401 && auth) await endSession()
    throw error
  }
  return response
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options, 'application/json')
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

/** A response's bytes (an attachment), with the same token, errors and timeout as `request`. */
export async function requestBlob(method: string, path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await send(method, path, options, '*/*')
  try {
    return await response.blob()
  } catch (error) {
    // The connection dropped while the body was still arriving.
    throw new NetworkError(`${method} ${path}: the answer was cut off`, { cause: error })
  }
}

/** A file the server sent: its bytes and the name from Content-Disposition (null when it gives none). */
export interface FileAnswer {
  blob: Blob
  filename: string | null
}

/**
 * The file name in a Content-Disposition header: `filename*=UTF-8''…` (percent-encoded, may hold Chinese) before
 * `filename="…"`; null when there is none. Only the last path part is kept.
 */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null
  let name: string | null = null
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition)
  if (extended?.[2]) {
    try {
      name = decodeURIComponent(extended[2].trim().replace(/^"|"$/g, ''))
    } catch {
      name = null // badly encoded: fall back to the plain name
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]+)/i.exec(disposition)
    name = plain ? (plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : (plain[1] ?? null)) : null
  }
  const base = name?.split(/[\\/]/).pop()?.trim()
  return base || null
}

/** A response's bytes and file name (a report's PDF), with the same token, errors and timeout as `request`. */
export async function requestFile(method: string, path: string, options: RequestOptions = {}): Promise<FileAnswer> {
  const response = await send(method, path, options, '*/*')
  try {
    return { blob: await response.blob(), filename: filenameOf(response.headers.get('Content-Disposition')) }
  } catch (error) {
    throw new NetworkError(`${method} ${path}: the answer was cut off`, { cause: error })
  }
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

/** One alarm, whatever its age (the target of the links in every message sent to phones). */
export function getAlarm(id: number): Promise<Alarm> {
  return request<Alarm>('GET', `/api/v1/alarms/${id}`)
}

/** Who was told about an alarm, how and when: one item per recipient and transition, oldest first. */
export function getDeliveries(alarmId: number): Promise<Delivery[]> {
  return request<Delivery[]>('GET', `/api/v1/alarms/${alarmId}/deliveries`)
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

// ---- Notifications ----

/** The signed-in user's own subscriptions. */
export function getSubscriptions(): Promise<Subscription[]> {
  return request<Subscription[]>('GET', '/api/v1/me/subscriptions')
}

/** 400 when apprise cannot use the URL, or a site or level is refused: `ApiError.field` names the input. */
export function createSubscription(body: SubscriptionCreate): Promise<Subscription> {
  return request<Subscription>('POST', '/api/v1/me/subscriptions', { body })
}

export function updateSubscription(id: number, patch: SubscriptionPatch): Promise<Subscription> {
  return request<Subscription>('PATCH', `/api/v1/me/subscriptions/${id}`, { body: patch })
}

export function deleteSubscription(id: number): Promise<void> {
  return request<void>('DELETE', `/api/v1/me/subscriptions/${id}`)
}

/** Send a test message to every target of the subscription and report each one's outcome. */
export function testSubscription(id: number): Promise<TestResult> {
  return request<TestResult>('POST', `/api/v1/me/subscriptions/${id}/test`, { timeoutMs: NOTIFY_TEST_TIMEOUT_MS })
}

/** How long an alarm at the site may stay unacknowledged before the operator company, then the inspector, is told. */
export function getNotifyPolicy(siteId: number): Promise<NotifyPolicy> {
  return request<NotifyPolicy>('GET', `/api/v1/sites/${siteId}/notify-policy`)
}
