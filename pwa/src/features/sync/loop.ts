// The sync loop: one round at a time pushes the user's waiting mutations (photos first), pulls until the server
// has nothing more, then drops what the server took. A trigger during a round asks for one more round after it;
// a round that got no answer is tried again after 5, 15, 30, then every 60 seconds.
//
// Invariants: never two rounds at once (rounds read and write the same outbox entries); never a lock or a
// transaction held across a request (each IndexedDB write is its own short transaction); an entry leaves the
// outbox only once the server took it and a pull brought the record back, or the user dismissed its rejection.
import { deleteOutbox, deletePhotos, loadOutbox, loadPhotos, updateOutbox } from '../../platform/db'
import { ApiError, NetworkError } from '../../platform/http'
import { emitSyncChange } from './changes'
import { pullAll } from './pull'
import { photosNamed, photosToUpload, PUSH_BATCH, pushBatch, uploadPhotos } from './push'
import type { Transport } from './transport'
import type { RoundOutcome } from './types'

/**
 * Seconds between attempts while the server cannot be reached, as online.ts does: soon after a short drop
 * (a lift, a stairwell), then no more than once a minute so a phone in a basement does not drain its battery.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 30_000, 60_000]

/** A photo taken in a form that was never sent is kept this long, then dropped. */
export const ORPHAN_PHOTO_MS = 7 * 86_400_000

/** Batches per round at most: a round with more to send ends and the next one carries on. */
const MAX_BATCHES = 50

export interface RoundProgress {
  /** Mutations answered so far in this round, of `total` waiting when it started (and added during it). */
  pushed: number
  total: number
  photosUp: number
  photosTotal: number
}

export interface LoopStatus {
  running: boolean
  progress: RoundProgress | null
  /** How the last round ended; null before the first. */
  outcome: RoundOutcome | null
  /** Rounds in a row that got no answer. */
  failures: number
}

export type Settled = { status: 'acked' } | { status: 'rejected'; reason: string } | { status: 'pending' }

export interface LoopDeps {
  transport: Transport
  /** The signed-in user, checked before every step: a round stops when the session ends. */
  userId: () => number | null
  clientId: () => Promise<string>
  /** The browser knows it has no network (navigator.onLine false): a round makes no request. */
  offline?: () => boolean
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
}

interface Waiter {
  mutationId: string
  resolve: (settled: Settled) => void
}

export class SyncLoop {
  private current: Promise<RoundOutcome> | null = null
  private again = false
  private timer: unknown = null
  private stopped = false
  private waiters: Waiter[] = []
  private state: LoopStatus = { running: false, progress: null, outcome: null, failures: 0 }
  private readonly now: () => number
  private readonly setTimer: (fn: () => void, ms: number) => unknown
  private readonly clearTimer: (timer: unknown) => void

  constructor(private readonly deps: LoopDeps) {
    this.now = deps.now ?? Date.now
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
    this.clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>))
  }

  get status(): LoopStatus {
    return this.state
  }

  /** Sync now, or right after the round under way. Answers the round that will carry the request. */
  request(): Promise<RoundOutcome> {
    if (this.stopped) return Promise.resolve('signed_out')
    if (this.current) {
      this.again = true // the round under way runs once more before it resolves
      return this.current
    }
    this.clearRetry()
    this.current = this.rounds()
    return this.current
  }

  /** Resolves when the server has answered the mutation, or a round ended without reaching it (no network). */
  settle(mutationId: string, timeoutMs = 15_000): Promise<Settled> {
    return new Promise((resolve) => {
      const waiter: Waiter = { mutationId, resolve }
      const timer = this.setTimer(() => this.release(waiter, { status: 'pending' }), timeoutMs)
      waiter.resolve = (settled) => {
        this.clearTimer(timer)
        resolve(settled)
      }
      this.waiters.push(waiter)
      // No round under way: the one that carried it may have ended before the page asked (say, at once for want
      // of a network). Answer from the outbox as it stands instead of waiting for the next round or the timeout.
      if (!this.current) void this.wake(this.state.outcome ?? 'done')
    })
  }

  /** The session ended: no more rounds; the one under way stops at its next step. */
  stop(): void {
    this.stopped = true
    this.clearRetry()
    for (const w of this.waiters.splice(0)) w.resolve({ status: 'pending' })
  }

  private release(waiter: Waiter, settled: Settled): void {
    const i = this.waiters.indexOf(waiter)
    if (i >= 0) this.waiters.splice(i, 1)
    waiter.resolve(settled)
  }

  private set(change: Partial<LoopStatus>): void {
    this.state = { ...this.state, ...change }
    emitSyncChange('loop')
  }

  private clearRetry(): void {
    if (this.timer !== null) this.clearTimer(this.timer)
    this.timer = null
  }

  private async rounds(): Promise<RoundOutcome> {
    let outcome: RoundOutcome = 'done'
    try {
      do {
        this.again = false
        outcome = await this.round()
      } while (this.again && outcome === 'done' && !this.stopped)
    } finally {
      this.current = null
    }
    // A page that asked between the last round's answer and now (settle saw a round under way) hears it here.
    if (this.waiters.length > 0) void this.wake(outcome)
    if (outcome === 'offline' || outcome === 'failed') {
      const delay = RETRY_DELAYS_MS[Math.min(this.state.failures - 1, RETRY_DELAYS_MS.length - 1)] ?? 60_000
      if (!this.stopped) this.timer = this.setTimer(() => void this.request(), delay)
    }
    return outcome
  }

  private async round(): Promise<RoundOutcome> {
    this.set({ running: true, progress: { pushed: 0, total: 0, photosUp: 0, photosTotal: 0 } })
    let outcome: RoundOutcome
    try {
      outcome = await this.work()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) outcome = 'signed_out'
      else if (error instanceof NetworkError) outcome = 'offline'
      else {
        if (!(error instanceof ApiError)) console.warn('andian: sync round failed', error)
        outcome = 'failed'
      }
    }
    if (this.stopped) outcome = 'signed_out'
    const failures = outcome === 'done' ? 0 : outcome === 'signed_out' ? this.state.failures : this.state.failures + 1
    this.set({ running: false, progress: null, outcome, failures })
    await this.wake(outcome)
    emitSyncChange('outbox')
    return outcome
  }

  private async work(): Promise<RoundOutcome> {
    const userId = this.deps.userId()
    if (userId === null || this.stopped) return 'signed_out'
    // navigator.onLine false is certain; true proves nothing (TOOLCHAIN.md), so then the requests decide.
    if (this.deps.offline?.() ?? globalThis.navigator?.onLine === false) return 'offline'
    const clientId = await this.deps.clientId()
    // An entry left "sending" by a page that closed mid-push goes again (the server answers a replay "duplicate").
    const all = await loadOutbox()
    const stale = all.filter((e) => e.user_id === userId && e.status === 'sending')
    if (stale.length > 0) await updateOutbox(stale.map((e) => ({ seq: e.seq as number, status: 'pending' })))
    const sent = new Set<number>()

    for (let batch = 0; ; batch++) {
      if (this.deps.userId() !== userId || this.stopped) return 'signed_out'
      const waiting = (await loadOutbox()).filter((e) => e.user_id === userId && e.status === 'pending' && !sent.has(e.seq as number))
      if (waiting.length === 0) break
      if (batch === MAX_BATCHES) {
        this.again = true // the rest goes in the next round, after this one's pull
        break
      }
      const entries = waiting.slice(0, PUSH_BATCH)
      const progress = this.state.progress ?? { pushed: 0, total: 0, photosUp: 0, photosTotal: 0 }
      const photos = await photosToUpload(entries)
      this.set({ progress: { ...progress, total: progress.pushed + waiting.length, photosTotal: progress.photosTotal + photos.length } })
      await uploadPhotos(photos, this.deps.transport, () => this.bump({ photosUp: 1 }))
      await pushBatch(entries, clientId, this.deps.transport)
      for (const e of entries) sent.add(e.seq as number)
      this.bump({ pushed: entries.length })
      emitSyncChange('outbox')
    }

    if (this.deps.userId() !== userId || this.stopped) return 'signed_out'
    const acked = (await loadOutbox()).filter((e) => e.user_id === userId && e.status === 'acked').map((e) => e.seq as number)
    await pullAll(userId, this.deps.transport, this.now)
    // The pull brought the records as the server has them, these mutations included: the overlay is not needed.
    await deleteOutbox(acked)
    await this.prunePhotos()
    emitSyncChange('records')
    return 'done'
  }

  private bump(by: Partial<RoundProgress>): void {
    const p = this.state.progress
    if (!p) return
    this.set({ progress: { ...p, pushed: p.pushed + (by.pushed ?? 0), photosUp: p.photosUp + (by.photosUp ?? 0) } })
  }

  /** Drop photos the server has, and old ones no mutation names (taken in a form that was never sent). */
  private async prunePhotos(): Promise<void> {
    const named = new Set(photosNamed((await loadOutbox()).filter((e) => e.status !== 'rejected')))
    const old = this.now() - ORPHAN_PHOTO_MS
    const drop = (await loadPhotos()).filter((p) => !named.has(p.sha256) && (p.uploaded || p.saved_at < old)).map((p) => p.sha256)
    if (drop.length > 0) await deletePhotos(drop)
  }

  /** Tell those waiting for a mutation how it went. */
  private async wake(outcome: RoundOutcome): Promise<void> {
    if (this.waiters.length === 0) return
    const byId = new Map((await loadOutbox()).map((e) => [e.mutation.mutation_id, e]))
    for (const waiter of [...this.waiters]) {
      const entry = byId.get(waiter.mutationId)
      if (!entry || entry.status === 'acked') this.release(waiter, { status: 'acked' })
      else if (entry.status === 'rejected') this.release(waiter, { status: 'rejected', reason: entry.reason ?? '—' })
      else if (outcome !== 'done') this.release(waiter, { status: 'pending' })
    }
  }
}
