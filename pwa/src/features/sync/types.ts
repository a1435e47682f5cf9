// Wire shapes of the sync endpoints (docs/sync.md "The wire contract"; offline_sync/protocol.py), and what the
// device keeps about each mutation. Field names are the server's, unchanged.
import type { Bilingual, ChecklistItem } from '../inspections/types'

/** The records the PWA writes through sync. */
export type Entity = 'hazard' | 'hazard_comment' | 'inspection' | 'checklist_answer'

export type Op = 'create' | 'update' | 'transition' | 'append'

/** One change made on the device: ids are UUIDv7 made here, `hlc` a stamp of this device's clock (hlc.ts). */
export interface Mutation {
  mutation_id: string
  hlc: string
  entity: Entity
  /** A record made on the device: its UUIDv7; a record made on the server: its id as a string ("42"). */
  entity_id: string
  op: Op
  fields: Record<string, unknown>
}

/** POST /api/v1/sync/push. */
export interface PushBody {
  v: 1
  client_id: string
  mutations: Mutation[]
}

export type ResultStatus = 'applied' | 'merged' | 'rejected' | 'duplicate'

export interface MutationResult {
  mutation_id: string
  status: ResultStatus
  /** Why it was rejected, or which fields lost to newer writes (merged). */
  reason?: string | null
  /** A duplicate's first answer. */
  was?: ResultStatus | null
}

export interface PushAnswer {
  results: MutationResult[]
}

/** One record as GET /api/v1/sync/pull brings it; `deleted` (a tombstone) has empty fields. */
export interface Change {
  entity: string
  entity_id: string
  version: number
  deleted: boolean
  fields: Record<string, unknown>
}

export interface PullAnswer {
  cursor: string
  changes: Change[]
  more: boolean
}

/**
 * - `pending`: written on the device, not yet answered by the server
 * - `sending`: in the push in flight
 * - `acked`: the server took it (applied, merged or an earlier duplicate); kept until the pull that follows has
 *   brought the record as the server has it, so the page never shows the older state in between
 * - `rejected`: the server refused it; kept, with its reason, until the user dismisses it
 */
export type OutboxStatus = 'pending' | 'sending' | 'acked' | 'rejected'

/** What a mutation was about, in the words of the moment it was made: for the pages and the rejected list. */
export interface About {
  /** The hazard's title, or the inspection's checklist title, when it was made. */
  title?: string
  /** The server's id of the record, when it has one ("#12"). */
  server_id?: number | null
  site_id?: number
  site_name?: string
  /** The checklist item's words (checklist answers). */
  item?: string
  /** The assignee's display name (hazard assignments), so the page can show it before the server does. */
  assignee?: string | null
  /** Who made it: display name and role. */
  actor?: string
  actor_role?: string
  /** An inspection started on the device: the checklist it was started with, shown until the server has it. */
  checklist?: StartedChecklist
}

/** The checklist of an inspection started offline (inspections/offline.ts), as the template was kept. */
export interface StartedChecklist {
  template_id: string
  template_version: number
  title: Bilingual
  items: ChecklistItem[]
}

/** Why the round stopped short: nothing to send, no network, the server answered an error, or the session ended. */
export type RoundOutcome = 'done' | 'offline' | 'failed' | 'signed_out'
