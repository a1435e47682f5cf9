// The shapes of what the sync keeps on the device: pulled records, the outbox, this device's identity, the pull
// cursor. platform/db.ts owns the stores they live in (names, keys, indexes, versions); this module only describes
// the values. Photos kept for upload are features/photos/types.ts, commissioning drafts features/devices/types.ts.
import type { About, Mutation, OutboxStatus } from './types'

export interface SyncedRecord {
  /** "{entity}/{entity_id}". */
  key: string
  entity: string
  entity_id: string
  /** The server's numeric id (`fields.id`), for links such as /hazards/12; null when it has none. */
  server_id: number | null
  version: number
  /** As GET /api/v1/hazards/{id} or /inspections/{id} answers, an inspection naming its `checklist` copy in
   * place of its items; or a checklist copy (docs/sync.md "Pull", inspections/checklist-ref.ts). */
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
