// The user's changes as mutations (docs/sync.md, the table of entities and ops): what each screen writes, with
// what the pages and the refused list need to show it (`about`). Each goes through the outbox.
import type { HazardCreate, HazardDetail, Severity, TransitionBody } from '../hazards/types'
import type { CheckAnswer } from '../inspections/types'
import { enqueue } from './outbox'
import type { OutboxEntry } from './records'
import { uuidv7 } from './uuid'

/** A hazard as the pages hold it: the server's shape and the id sync knows it by. */
export type HazardRef = Pick<HazardDetail, 'id' | 'title' | 'site_id' | 'site_name'> & { entity_id: string }

export interface InspectionRef {
  entity_id: string
  id: number
  title: string
}

function aboutHazard(h: HazardRef) {
  return { title: h.title, server_id: h.id > 0 ? h.id : null, site_id: h.site_id, site_name: h.site_name }
}

/** Report a hazard: its id is made here, so its page opens at once (/hazards/{entity_id}), online or not. */
export async function reportHazard(body: HazardCreate, names: { site_name: string; assignee: string | null }): Promise<OutboxEntry> {
  const fields: Record<string, unknown> = { ...body }
  return enqueue({
    entity: 'hazard',
    entity_id: uuidv7(),
    op: 'create',
    fields,
    about: { title: body.title, site_id: body.site_id, site_name: names.site_name, assignee: names.assignee },
  })
}

/** A move (assign, rectify, verify, reject, close); the server checks it against the state it has then. */
export function moveHazard(h: HazardRef, body: TransitionBody, assignee?: string | null, mutationId?: string): Promise<OutboxEntry> {
  return enqueue({
    ...(mutationId ? { mutation_id: mutationId } : {}),
    entity: 'hazard',
    entity_id: h.entity_id,
    op: 'transition',
    fields: { ...body },
    about: { ...aboutHazard(h), ...(assignee === undefined ? {} : { assignee }) },
  })
}

export function commentOnHazard(h: HazardRef, text: string, attachments: readonly string[], mutationId?: string): Promise<OutboxEntry> {
  return enqueue({
    ...(mutationId ? { mutation_id: mutationId } : {}),
    entity: 'hazard_comment',
    entity_id: uuidv7(),
    op: 'append',
    fields: { hazard_id: h.entity_id, text, attachments: [...attachments] },
    about: aboutHazard(h),
  })
}

export type HazardEdit = Partial<{ title: string; description: string; severity: Severity }>

/** Only the fields that changed: per field the newest stamp wins, so an unchanged field must not be sent. */
export function editHazard(h: HazardRef, changes: HazardEdit, mutationId?: string): Promise<OutboxEntry> {
  return enqueue({
    ...(mutationId ? { mutation_id: mutationId } : {}),
    entity: 'hazard',
    entity_id: h.entity_id,
    op: 'update',
    fields: { ...changes },
    about: aboutHazard(h),
  })
}

export interface AnswerWrite {
  answer: CheckAnswer
  note: string
  attachments: readonly string[]
}

/**
 * One answering act on one item: a new entity id each time (the server keeps, per item, the answer with the
 * newest stamp). An earlier answer to the same item still waiting on this device is replaced, not sent.
 */
export function answerItem(insp: InspectionRef, key: string, itemText: string, a: AnswerWrite): Promise<OutboxEntry> {
  return enqueue({
    entity: 'checklist_answer',
    entity_id: uuidv7(),
    op: 'append',
    fields: { inspection_id: insp.entity_id, key, answer: a.answer, note: a.note, attachments: [...a.attachments] },
    about: { title: insp.title, server_id: insp.id, item: itemText },
    supersedes: (e) =>
      e.mutation.entity === 'checklist_answer' && e.mutation.fields.inspection_id === insp.entity_id && e.mutation.fields.key === key,
  })
}

/** Sign it: the server checks that every item has an answer, and makes a hazard of each failed one. */
export function signInspection(insp: InspectionRef, signedBy: string, summary: string, mutationId?: string): Promise<OutboxEntry> {
  return enqueue({
    ...(mutationId ? { mutation_id: mutationId } : {}),
    entity: 'inspection',
    entity_id: insp.entity_id,
    op: 'transition',
    fields: { to: 'completed', signed_by: signedBy, summary },
    about: { title: insp.title, server_id: insp.id },
  })
}

/**
 * The unit's representative signed the inspection's rectification notice on this device: their name and the
 * sha256 of the signature they drew (kept on the device; the sync uploads it before this, like a photo).
 */
export function acknowledgeNotice(insp: InspectionRef, signedBy: string, signature: string): Promise<OutboxEntry> {
  return enqueue({
    entity: 'inspection',
    entity_id: insp.entity_id,
    op: 'transition',
    fields: { to: 'acknowledged', signed_by: signedBy, signature },
    about: { title: insp.title, server_id: insp.id },
  })
}
