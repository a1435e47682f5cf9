// What the screens read: hazards and inspections as this device shows them (overlay.ts on the records the last
// pull brought and the user's outbox). A route names a record by the server's number (/hazards/12, the links in
// messages) or by the id it was made with on a device (/hazards/019a…, a report made offline).
import { findRecordByServerId, loadMeta, loadRecord, loadRecords, loadSiteRecords } from '../../platform/db'
import { getSession } from '../../platform/session'
import { checklistRef, withItems } from '../inspections/checklist-ref'
import { myOutbox } from './outbox'
import { localHazard, localHazards, localInspection, type LocalHazard, type LocalInspection } from './overlay'
import { type SyncedRecord } from './records'

async function findRecord(entity: string, ref: string): Promise<SyncedRecord | undefined> {
  if (/^\d+$/.test(ref)) return (await findRecordByServerId(entity, Number(ref))) ?? loadRecord(entity, ref)
  return loadRecord(entity, ref)
}

/** Pulled inspections with their items, from the checklist copies they name (inspections/checklist-ref.ts). */
async function withChecklists(records: readonly SyncedRecord[]): Promise<SyncedRecord[]> {
  const refs = [...new Set(records.flatMap((r) => checklistRef(r) ?? []))]
  const copies = new Map(await Promise.all(refs.map(async (ref) => [ref, await loadRecord('checklist', ref)] as const)))
  return records.map((r) => {
    const ref = checklistRef(r)
    return ref === null ? r : withItems(r, copies.get(ref))
  })
}

/** Has a pull reached the end for the signed-in user: is "not here" an answer, or only "not yet"? */
export async function hasPulled(): Promise<boolean> {
  const pull = await loadMeta('pull')
  return pull !== undefined && pull.user_id === getSession()?.user.id && pull.synced_at !== null
}

/** When the last pull for the signed-in user reached the end. */
export async function lastSyncedAt(): Promise<number | null> {
  const pull = await loadMeta('pull')
  return pull && pull.user_id === getSession()?.user.id ? pull.synced_at : null
}

export async function readHazard(ref: string, hidden: ReadonlySet<string>): Promise<LocalHazard | null> {
  const [record, entries] = await Promise.all([findRecord('hazard', ref), myOutbox()])
  return localHazard(record, record?.entity_id ?? ref, entries, hidden)
}

/** Every hazard on the device, or one site's (with this device's reports of other sites left to the caller). */
export async function readHazards(hidden: ReadonlySet<string> = new Set(), siteId?: number): Promise<LocalHazard[]> {
  const records = siteId === undefined ? loadRecords('hazard') : loadSiteRecords('hazard', siteId)
  const [pulled, entries] = await Promise.all([records, myOutbox()])
  return localHazards(pulled, entries, hidden)
}

export async function readInspection(ref: string, hidden: ReadonlySet<string>): Promise<LocalInspection | null> {
  const [found, entries] = await Promise.all([findRecord('inspection', ref), myOutbox()])
  const [record] = found ? await withChecklists([found]) : [undefined]
  return localInspection(record, entries, hidden, record?.entity_id ?? ref)
}

/** A site's inspections as last pulled or started on this device, with its answers and signatures on top. */
export async function readInspections(siteId: number): Promise<LocalInspection[]> {
  const [found, entries] = await Promise.all([loadSiteRecords('inspection', siteId), myOutbox()])
  const records = await withChecklists(found)
  const pulled = new Set(records.map((r) => r.entity_id))
  const started = entries.filter(
    (e) => e.mutation.entity === 'inspection' && e.mutation.op === 'create' && e.mutation.fields.site_id === siteId && !pulled.has(e.mutation.entity_id),
  )
  return [
    ...records.map((r) => localInspection(r, entries)),
    ...started.map((e) => localInspection(undefined, entries, new Set(), e.mutation.entity_id)),
  ].flatMap((view) => (view ? [view] : []))
}
