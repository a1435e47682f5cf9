// Attachments (photos as evidence, for hazards and inspection answers), stored under their sha256. Errors as in
// platform/http.ts: ApiError with the server's detail and `field`, NetworkError when no answer came.
import { request, requestBlob } from '../../platform/http'
import type { AttachmentStored } from './types'

/**
 * An upload over a weak mobile link: a shrunk photo is 200–600 KB, which takes 10–40 s at the 100–500 kbit/s
 * of one bar of 4G or EDGE in a market hall; a minute leaves room before it counts as failed (and can be retried).
 */
export const UPLOAD_TIMEOUT_MS = 60_000

/** Store a photo under its sha256; idempotent (200 when the server has it already). */
export function putAttachment(sha256: string, data: Blob, type: string): Promise<AttachmentStored> {
  return request<AttachmentStored>('PUT', `/api/v1/attachments/${sha256}`, {
    raw: { data, type },
    timeoutMs: UPLOAD_TIMEOUT_MS,
  })
}

/** A photo's bytes: the request needs the bearer token, so an <img> cannot load it by URL. */
export function getAttachment(sha256: string): Promise<Blob> {
  return requestBlob('GET', `/api/v1/attachments/${sha256}`, { timeoutMs: UPLOAD_TIMEOUT_MS })
}
