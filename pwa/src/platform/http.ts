// HTTP client for the andian API. Adds the bearer token, turns error answers into ApiError with the
// server's `detail`, and a request that gets no answer into NetworkError (the caller then uses the cache).
// A 401 on an authenticated request ends the session; the app then shows the login page.
import { reportReachable } from './online'
import { endSession, getSession } from './session'

/** Longer than any answer of a healthy server; a request still pending then counts as no network. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * The server answered with an error status. `detail` is its message, ready to show; `field` names the input
 * it refused (the body's `extra.field`, e.g. "url"), so a form can show the message next to it.
 */
export class ApiError extends Error {
  readonly status: number
  readonly detail: string
  readonly field: string | null
  /** The body's `extra` when it is an object: a refusal's code and values (`{code: 'out_of_range', min, max, …}`). */
  readonly extra: Readonly<Record<string, unknown>> | null

  constructor(status: number, detail: string, field: string | null = null, extra: Record<string, unknown> | null = null) {
    super(`HTTP ${status}: ${detail}`)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.field = field
    this.extra = extra
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
      const extra = 'extra' in body && body.extra && typeof body.extra === 'object' && !Array.isArray(body.extra)
      return new ApiError(response.status, body.detail, fieldOf(body), extra ? (body.extra as Record<string, unknown>) : null)
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
