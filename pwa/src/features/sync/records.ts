// The shapes of what the sync and the drafts keep on the device. store/db.ts owns the stores they live in (names,
// keys, indexes, versions); this module only describes the values.
import type { About, Mutation, OutboxStatus } from '../sync/types'
import type { Commissioning } from '../types'

export interface SyncedRecord {
  /** "{entity}/{entity_id}". */
  key: string
  entity: string
  entity_id: string
  /** The server's numeric id (`fields.id`), for links such as /hazards/12; null when it has none. */
  server_id: number | null
  version: number
  /** As GET /api/v1/hazards/{id} or /inspections/{id} answers (docs/sync.md "Pull"). */
  fields: Record<string, unknown>
}

export interface OutboxEntry {
  /** Given by IndexedDB when the entry is added: the order mutations are pushed in. */
  seq?: number
  /** Whose work it is: only their session pushes it. */
  user_id: number
  mutation: Mutation
  status: OutboxStatus
  /** The server's words: why it was rejected, or what lost to newer writes when merged. */
  reason: string | null
  /** How the server took it, once acknowledged. */
  result: 'applied' | 'merged' | null
  /** ms since the epoch. */
  created_at: number
  about: About
}

export interface PhotoRecord {
  sha256: string
  blob: Blob
  /** The Content-Type it is uploaded with. */
  type: string
  user_id: number
  saved_at: number
  /** The server has it (PUT answered 200 or 201); dropped once no mutation waiting to go names it. */
  uploaded: boolean
}

export interface ClientRecord {
  /** A UUIDv7 made once on this device. */
  client_id: string
  /** The clock's node id in every stamp: the client id without its dashes. */
  node: string
}

export interface PullRecord {
  user_id: number
  cursor: string | null
  /** ms since the epoch when a pull last reached the end (`more: false`); null before the first. */
  synced_at: number | null
}

export interface DraftRecord {
  /** E.g. "commission/17". */
  key: string
  user_id: number
  saved_at: number
  /** A commissioning's acceptance checklist as typed, and the commissioning as last read (to open it offline). */
  value: CommissionDraft
}

export interface CommissionDraft {
  commissioning: Commissioning
  answers: Record<string, { answer?: 'pass' | 'fail' | 'na'; note?: string }>
  signature: string
  /** The installer pressed accept with no network: send it by itself when the network is back. */
  submit: boolean
  /** Why the acceptance sent by itself was refused (the page shows it; the installer sends it again). */
  error: string | null
}
