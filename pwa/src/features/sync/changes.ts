// Who needs to know that the device's sync data changed: the pages showing records, the sync state in the
// header, and the loop (a new mutation is a reason to push). A tiny publish/subscribe, no data in the message:
// listeners read what they show from IndexedDB again.

/**
 * - `written`: the user made a change (a new mutation): a reason to push
 * - `outbox`: a mutation was answered or dismissed
 * - `records`: a pull brought records
 * - `loop`: the loop started or ended a round, or its progress moved
 */
export type SyncChange = 'written' | 'outbox' | 'records' | 'loop'

const listeners = new Set<(change: SyncChange) => void>()

export function emitSyncChange(change: SyncChange): void {
  for (const fn of [...listeners]) fn(change)
}

/** Returns the unsubscribe function. */
export function onSyncChange(fn: (change: SyncChange) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}
