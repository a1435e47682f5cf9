// An inspection's answers on their way to the server. The answers live here, in memory, and go up in batches
// (POST /inspections/{id}/answers) a moment after the inspector stops tapping, so 40 taps make a handful of
// requests. Each item has its own save state and, when the server refuses it, the server's reason.
// Framework-free: the page subscribes. The request is a constructor argument, so the offline layer (issue 7)
// can put an outbox in its place without this module knowing.
//
// Invariants: one batch in flight at a time; an item changed while its batch was in flight stays "waiting"
// whatever the answer to that batch says (the newer answer is sent next); a batch that got no answer is not
// sent again by itself (only on the next change, retry() or flush()), so a dead network never loops.
import { ApiError, NetworkError } from '../api'
import { MAX_PHOTOS } from '../hazards/upload'
import { sendAnswers } from './api'
import type { AnswerIn, AnswersOut, CheckAnswer, InspectionDetail } from './types'

/**
 * Quiet time before a batch goes: long enough that answering items one after another (a tap every second or
 * two) makes one request, short enough that little is lost if the phone dies.
 */
export const DEBOUNCE_MS = 1_500

/** Typing a long note keeps resetting the quiet time: whatever waits this long goes anyway. */
export const MAX_WAIT_MS = 6_000

/** The server takes notes of at most 2000 characters (server/hazards/schemas.py Note). */
export const NOTE_MAX = 2000

/**
 * - `none`: not answered yet (a note or photo may be there, waiting for 合格 / 不合格 / 不适用)
 * - `waiting`: changed, goes in the next batch
 * - `sending`: in the batch in flight
 * - `saved`: the server has exactly this
 * - `rejected`: the server refused it (`error` says why); sent again once it is changed
 * - `failed`: no answer from the server (or a server error); sent again with the next batch or on retry
 */
export type SaveState = 'none' | 'waiting' | 'sending' | 'saved' | 'rejected' | 'failed'

export interface ItemView {
  answer: CheckAnswer | null
  note: string
  /** Photos saved before this page opened (from the server); the inspector may remove them. */
  kept: readonly string[]
  /** Every photo the answer carries: kept ones, then those taken here that are up. */
  attachments: readonly string[]
  state: SaveState
  /** The server's reason for a refusal, or what went wrong with the request. */
  error: string | null
}

export type SendAnswers = (inspectionId: number, answers: AnswerIn[]) => Promise<AnswersOut>

interface Entry {
  answer: CheckAnswer | null
  note: string
  kept: string[]
  photos: string[]
  state: SaveState
  error: string | null
  /** Bumped on every change, so an answer to an older batch does not mark a newer answer saved. */
  version: number
}

interface Sent {
  key: string
  version: number
}

const BLANK: ItemView = { answer: null, note: '', kept: [], attachments: [], state: 'none', error: null }

/** The index an error field names, e.g. "answers[3].note" → 3; null for the whole batch. */
export function answerIndexOf(field: string | null): number | null {
  const match = field ? /^answers\[(\d+)\]/.exec(field) : null
  return match ? Number(match[1]) : null
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function attachmentsOf(entry: Pick<Entry, 'kept' | 'photos'>): string[] {
  return [...new Set([...entry.kept, ...entry.photos])].slice(0, MAX_PHOTOS)
}

export class AnswerBook {
  private readonly entries = new Map<string, Entry>()
  private readonly listeners = new Set<() => void>()
  private views: Readonly<Record<string, ItemView>> = {}
  private latest: InspectionDetail
  private timer: ReturnType<typeof setTimeout> | undefined
  /** When the oldest change that waits was made (for MAX_WAIT_MS). */
  private waitingSince: number | null = null
  private inFlight: Promise<void> | null = null
  /** The last batch got no answer: flush() stops rather than trying again at once. */
  private lastBatchFailed = false
  private closed = false

  constructor(
    inspection: InspectionDetail,
    private readonly send: SendAnswers = (id, answers) => sendAnswers(id, answers),
    /** Told when the server says the inspection was signed meanwhile (409): the page reads it again. */
    private readonly onCompleted: () => void = () => undefined,
  ) {
    this.latest = inspection
    for (const item of inspection.items) {
      this.entries.set(item.key, { answer: null, note: '', kept: [], photos: [], state: 'none', error: null, version: 0 })
    }
    for (const saved of inspection.answers) {
      const entry = this.entries.get(saved.key)
      if (!entry) continue
      Object.assign(entry, { answer: saved.answer, note: saved.note, kept: [...saved.attachments], state: 'saved' })
    }
    this.refresh(null)
  }

  /** The inspection as the server last described it (answered and failed counts, state). */
  get inspection(): InspectionDetail {
    return this.latest
  }

  get readOnly(): boolean {
    return this.latest.state === 'completed'
  }

  /** Every item's view by key; a new object after each change, unchanged items keep their view object. */
  get items(): Readonly<Record<string, ItemView>> {
    return this.views
  }

  item(key: string): ItemView {
    return this.views[key] ?? BLANK
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  setAnswer(key: string, answer: CheckAnswer): void {
    this.change(key, (e) => e.answer !== answer && ((e.answer = answer), true))
  }

  setNote(key: string, note: string): void {
    const text = note.slice(0, NOTE_MAX)
    this.change(key, (e) => e.note !== text && ((e.note = text), true))
  }

  /** The photos taken here for the item that are up (hazards/upload.ts hashesOf), in order. */
  setPhotos(key: string, hashes: readonly string[]): void {
    this.change(key, (e) => !sameList(e.photos, hashes) && ((e.photos = [...hashes]), true))
  }

  removeKept(key: string, sha256: string): void {
    this.change(key, (e) => e.kept.includes(sha256) && ((e.kept = e.kept.filter((s) => s !== sha256)), true))
  }

  /** Items that are not on the server as shown: waiting, sending, failed or refused. */
  unsaved(): string[] {
    return [...this.entries].flatMap(([key, e]) =>
      e.state === 'waiting' || e.state === 'sending' || e.state === 'failed' || e.state === 'rejected' ? [key] : [],
    )
  }

  /** Send again what got no answer (the page calls this when the network is back). */
  retry(): void {
    if (this.closed || this.readOnly) return
    if (![...this.entries.values()].some((e) => e.state === 'failed')) return
    this.lastBatchFailed = false
    void this.pump(true)
  }

  /**
   * Send everything that waits now, batch after batch, and resolve when nothing is waiting or in flight, or a
   * batch got no answer (then unsaved() says what is left). Called before signing and when the page closes.
   */
  async flush(): Promise<void> {
    this.stopTimer()
    this.lastBatchFailed = false
    let includeFailed = true
    // Each round sends at least one item or stops; a batch refused as a whole shrinks by one item per round.
    for (let round = 0; round <= this.entries.size + 1; round++) {
      if (this.inFlight) {
        await this.inFlight
        continue
      }
      if (this.lastBatchFailed || this.sendable(includeFailed).length === 0) return
      await this.pump(includeFailed)
      includeFailed = false
    }
  }

  /** The page is gone: no more timers; whatever waits is sent once. */
  close(): void {
    if (this.closed) return
    void this.flush().finally(() => {
      this.closed = true
      this.stopTimer()
    })
  }

  private change(key: string, apply: (entry: Entry) => boolean): void {
    const entry = this.entries.get(key)
    if (!entry || this.readOnly || !apply(entry)) return
    entry.version += 1
    entry.error = null
    entry.state = entry.answer === null ? 'none' : 'waiting'
    this.refresh(key)
    if (entry.state === 'waiting') this.schedule()
  }

  private schedule(): void {
    if (this.closed) return
    const now = Date.now()
    this.waitingSince ??= now
    if (this.inFlight) return // the batch's end schedules the next one
    this.stopTimer()
    const delay = Math.max(0, Math.min(DEBOUNCE_MS, this.waitingSince + MAX_WAIT_MS - now))
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.pump(true)
    }, delay)
  }

  private stopTimer(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private sendable(includeFailed: boolean): string[] {
    return [...this.entries].flatMap(([key, e]) =>
      e.answer !== null && (e.state === 'waiting' || (includeFailed && e.state === 'failed')) ? [key] : [],
    )
  }

  private pump(includeFailed: boolean): Promise<void> {
    if (this.inFlight || this.readOnly) return this.inFlight ?? Promise.resolve()
    const keys = this.sendable(includeFailed)
    if (keys.length === 0) return Promise.resolve()
    this.waitingSince = null
    const batch: Sent[] = keys.map((key) => ({ key, version: this.entries.get(key)?.version ?? 0 }))
    const bodies = keys.map((key) => this.bodyOf(key))
    for (const key of keys) this.mark(key, null, 'sending', null)
    this.refresh(...keys)
    this.inFlight = this.exchange(batch, bodies).finally(() => {
      this.inFlight = null
      if (this.sendable(false).length > 0) this.schedule()
    })
    return this.inFlight
  }

  private bodyOf(key: string): AnswerIn {
    const entry = this.entries.get(key) as Entry
    const body: AnswerIn = { key, answer: entry.answer as CheckAnswer }
    if (entry.note.trim()) body.note = entry.note
    const attachments = attachmentsOf(entry)
    if (attachments.length > 0) body.attachments = attachments
    return body
  }

  private async exchange(batch: Sent[], bodies: AnswerIn[]): Promise<void> {
    let out: AnswersOut
    try {
      out = await this.send(this.latest.id, bodies)
    } catch (error) {
      this.refused(batch, error)
      return
    }
    this.lastBatchFailed = false
    this.latest = out.inspection
    for (const result of out.results) {
      const sent = batch[result.index]
      if (!sent) continue
      if (result.status === 'saved') this.mark(sent.key, sent.version, 'saved', null)
      else this.mark(sent.key, sent.version, 'rejected', result.error ?? '')
    }
    // Anything the answer did not mention was not saved.
    const mentioned = new Set(out.results.map((r) => r.index))
    batch.forEach((sent, index) => {
      if (!mentioned.has(index)) this.mark(sent.key, sent.version, 'failed', null)
    })
    this.refresh(...batch.map((s) => s.key))
  }

  private refused(batch: Sent[], error: unknown): void {
    const keys = batch.map((s) => s.key)
    if (error instanceof ApiError && error.status === 409) {
      for (const sent of batch) this.mark(sent.key, sent.version, 'rejected', error.detail)
      this.refresh(...keys)
      this.onCompleted()
      return
    }
    const index = error instanceof ApiError && error.status === 400 ? answerIndexOf(error.field) : null
    if (error instanceof ApiError && index !== null && batch[index]) {
      // One bad answer made the server refuse the whole body: refuse that one, send the others again.
      batch.forEach((sent, i) => this.mark(sent.key, sent.version, i === index ? 'rejected' : 'waiting', i === index ? error.detail : null))
      this.refresh(...keys)
      return
    }
    const transient = error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)
    if (transient) this.lastBatchFailed = true
    const text = error instanceof ApiError ? error.detail : error instanceof NetworkError ? null : String(error)
    for (const sent of batch) this.mark(sent.key, sent.version, transient ? 'failed' : 'rejected', text)
    this.refresh(...keys)
  }

  /** Set an item's state, unless it changed since `version` was sent (null: whatever its version). */
  private mark(key: string, version: number | null, state: SaveState, error: string | null): void {
    const entry = this.entries.get(key)
    if (!entry || (version !== null && entry.version !== version)) return
    entry.state = state
    entry.error = error
  }

  private refresh(...keys: (string | null)[]): void {
    const next: Record<string, ItemView> = { ...this.views }
    const all = keys.length === 0 || keys.includes(null)
    for (const [key, e] of this.entries) {
      if (!all && !keys.includes(key)) continue
      next[key] = { answer: e.answer, note: e.note, kept: e.kept, attachments: attachmentsOf(e), state: e.state, error: e.error }
    }
    this.views = next
    for (const fn of this.listeners) fn()
  }
}
