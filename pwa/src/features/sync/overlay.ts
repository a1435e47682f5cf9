// The local view of a record: the record as the last pull brought it, with this user's mutations the server has
// not answered yet (or has taken, before the pull brings them back) laid on top, oldest first. What the user did
// offline shows at once, and after a reload. Pure.
//
// - A hazard move shows as its target state, with an event at the end of the thread marked pending; a move the
//   state shown does not allow (someone moved the hazard meanwhile) is left out: the server will refuse it.
// - A comment is appended at the end of the thread, marked pending.
// - An edit sets its fields.
// - A checklist answer replaces the item's answer; per item the newest stamp (HLC) wins. An item whose newest
//   answer was rejected keeps the answer the server has and says why.
// - Signing shows the inspection completed, marked pending.
// Rejected mutations change nothing: they are listed for the user to read and dismiss.
import { SEVERITY_DUE_S } from '../hazards/model'
import type { HazardDetail, HazardEvent, HazardState, Severity, TransitionTarget } from '../hazards/types'
import { MOVES } from '../hazards/workflow'
import type { CheckAnswer, InspectionDetail, SavedAnswer } from '../inspections/types'
import type { OutboxEntry } from './records'

export interface LocalEvent extends HazardEvent {
  /** Made on this device, not yet on the server. */
  pending?: boolean
}

export interface LocalHazard extends HazardDetail {
  entity_id: string
  events: LocalEvent[]
  /** Changes made on this device that the server has not answered yet. */
  pending: number
  /** Fields shown as changed here and not yet on the server. */
  pendingFields: string[]
}

export type AnswerState = 'synced' | 'device' | 'sending' | 'rejected'

export interface ItemState {
  state: AnswerState
  /** The server's words when it refused the item's newest answer. */
  reason: string | null
}

/** A hazard this device made of a failed item when the inspection was signed (inspections/findings.ts). */
export interface LocalFinding {
  entity_id: string
  item: string
  title: string
  /** Not on the server yet (待同步). */
  pending: boolean
}

export interface LocalInspection extends InspectionDetail {
  entity_id: string
  items_state: Record<string, ItemState>
  pending: number
  /** Signed on this device and not yet on the server. */
  sign_pending: boolean
  /** The server refused the signing: its words. */
  sign_rejected: string | null
  /** Started on this device and not yet on the server. */
  start_pending: boolean
  /** The unit signed the rectification notice on this device, not yet on the server. */
  unit_sign_pending: boolean
  /** The hazards this device made of its failed items, until a pull brings the server's. */
  local_hazards: LocalFinding[]
}

/** What a record is as the overlay needs it. */
export interface BaseRecord {
  entity_id: string
  fields: Record<string, unknown>
}

type Entry = Pick<OutboxEntry, 'seq' | 'mutation' | 'status' | 'reason' | 'created_at' | 'about'>

const waiting = (e: Entry) => e.status === 'pending' || e.status === 'sending'

/** Laid on top: not refused, and not held back by a page waiting for the server's answer to it. */
function shown(e: Entry, hidden: ReadonlySet<string>): boolean {
  return e.status !== 'rejected' && !hidden.has(e.mutation.mutation_id)
}

/** The hazard an entry is about, by entity id. */
export function hazardOf(e: Pick<Entry, 'mutation'>): string | null {
  const m = e.mutation
  if (m.entity === 'hazard') return m.entity_id
  if (m.entity === 'hazard_comment' && typeof m.fields.hazard_id === 'string') return m.fields.hazard_id
  return null
}

/** The inspection an entry is about, by entity id. */
export function inspectionOf(e: Pick<Entry, 'mutation'>): string | null {
  const m = e.mutation
  if (m.entity === 'inspection') return m.entity_id
  const byField = m.entity === 'checklist_answer' || (m.entity === 'hazard' && m.op === 'create')
  if (byField && typeof m.fields.inspection_id === 'string') return m.fields.inspection_id
  return null
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const hashes = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
const seconds = (e: Entry) => Math.floor(e.created_at / 1000)

function eventOf(e: Entry, kind: string, state: string, note: string): LocalEvent {
  return {
    id: -(e.seq ?? 0),
    ts: seconds(e),
    kind,
    state,
    note,
    actor: e.about.actor ?? null,
    actor_role: e.about.actor_role ?? null,
    attachments: hashes(e.mutation.fields.attachments),
    pending: waiting(e),
  }
}

/** A hazard reported on this device, before the server has it. */
function fromCreate(e: Entry): LocalHazard {
  const f = e.mutation.fields
  const severity: Severity = f.severity === 'major' ? 'major' : 'general'
  const assigneeId = num(f.assignee_id)
  const state: HazardState = assigneeId === null ? 'open' : 'assigned'
  const at = seconds(e)
  const created = eventOf(e, 'created', 'open', str(f.description))
  const events: LocalEvent[] = [{ ...created, attachments: hashes(f.attachments) }]
  if (assigneeId !== null) events.push({ ...eventOf(e, 'assigned', 'assigned', ''), id: created.id - 0.5, attachments: [] })
  return {
    id: 0,
    entity_id: e.mutation.entity_id,
    site_id: num(f.site_id) ?? 0,
    site_name: e.about.site_name ?? '',
    title: str(f.title),
    description: str(f.description),
    severity,
    source: 'inspection',
    alarm_id: null,
    commissioning_id: null,
    state,
    overdue: false,
    assignee_id: assigneeId,
    assignee: e.about.assignee ?? null,
    due_at: num(f.due) ?? at + (SEVERITY_DUE_S[severity] ?? SEVERITY_DUE_S.general),
    created_by: e.about.actor ?? null,
    created_at: at,
    updated_at: at,
    rectified_by: null,
    rectified_at: null,
    verified_by: null,
    verified_at: null,
    closed_at: null,
    events,
    pending: 0,
    pendingFields: [],
  }
}

function allows(state: string, to: TransitionTarget): boolean {
  return (MOVES[state as HazardState] ?? []).some((m) => m.target === to)
}

function move(h: LocalHazard, e: Entry): void {
  const f = e.mutation.fields
  const to = str(f.to) as TransitionTarget
  if (!allows(h.state, to)) return
  const at = seconds(e)
  const state: HazardState = to === 'rejected' ? 'assigned' : to
  h.state = state
  h.updated_at = at
  if (to === 'assigned') {
    const assignee = num(f.assignee_id)
    if (assignee !== null) h.assignee_id = assignee
    if (e.about.assignee !== undefined) h.assignee = e.about.assignee
    h.due_at = num(f.due) ?? (h.due_at > at ? h.due_at : at + (SEVERITY_DUE_S[h.severity] ?? SEVERITY_DUE_S.general))
  } else if (to === 'rectified') {
    h.rectified_by = e.about.actor ?? null
    h.rectified_at = at
  } else if (to === 'verified') {
    h.verified_by = e.about.actor ?? null
    h.verified_at = at
  } else if (to === 'closed') {
    h.closed_at = at
  }
  h.overdue = false
  h.events.push(eventOf(e, to, state, str(f.note)))
  if (waiting(e) && !h.pendingFields.includes('state')) h.pendingFields.push('state')
}

const EDITABLE = ['title', 'description', 'severity'] as const

/**
 * The hazard with `entityId` as this device shows it: the pulled record (or the report made here) with the
 * user's entries on top; null when neither exists. `hidden`: mutations a page is waiting on the server for.
 */
export function localHazard(
  record: BaseRecord | undefined,
  entityId: string,
  entries: readonly Entry[],
  hidden: ReadonlySet<string> = new Set(),
): LocalHazard | null {
  const mine = entries.filter((e) => hazardOf(e) === entityId && shown(e, hidden))
  const create = mine.find((e) => e.mutation.entity === 'hazard' && e.mutation.op === 'create')
  let h: LocalHazard
  if (record) {
    const fields = record.fields as unknown as HazardDetail
    h = { ...fields, entity_id: record.entity_id, events: [...(fields.events ?? [])], pending: 0, pendingFields: [] }
  } else if (create) h = fromCreate(create)
  else return null
  for (const e of mine) {
    const m = e.mutation
    if (waiting(e)) h.pending++
    if (m.entity === 'hazard_comment') h.events.push(eventOf(e, 'comment', h.state, str(m.fields.text)))
    else if (m.op === 'transition') move(h, e)
    else if (m.op === 'update') {
      for (const name of EDITABLE) {
        if (!(name in m.fields)) continue
        if (name === 'severity') h.severity = str(m.fields.severity, h.severity) as Severity
        else h[name] = str(m.fields[name], h[name])
        if (waiting(e) && !h.pendingFields.includes(name)) h.pendingFields.push(name)
      }
    }
  }
  if (!record && create) h.pending = Math.max(h.pending, waiting(create) ? 1 : 0)
  return h
}

/** Every hazard this device shows: the pulled ones and those reported here that the server does not have yet. */
export function localHazards(records: readonly BaseRecord[], entries: readonly Entry[], hidden: ReadonlySet<string> = new Set()): LocalHazard[] {
  const byTarget = new Map<string, Entry[]>()
  for (const e of entries) {
    const target = hazardOf(e)
    if (target === null) continue
    const list = byTarget.get(target) ?? []
    list.push(e)
    byTarget.set(target, list)
  }
  const list: LocalHazard[] = []
  const known = new Set<string>()
  for (const r of records) {
    known.add(r.entity_id)
    const h = localHazard(r, r.entity_id, byTarget.get(r.entity_id) ?? [], hidden)
    if (h) list.push(h)
  }
  for (const [target, mine] of byTarget) {
    if (known.has(target)) continue
    const h = localHazard(undefined, target, mine, hidden)
    if (h) list.push(h)
  }
  return list
}

function answerState(e: Entry): AnswerState {
  if (e.status === 'sending') return 'sending'
  if (e.status === 'acked') return 'synced'
  return 'device'
}

/** An inspection started on this device, before the server has it: the checklist it was started with. */
function fromStart(e: Entry): InspectionDetail | null {
  const checklist = e.about.checklist
  if (!checklist) return null
  return {
    id: 0,
    site_id: num(e.mutation.fields.site_id) ?? 0,
    site_name: e.about.site_name ?? '',
    template_id: checklist.template_id,
    template_version: checklist.template_version,
    title: checklist.title,
    state: 'in_progress',
    inspector: e.about.actor ?? '',
    started_at: seconds(e),
    completed_at: null,
    signed_by: null,
    answered: 0,
    total: checklist.items.length,
    failed: 0,
    summary: '',
    items: checklist.items,
    answers: [],
    hazard_ids: [],
  }
}

/** The inspection as this device shows it: pulled, or started here; null when neither. */
export function localInspection(
  record: BaseRecord | undefined,
  entries: readonly Entry[],
  hidden: ReadonlySet<string> = new Set(),
  entityId: string | undefined = record?.entity_id,
): LocalInspection | null {
  const start = record ? undefined : entries.find((e) => e.mutation.entity === 'inspection' && e.mutation.op === 'create' && e.mutation.entity_id === entityId)
  const fields = record ? (record.fields as unknown as InspectionDetail) : start && fromStart(start)
  if (!fields || entityId === undefined) return null
  const mine = entries.filter((e) => inspectionOf(e) === entityId)
  const answers = new Map<string, SavedAnswer>(fields.answers.map((a) => [a.key, a]))
  const states: Record<string, ItemState> = {}
  for (const a of fields.answers) states[a.key] = { state: 'synced', reason: null }
  const view: LocalInspection = {
    ...fields,
    entity_id: entityId,
    items_state: states,
    pending: mine.filter(waiting).length,
    sign_pending: false,
    sign_rejected: null,
    start_pending: start !== undefined && waiting(start),
    unit_sign_pending: false,
    local_hazards: [],
  }
  const byStamp = mine.filter((e) => e.mutation.entity === 'checklist_answer').sort((a, b) => (a.mutation.hlc < b.mutation.hlc ? -1 : 1))
  for (const e of byStamp) {
    const f = e.mutation.fields
    const key = str(f.key)
    if (e.status === 'rejected') {
      states[key] = { state: 'rejected', reason: e.reason }
      continue
    }
    if (hidden.has(e.mutation.mutation_id)) continue
    answers.set(key, {
      key,
      answer: str(f.answer) as CheckAnswer,
      note: str(f.note),
      attachments: hashes(f.attachments),
      answered_at: seconds(e),
      answered_by: e.about.actor ?? null,
    })
    states[key] = { state: answerState(e), reason: null }
  }
  const order = new Map(fields.items.map((item, i) => [item.key, i]))
  view.answers = [...answers.values()].sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0))
  view.answered = view.answers.length
  view.failed = view.answers.filter((a) => a.answer === 'fail').length
  for (const e of mine) {
    const f = e.mutation.fields
    if (e.mutation.entity === 'hazard' && e.status !== 'rejected' && !hidden.has(e.mutation.mutation_id)) {
      view.local_hazards.push({ entity_id: e.mutation.entity_id, item: str(f.item), title: str(f.title), pending: waiting(e) })
      continue
    }
    if (e.mutation.entity !== 'inspection' || e.mutation.op !== 'transition') continue
    if (f.to === 'acknowledged') {
      if (e.status === 'rejected' || hidden.has(e.mutation.mutation_id) || view.unit_signed_by) continue
      view.unit_signed_by = str(f.signed_by)
      view.unit_signed_at = seconds(e)
      view.unit_signature = typeof f.signature === 'string' && f.signature ? f.signature : null
      view.unit_sign_pending = waiting(e)
      continue
    }
    if (e.status === 'rejected') {
      view.sign_rejected = e.reason ?? '—'
      continue
    }
    if (hidden.has(e.mutation.mutation_id) || view.state === 'completed') continue
    view.sign_rejected = null
    view.state = 'completed'
    view.signed_by = str(e.mutation.fields.signed_by)
    view.summary = str(e.mutation.fields.summary)
    view.completed_at = seconds(e)
    view.sign_pending = waiting(e)
  }
  return view
}
