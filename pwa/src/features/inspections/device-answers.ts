// An inspection's answers kept on the device. Each answering act (a tap on 合格 / 不合格 / 不适用, a note, a
// photo) is a `checklist_answer` mutation in the outbox at once (sync/writes.ts), with the item's whole answer;
// the page shows the inspection as this device has it (sync/overlay.ts), so an answer survives a reload or a
// dead phone the moment it is made, online or not, and the sync loop sends it when it can.
//
// Each item says where its answer is: saved on this device (waiting), on its way (sending), on the server
// (saved), or refused by the server with its words (rejected). Notes are written a moment after typing stops,
// and at once when the field is left or the inspection is signed.
import { MAX_PHOTOS } from '../photos/upload'
import type { LocalInspection } from '../sync/overlay'
import { answerItem, type InspectionRef } from '../sync/writes'
import type { CheckAnswer, ChecklistItem } from './types'

/** Quiet time after the last keystroke before a note is written: one mutation per pause, not per letter. */
export const NOTE_DEBOUNCE_MS = 700

/** The server takes notes of at most 2000 characters (server/hazards/schemas.py Note). */
export const NOTE_MAX = 2000

/**
 * - `none`: not answered yet
 * - `waiting`: saved on this device, waiting to sync
 * - `sending`: in the push under way
 * - `saved`: the server has it
 * - `rejected`: the server refused the newest answer (`error` says why); the server's answer, if any, is shown
 * - `failed`: the device could not store it (storage full or blocked)
 */
export type SaveState = 'none' | 'waiting' | 'sending' | 'saved' | 'rejected' | 'failed'

export interface ItemView {
  answer: CheckAnswer | null
  note: string
  /** Photos the answer carries (on the server, or kept on this device until they go up). */
  kept: readonly string[]
  attachments: readonly string[]
  state: SaveState
  error: string | null
}

const BLANK: ItemView = { answer: null, note: '', kept: [], attachments: [], state: 'none', error: null }

const STATE: Record<string, SaveState> = { synced: 'saved', device: 'waiting', sending: 'sending', rejected: 'rejected' }

/** Every item's view by key, from the inspection as this device has it. Pure. */
export function itemViews(detail: Pick<LocalInspection, 'items' | 'answers' | 'items_state'>): Record<string, ItemView> {
  const answers = new Map(detail.answers.map((a) => [a.key, a]))
  const views: Record<string, ItemView> = {}
  for (const item of detail.items) {
    const a = answers.get(item.key)
    const s = detail.items_state[item.key]
    const state = s ? (STATE[s.state] ?? 'none') : a ? 'saved' : 'none'
    views[item.key] = a
      ? { answer: a.answer, note: a.note, kept: a.attachments, attachments: a.attachments, state, error: s?.reason ?? null }
      : { ...BLANK, state: state === 'rejected' ? 'rejected' : 'none', error: s?.reason ?? null }
  }
  return views
}

/** Items that stop the signing: the server refused their answer (answered again, they go). */
export function refusedKeys(views: Readonly<Record<string, Pick<ItemView, 'state'>>>): string[] {
  return Object.entries(views).flatMap(([key, v]) => (v.state === 'rejected' ? [key] : []))
}

interface Intent {
  answer: CheckAnswer | null
  note: string
  attachments: string[]
  at: number
}

/** The user's last word on an item outranks the page's view until the view shows it, or this long at most. */
const INTENT_MS = 5 * 60_000

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * Writes the items' answers. Remembers the user's latest word on each item for a moment, so quick changes in a
 * row (不合格, then the note) build on each other before the page has read the first one back, and a note or
 * photo added before the answer goes with it.
 */
export class ChecklistWriter {
  private readonly intents = new Map<string, Intent>()
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly writes = new Set<Promise<unknown>>()

  constructor(
    private readonly inspection: InspectionRef,
    private readonly items: readonly ChecklistItem[],
    private readonly textOf: (item: ChecklistItem) => string,
    private readonly views: () => Readonly<Record<string, ItemView>>,
    private readonly onError: (key: string, error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private intent(key: string): Intent {
    const view = this.views()[key] ?? BLANK
    const held = this.intents.get(key)
    const caughtUp = held && held.answer === view.answer && held.note === view.note && same(held.attachments, view.attachments)
    if (held && !caughtUp && this.now() - held.at < INTENT_MS) return held
    this.intents.delete(key)
    return { answer: view.answer, note: view.note, attachments: [...view.attachments], at: this.now() }
  }

  private write(key: string, change: Partial<Omit<Intent, 'at'>>): Promise<unknown> {
    const next: Intent = { ...this.intent(key), ...change, at: this.now() }
    next.attachments = [...new Set(next.attachments)].slice(0, MAX_PHOTOS)
    next.note = next.note.slice(0, NOTE_MAX)
    this.intents.set(key, next)
    const item = this.items.find((i) => i.key === key)
    if (!next.answer || !item) return Promise.resolve() // kept until an answer is chosen
    const done = answerItem(this.inspection, key, this.textOf(item), {
      answer: next.answer,
      note: next.note.trim() ? next.note : '',
      attachments: next.attachments,
    }).catch((error: unknown) => this.onError(key, error))
    this.writes.add(done)
    void done.finally(() => this.writes.delete(done))
    return done
  }

  /** An answer chosen; `note` is the note as shown, when it is still being typed. */
  answer(key: string, answer: CheckAnswer, note?: string): Promise<unknown> {
    this.cancelNote(key)
    return this.write(key, { answer, note: note ?? this.intent(key).note })
  }

  /** A note as typed: written after NOTE_DEBOUNCE_MS of quiet (or at flush). */
  note(key: string, text: string): void {
    this.cancelNote(key)
    this.intents.set(key, { ...this.intent(key), note: text, at: this.now() })
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key)
        void this.write(key, {})
      }, NOTE_DEBOUNCE_MS),
    )
  }

  /** Photos ready (uploaded or kept on the device) to go with the item's answer. Answers whether they were written. */
  addPhotos(key: string, hashes: readonly string[]): Promise<boolean> {
    const intent = this.intent(key)
    return this.write(key, { attachments: [...intent.attachments, ...hashes] }).then(() => this.intent(key).answer !== null)
  }

  removePhoto(key: string, sha256: string): Promise<unknown> {
    return this.write(key, { attachments: this.intent(key).attachments.filter((s) => s !== sha256) })
  }

  /** Write every note still waiting for its quiet time, and wait for every write under way. */
  async flush(): Promise<void> {
    for (const key of [...this.timers.keys()]) {
      this.cancelNote(key)
      void this.write(key, {})
    }
    await Promise.all([...this.writes])
  }

  private cancelNote(key: string): void {
    clearTimeout(this.timers.get(key))
    this.timers.delete(key)
  }
}
