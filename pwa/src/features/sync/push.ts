// Push: the user's waiting mutations, oldest first, up to PUSH_BATCH per request, each batch's photos uploaded
// first (the server rejects a mutation naming a photo it does not have). The answer comes per mutation, in the
// order sent, and decides what becomes of each entry (settle, pure).
import { loadPhoto, markPhotoUploaded, updateOutbox, type OutboxChange } from '../../platform/db'
import { ApiError } from '../../platform/http'
import { type OutboxEntry } from './records'
import type { Transport } from './transport'
import type { MutationResult } from './types'

/** docs/sync.md: the server takes up to 1000 per push; 200 keeps one request short on a weak link. */
export const PUSH_BATCH = 200

/** What the server's answer makes of an entry: taken (acked), or refused with its words (rejected). */
export function settle(seq: number, result: MutationResult | undefined): OutboxChange {
  if (!result) return { seq, status: 'pending' } // the answer left it out: send it again
  const status = result.status === 'duplicate' ? (result.was ?? 'applied') : result.status
  if (status === 'rejected') return { seq, status: 'rejected', reason: result.reason || '—' }
  if (status === 'merged') return { seq, status: 'acked', result: 'merged', reason: result.reason ?? null }
  return { seq, status: 'acked', result: 'applied', reason: null }
}

/** The photos a mutation names (`fields.attachments`, and a drawn `fields.signature`), each once. */
export function photosNamed(entries: readonly Pick<OutboxEntry, 'mutation'>[]): string[] {
  const hashes = new Set<string>()
  for (const e of entries) {
    const list = e.mutation.fields.attachments
    if (Array.isArray(list)) for (const sha of list) if (typeof sha === 'string') hashes.add(sha)
    const drawn = e.mutation.fields.signature
    if (typeof drawn === 'string' && drawn) hashes.add(drawn)
  }
  return [...hashes]
}

/** The photos of these entries still on the device only. */
export async function photosToUpload(entries: readonly OutboxEntry[]): Promise<string[]> {
  const waiting: string[] = []
  for (const sha of photosNamed(entries)) {
    const photo = await loadPhoto(sha)
    if (photo && !photo.uploaded) waiting.push(sha)
  }
  return waiting
}

/**
 * Upload the photos one at a time (parallel uploads on one weak link finish no sooner). A refused photo (a 4xx:
 * wrong hash, too big) is left: the mutation naming it will be rejected with `attachments`, and the user sees
 * why. No answer, or a server error, throws: the round stops and tries again later.
 */
export async function uploadPhotos(hashes: readonly string[], transport: Transport, onUploaded: () => void): Promise<void> {
  for (const sha of hashes) {
    const photo = await loadPhoto(sha)
    if (!photo || photo.uploaded) {
      onUploaded()
      continue
    }
    try {
      await transport.upload(sha, photo.blob, photo.type)
      await markPhotoUploaded(sha)
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error
    }
    onUploaded()
  }
}

/** Push one batch and record each answer; with no answer the entries go back to pending and the error is thrown. */
export async function pushBatch(entries: readonly OutboxEntry[], clientId: string, transport: Transport): Promise<OutboxChange[]> {
  const seqs = entries.map((e) => e.seq as number)
  await updateOutbox(seqs.map((seq) => ({ seq, status: 'sending' })))
  let results: MutationResult[]
  try {
    results = (await transport.push({ v: 1, client_id: clientId, mutations: entries.map((e) => e.mutation) })).results
  } catch (error) {
    await updateOutbox(seqs.map((seq) => ({ seq, status: 'pending' })))
    throw error
  }
  const changes = entries.map((entry, i) => {
    const result = results[i]
    // Results come in the order sent; one that names another mutation is not this one's.
    const mine = result && (result.mutation_id === '' || result.mutation_id === entry.mutation.mutation_id) ? result : undefined
    return settle(entry.seq as number, mine)
  })
  await updateOutbox(changes)
  return changes
}
