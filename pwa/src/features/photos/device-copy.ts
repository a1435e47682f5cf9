// Photos on the device: every photo taken in a form is kept in IndexedDB (by its sha256) before it is uploaded,
// so a photo taken offline goes up later with the sync loop (sync/push.ts uploads the ones a mutation names first),
// and a photo made here shows offline from the device's copy.
import { loadPhoto, markPhotoUploaded, savePhoto } from '../../platform/db'
import { getSession } from '../../platform/session'
import { getAttachment } from './api'

/** Keep a photo's bytes until the server has them; false when the device refused to store them (full, blocked). */
export async function keepPhoto(sha256: string, blob: Blob, type: string, now: number = Date.now()): Promise<boolean> {
  try {
    const existing = await loadPhoto(sha256)
    if (existing) return true
    await savePhoto({ sha256, blob, type, user_id: getSession()?.user.id ?? 0, saved_at: now, uploaded: false })
    return true
  } catch (error) {
    console.warn('andian: could not keep a photo on the device', error)
    return false
  }
}

/** The server has it (uploaded from a form while online). */
export async function photoUploaded(sha256: string): Promise<void> {
  try {
    await markPhotoUploaded(sha256)
  } catch {
    // Only the copy's bookkeeping: the loop finds out again when it uploads.
  }
}

/** A photo's bytes: the device's copy when there is one, else the server's (with the token). */
export async function photoBlob(sha256: string): Promise<Blob> {
  const local = await loadPhoto(sha256).catch(() => undefined)
  return local ? local.blob : getAttachment(sha256)
}
