// Outbox entries and records as the sync keeps them, for tests.
import type { OutboxEntry } from '../features/sync/records'
import type { Entity, Op } from '../features/sync/types'

let seq = 0

/** One outbox entry; `hlc` defaults to one that sorts by the order entries are made. */
export function entry(
  entity: Entity,
  entityId: string,
  op: Op,
  fields: Record<string, unknown>,
  overrides: Partial<OutboxEntry> = {},
): OutboxEntry {
  seq += 1
  return {
    seq,
    user_id: 7,
    mutation: {
      mutation_id: `m-${seq}`,
      hlc: `1763856000${String(seq).padStart(3, '0')}-0000-dev1`,
      entity,
      entity_id: entityId,
      op,
      fields,
    },
    status: 'pending',
    reason: null,
    result: null,
    created_at: 1_763_856_000_000 + seq * 1000,
    about: { actor: '李娟', actor_role: 'inspector', title: '插座烧焦发黑', server_id: 12 },
    ...overrides,
  }
}

/** A record as a pull brings it (only what the overlay reads). */
export function record(entityId: string, fields: object): { entity_id: string; fields: Record<string, unknown> } {
  return { entity_id: entityId, fields: fields as Record<string, unknown> }
}
