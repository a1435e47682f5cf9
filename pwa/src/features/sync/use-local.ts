// The hooks the screens show synced records with: read from IndexedDB, read again on every change to the
// records or the outbox, and ask for a sync when the page opens (a record made on the server since the last
// pull, such as the hazard a message links to, arrives with it).
import { useEffect, useRef, useState } from 'preact/hooks'
import { isOnline, onOnlineChange } from '../../platform/online'
import { useExternal } from '../../ui/hooks'
import { onSyncChange } from './changes'
import { lastSyncedAt } from './local'
import type { Settled } from './loop'
import { countsOf, myOutbox } from './outbox'
import type { OutboxEntry } from './records'
import { requestSync, settleMutation, syncStatus } from './start'
import type { RoundOutcome } from './types'
import type { SyncFacts } from './words'

export type LocalLoad<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  /** Not on this device: `offline` when the sync that might bring it got no answer. */
  | { state: 'missing'; offline: boolean }

/**
 * Mutations a page is waiting on the server for (online): left out of the view until the server has answered,
 * so that online the page shows what the server made of a move, as it always has, and never a state the server
 * is about to refuse. Offline nothing is held: the change shows at once, marked pending.
 */
export interface Held {
  ids: ReadonlySet<string>
  /** Changes whenever `ids` does. */
  version: number
  /** Hold `id`, send with `write`, wait for the answer (online), then let go. */
  run: (id: string, write: () => Promise<unknown>) => Promise<Settled>
}

export function useHeld(): Held {
  const ids = useRef(new Set<string>())
  const [version, setVersion] = useState(0)
  const run = async (id: string, write: () => Promise<unknown>): Promise<Settled> => {
    const online = isOnline()
    if (online) ids.current.add(id) // before the write, so no read can show it early
    try {
      await write()
      return online ? await settleMutation(id) : { status: 'pending' }
    } finally {
      ids.current.delete(id)
      setVersion((v) => v + 1)
    }
  }
  return { ids: ids.current, version, run }
}

/** `read` again whenever the sync data changes; `key` says which record, `held` what to leave out. */
export function useLocalView<T>(read: (hidden: ReadonlySet<string>) => Promise<T | null>, key: string, held?: Held): LocalLoad<T> {
  const [value, setValue] = useState<{ key: string; value: T | null } | null>(null)
  const [round, setRound] = useState<{ key: string; outcome: RoundOutcome } | null>(null)
  const readRef = useRef(read)
  readRef.current = read
  const hidden = held?.ids ?? EMPTY

  useEffect(() => {
    let alive = true
    let busy = false
    let again = false
    const refresh = async () => {
      if (busy) {
        again = true
        return
      }
      busy = true
      try {
        do {
          again = false
          const next = await readRef.current(hidden)
          if (alive) setValue({ key, value: next })
        } while (again && alive)
      } catch (error) {
        console.warn('andian: could not read the saved records', error)
      } finally {
        busy = false
      }
    }
    void refresh()
    const stop = onSyncChange((change) => change !== 'loop' && void refresh())
    return () => {
      alive = false
      stop()
    }
  }, [key, held?.version])

  useEffect(() => {
    let alive = true
    void requestSync().then((outcome) => alive && setRound({ key, outcome }))
    return () => {
      alive = false
    }
  }, [key])

  if (!value || value.key !== key) return { state: 'loading' }
  if (value.value !== null) return { state: 'ready', value: value.value }
  if (!round || round.key !== key) return { state: 'loading' }
  return { state: 'missing', offline: round.outcome !== 'done' }
}

const EMPTY: ReadonlySet<string> = new Set()

/** The signed-in user's outbox, oldest first, read again on every change. */
export function useOutbox(): OutboxEntry[] | null {
  const [entries, setEntries] = useState<OutboxEntry[] | null>(null)
  useEffect(() => {
    let alive = true
    const refresh = () =>
      void myOutbox().then(
        (list) => alive && setEntries(list),
        () => undefined,
      )
    refresh()
    const stop = onSyncChange((change) => change !== 'loop' && refresh())
    return () => {
      alive = false
      stop()
    }
  }, [])
  return entries
}

/** What the header and the sync page say: the loop's state, the outbox's counts, the last full sync. */
export function useSyncFacts(): SyncFacts {
  const entries = useOutbox()
  const online = useExternal(onOnlineChange, isOnline)
  const status = useExternal(onLoopChange, syncStatus)
  const [syncedAt, setSyncedAt] = useState<number | null>(null)
  useEffect(() => {
    let alive = true
    const refresh = () => void lastSyncedAt().then((at) => alive && setSyncedAt(at), () => undefined)
    refresh()
    const stop = onSyncChange((change) => change === 'records' && refresh())
    return () => {
      alive = false
      stop()
    }
  }, [])
  const counts = countsOf(entries ?? [])
  return { online, running: status.running, progress: status.progress, pending: counts.pending, rejected: counts.rejected, syncedAt }
}

function onLoopChange(fn: () => void): () => void {
  return onSyncChange((change) => change === 'loop' && fn())
}
