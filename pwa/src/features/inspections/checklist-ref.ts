// Checklists by reference (docs/sync.md "Pull"): a pulled inspection names the checklist copy it was started with
// (`checklist`, the entity id of a `checklist` record the pull sends once) instead of carrying its items. The
// device keeps the copies with the other pulled records and puts the items back when it shows or edits an
// inspection, so the screens read an inspection as GET /api/v1/inspections/{id} answers it. A copy never changes
// (a template edited later is a new copy), so an older inspection keeps the words it was started with.
import type { SyncedRecord } from '../sync/records'
import type { Bilingual, ChecklistItem } from './types'

/** A `checklist` record as the pull brings it. */
export interface ChecklistCopy {
  template_id: string
  template_version: number
  title: Bilingual
  items: ChecklistItem[]
}

/** The copy a pulled inspection names, or null when it carries its items (records pulled before copies existed). */
export function checklistRef(record: Pick<SyncedRecord, 'fields'>): string | null {
  const { items, checklist } = record.fields
  if (Array.isArray(items)) return null
  return typeof checklist === 'string' && checklist !== '' ? checklist : null
}

/**
 * The inspection with its items: those it carries, else its copy's. A copy the device does not have (yet: a pull
 * cut short between pages) leaves the items empty and says so in `checklist_missing`, never an error.
 */
export function withItems(record: SyncedRecord, copy: Pick<SyncedRecord, 'fields'> | undefined): SyncedRecord {
  const ref = checklistRef(record)
  if (ref === null) return record
  const items = copy?.fields.items
  const found = Array.isArray(items)
  return { ...record, fields: { ...record.fields, items: found ? (items as ChecklistItem[]) : [], checklist_missing: !found } }
}
