// Merge rules of the offline sync, the mirror of offline_sync/merge.py: pinned by offline_sync/vectors/merge.json
// (run by pytest and by vectors.test.ts), so they change together with offline_sync/*.py. Pure; the record is
// changed in place, as in Python.
//
// - Scalar fields: last writer wins, per field, by HLC; an older write to a field a newer one already set is kept
//   out, and the mutation is answered 'merged' (some fields lost to newer ones) instead of 'applied'.
// - Answers, comments and photos append: an element is added once, by its id, whatever order pushes arrive in.
// - Replays change nothing: applying the same mutation twice leaves the record as once.

export type MergeStatus = 'applied' | 'merged'

/** One synced record: its scalar fields with the stamp that set each, and its appended lists by id. */
export interface SyncRecord {
  fields: Record<string, unknown>
  stamps: Record<string, string>
  lists: Record<string, Record<string, unknown>>
}

export function newRecord(): SyncRecord {
  return { fields: {}, stamps: {}, lists: {} }
}

/** Sets an own property, even one named like `__proto__` (names come from the wire). */
function put<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function own<T>(target: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(target, key) ? target[key] : undefined
}

/** Apply each field whose stamp is newer than the one that set it; HLC strings compare as the clock does. */
export function update(record: SyncRecord, changes: Record<string, unknown>, hlc: string): MergeStatus {
  let lost = false
  for (const [name, value] of Object.entries(changes)) {
    const current = own(record.stamps, name)
    if (current === undefined || hlc > current) {
      put(record.fields, name, value)
      put(record.stamps, name, hlc)
    } else if (hlc !== current) {
      lost = true
    }
  }
  return lost ? 'merged' : 'applied'
}

/** Add an element once; a repeat of the same id (a replayed push) is a no-op. */
export function append(record: SyncRecord, list: string, id: string, element: unknown): 'applied' {
  let items = own(record.lists, list)
  if (items === undefined) {
    items = {}
    put(record.lists, list, items)
  }
  if (!Object.hasOwn(items, id)) put(items, id, element)
  return 'applied'
}
