// The outbox: every offline-capable write becomes a mutation in IndexedDB first, then the loop pushes it. The
// local view of a record is the record as pulled with the user's mutations that are not yet acknowledged on top
// (overlay.ts), so writing the mutation is the optimistic change: one transaction holds the mutation, the photos
// it names and the clock's new stamp.
//
// Invariants: entries are pushed in the order written (seq); an entry the server rejected stays, with the
// server's words, until the user dismisses it (dismiss); an entry is dropped only after the server took it and a
// pull brought the record back (loop.ts).
import { addMutation, deleteOutbox, loadOutbox } from '../../platform/db'
import { getSession } from '../../platform/session'
import { type PhotoRecord } from '../photos/types'
import { emitSyncChange } from './changes'
import { nextStamp } from './identity'
import { type OutboxEntry } from './records'
import type { About, Entity, Op } from './types'
import { uuidv7 } from './uuid'

export interface Write {
  entity: Entity
  entity_id: string
  op: Op
  fields: Record<string, unknown>
  about: About
  /** Earlier entries this write makes pointless (an answer to the same item): dropped if not sent yet. */
  supersedes?: (entry: OutboxEntry) => boolean
  photos?: readonly PhotoRecord[]
  /** Made by the caller when a page must know it before the write (useHeld); else made here. */
  mutation_id?: string
}

/** No one is signed in: there is nobody to write for. */
export class NotSignedIn extends Error {
  override name = 'NotSignedIn'
}

function signedInUser(): { id: number; display_name: string; role: string } {
  const user = getSession()?.user
  if (!user) throw new NotSignedIn('sign in to make changes')
  return user
}

/** The signed-in user's entries, oldest first. */
export async function myOutbox(): Promise<OutboxEntry[]> {
  const id = getSession()?.user.id
  if (id === undefined) return []
  return (await loadOutbox()).filter((e) => e.user_id === id)
}

/** Write one mutation for the signed-in user; answers the entry as stored. */
export async function enqueue(write: Write, now: number = Date.now()): Promise<OutboxEntry> {
  const user = signedInUser()
  const supersedes = write.supersedes
    ? (await loadOutbox()).filter((e) => e.user_id === user.id && e.status === 'pending' && write.supersedes?.(e)).map((e) => e.seq as number)
    : []
  const hlc = await nextStamp(now)
  const entry: OutboxEntry = {
    user_id: user.id,
    mutation: { mutation_id: write.mutation_id ?? uuidv7(now), hlc, entity: write.entity, entity_id: write.entity_id, op: write.op, fields: write.fields },
    status: 'pending',
    reason: null,
    result: null,
    created_at: now,
    about: { actor: user.display_name, actor_role: user.role, ...write.about },
  }
  entry.seq = await addMutation({ entry, supersedes, photos: write.photos ?? [], clock: hlc })
  emitSyncChange('written')
  return entry
}

/** The user has read why the server refused it ("知道了"): only now does it go. */
export async function dismiss(seqs: readonly number[]): Promise<void> {
  await deleteOutbox(seqs)
  emitSyncChange('outbox')
}

export interface OutboxCounts {
  /** Not yet taken by the server (pending or in the push in flight). */
  pending: number
  rejected: number
}

export function countsOf(entries: readonly Pick<OutboxEntry, 'status'>[]): OutboxCounts {
  let pending = 0
  let rejected = 0
  for (const e of entries) {
    if (e.status === 'pending' || e.status === 'sending') pending++
    else if (e.status === 'rejected') rejected++
  }
  return { pending, rejected }
}
