// The sync loop's requests, through the app's HTTP client (platform/http.ts): the bearer token, ApiError with the
// server's words, NetworkError when no answer came (which also tells online.ts the server is unreachable), and a
// 401 that ends the session. The loop takes a Transport, so its tests answer for the server.
import { request } from '../../platform/http'
import { putAttachment } from '../photos/api'
import type { PullAnswer, PushAnswer, PushBody } from './types'

export interface Transport {
  push(body: PushBody): Promise<PushAnswer>
  pull(cursor: string | null, limit: number): Promise<PullAnswer>
  /** PUT /api/v1/attachments/{sha256}: 201 new and 200 already there both mean done. */
  upload(sha256: string, blob: Blob, type: string): Promise<void>
}

/**
 * A push of 200 mutations is applied one by one in a transaction on the server, and a pull page of 500 records
 * with their events and answers can be a few megabytes: more than the 10 s of an ordinary request on one bar.
 */
export const SYNC_TIMEOUT_MS = 60_000

export const httpTransport: Transport = {
  push: (body) => request<PushAnswer>('POST', '/api/v1/sync/push', { body, timeoutMs: SYNC_TIMEOUT_MS }),
  pull: (cursor, limit) => {
    const params = new URLSearchParams({ limit: String(limit) })
    if (cursor !== null) params.set('cursor', cursor)
    return request<PullAnswer>('GET', `/api/v1/sync/pull?${params}`, { timeoutMs: SYNC_TIMEOUT_MS })
  },
  upload: async (sha256, blob, type) => {
    await putAttachment(sha256, blob, type)
  },
}
