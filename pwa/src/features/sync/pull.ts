// Pull: the records that changed since the cursor, page after page while the server says `more`, each page
// saved with the cursor after it in one transaction (a pull cut short resumes where it stopped). A cursor the
// server cannot read (400 naming `cursor`) is dropped and the pull starts again from scratch, once. A pull from
// scratch that reaches the end drops the records it did not bring (the tombstones a lost cursor never got).
import { dropRecordsExcept, loadMeta, recordKey, savePulled } from '../../platform/db'
import { ApiError } from '../../platform/http'
import type { Transport } from './transport'

/** Records per page: the server takes 1–2000 (docs/sync.md); 500 keeps a page to a few hundred kilobytes. */
export const PULL_LIMIT = 500

/** A server that keeps saying `more` is wrong; stop rather than loop for ever. */
const MAX_PAGES = 1000

function refusesCursor(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && (error.field === 'cursor' || /\bcursor\b/.test(error.detail))
}

/** Pull until `more` is false; answers how many changes came. */
export async function pullAll(userId: number, transport: Transport, now: () => number = Date.now): Promise<number> {
  const saved = await loadMeta('pull')
  const mine = saved?.user_id === userId ? saved : undefined
  let cursor = mine?.cursor ?? null
  let syncedAt = mine?.synced_at ?? null
  let restarted = false
  let count = 0
  // Keys brought by a pull that started without a cursor: everything the user may see.
  let seen: Set<string> | null = cursor === null ? new Set() : null
  for (let page = 0; page < MAX_PAGES; page++) {
    let answer
    try {
      answer = await transport.pull(cursor, PULL_LIMIT)
    } catch (error) {
      if (cursor === null || restarted || !refusesCursor(error)) throw error
      restarted = true
      cursor = null
      seen = new Set()
      continue
    }
    count += answer.changes.length
    for (const c of answer.changes) if (!c.deleted) seen?.add(recordKey(c.entity, c.entity_id))
    if (!answer.more) syncedAt = now()
    await savePulled(answer.changes, { user_id: userId, cursor: answer.cursor, synced_at: syncedAt })
    cursor = answer.cursor
    if (!answer.more) {
      if (seen) await dropRecordsExcept(seen)
      return count
    }
  }
  return count
}
