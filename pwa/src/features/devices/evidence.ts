// The acceptance's evidence on its way to the server: the drawn signature is kept on the device and uploaded like a
// photo (content-addressed, idempotent), and before an acceptance is sent every photo and the signature it names
// are uploaded, so one taken or drawn with no network goes up with the acceptance once the network is back.
import { loadPhoto, markPhotoUploaded } from '../../platform/db'
import { ApiError, NetworkError } from '../../platform/http'
import { isOnline } from '../../platform/online'
import { putAttachment } from '../photos/api'
import { keepPhoto, photoUploaded } from '../photos/device-copy'
import { sha256Hex } from '../photos/prepare'
import type { AcceptBody } from './types'

/** `kept`: on the device only (no network); it goes up before the acceptance that names it. */
export type SignatureStatus = 'saving' | 'saved' | 'kept' | 'failed'

export interface KeptSignature {
  sha256: string | null
  status: SignatureStatus
  /** Why it failed (the server's words), for `failed`. */
  detail?: string
}

/** Keep the drawing on the device and upload it when there is a network; its sha256 is what the acceptance names. */
export async function keepSignature(png: Blob): Promise<KeptSignature> {
  const sha256 = await sha256Hex(png)
  const kept = await keepPhoto(sha256, png, 'image/png')
  if (kept && !isOnline()) return { sha256, status: 'kept' }
  try {
    await putAttachment(sha256, png, 'image/png')
    if (kept) await photoUploaded(sha256)
    return { sha256, status: 'saved' }
  } catch (error) {
    if (kept && error instanceof NetworkError) return { sha256, status: 'kept' }
    return { sha256: null, status: 'failed', detail: error instanceof ApiError ? error.detail : String(error) }
  }
}

/** Every attachment an acceptance names: its photos, then the signature. */
export function evidenceOf(body: AcceptBody): string[] {
  const hashes = body.answers.flatMap((a) => a.attachments ?? [])
  if (body.signature) hashes.push(body.signature)
  return [...new Set(hashes)]
}

/**
 * Upload what is still on the device only, one at a time. No answer throws NetworkError (the acceptance waits for
 * the network); a refusal is left for the acceptance's own refusal to name.
 */
export async function uploadEvidence(body: AcceptBody): Promise<void> {
  for (const sha of evidenceOf(body)) {
    const copy = await loadPhoto(sha).catch(() => undefined)
    if (!copy || copy.uploaded) continue
    try {
      await putAttachment(sha, copy.blob, copy.type)
      await markPhotoUploaded(sha).catch(() => undefined)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
    }
  }
}
