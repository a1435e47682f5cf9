// The only module that knows the IndexedDB schema. Everything the app keeps on the device goes through here.
//
// Stores (database "andian"):
//   session       key "current"      → SessionRecord (bearer token, its expiry, the signed-in user)       v1
//   site_list     key "all"          → SiteListRecord (GET /api/v1/sites as last fetched, with the time)   v1
//   site_details  keyPath "id"       → SiteDetailRecord (GET /api/v1/sites/{id} as last fetched)          v1
//   site_alarms   keyPath "site_id"  → SiteAlarmsRecord (a site's alarm list as last known: the last read
//                                      of GET /api/v1/alarms with the live events since merged in)         v2
//   records       keyPath "key"      → SyncedRecord (a hazard, inspection or checklist copy as the last sync
//                                      pull brought it), indexes by_entity and by_server_id [entity, server_id] v3
//   outbox        keyPath "seq" (auto-increment, so the order of writing) → OutboxEntry (one mutation with
//                                      its state and the server's reason), index by_mutation_id (unique)    v3
//   photos        keyPath "sha256"   → PhotoRecord (a photo's bytes until the sync loop has uploaded them)  v3
//   sync_meta     key "client" | "clock" | "pull" → this device's client id, its clock's last stamp, and the
//                                      signed-in user's pull cursor with the time of the last full sync    v3
//   drafts        keyPath "key"      → DraftRecord (a form kept as it is typed: a commissioning's acceptance
//                                      checklist, with the commissioning as last read)                      v3
//   records       index by_site [entity, fields.site_id] (a site page reads its own records, not all)     v4
//   checklists    keyPath "id"      → ChecklistTemplate (the inspection checklists as last fetched, so an
//                                      inspection can start offline with the site's venue type's checklist)  v5
//
// The signed-in user's synced copies (records, the pull cursor) go with the session. Their own unsent work
// (outbox, photos, drafts) stays when a session merely expires, tagged with their user id, and is sent when they
// sign in again; it goes only when they sign out on purpose (after being told how much would be lost).
//
// A new version adds a branch to upgrade(); never change what an existing branch does.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
// The values the stores hold are the features' own shapes (types only: nothing here runs feature code).
import type { Alarm } from '../features/alarms/types'
import type { DraftRecord } from '../features/devices/types'
import type { ChecklistTemplate } from '../features/inspections/types'
import type { PhotoRecord } from '../features/photos/types'
import type { Site, SiteDetail } from '../features/sites/types'
import type { ClientRecord, OutboxEntry, PullRecord, SyncedRecord } from '../features/sync/records'
import type { Change, OutboxStatus } from '../features/sync/types'
import type { User } from './wire'

export const DB_NAME = 'andian'
export const DB_VERSION = 5

export interface SessionRecord {
  token: string
  /** Unix seconds, as the server sent it. */
  expires_at: number
  user: User
}

export interface SiteListRecord {
  sites: Site[]
  /** Milliseconds since the epoch (Date.now()) when the list came from the server. */
  fetchedAt: number
}

export interface SiteDetailRecord {
  id: number
  site: SiteDetail
  fetchedAt: number
}

export interface SiteAlarmsRecord {
  site_id: number
  /** Active ones and those cleared recently, as the page shows them. */
  alarms: Alarm[]
  fetchedAt: number
}

interface MetaValues {
  client: ClientRecord
  clock: string
  pull: PullRecord
}

interface AndianDB extends DBSchema {
  session: { key: string; value: SessionRecord }
  site_list: { key: string; value: SiteListRecord }
  site_details: { key: number; value: SiteDetailRecord }
  site_alarms: { key: number; value: SiteAlarmsRecord }
  records: {
    key: string
    value: SyncedRecord
    indexes: { by_entity: string; by_server_id: [string, number]; by_site: [string, number] }
  }
  outbox: { key: number; value: OutboxEntry; indexes: { by_mutation_id: string } }
  photos: { key: string; value: PhotoRecord }
  sync_meta: { key: string; value: MetaValues[keyof MetaValues] }
  drafts: { key: string; value: DraftRecord }
  checklists: { key: string; value: ChecklistTemplate }
}

// Every store that holds data fetched for the signed-in user: cleared with the session.
const USER_DATA = ['session', 'site_list', 'site_details', 'site_alarms', 'records', 'checklists'] as const

// The user's own work not yet on the server: kept when a session expires, dropped on a deliberate sign-out.
const USER_WORK = ['outbox', 'photos', 'drafts'] as const

const SESSION_KEY = 'current'
const SITE_LIST_KEY = 'all'

let dbPromise: Promise<IDBPDatabase<AndianDB>> | undefined

function db(): Promise<IDBPDatabase<AndianDB>> {
  dbPromise ??= openDB<AndianDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore('session')
        database.createObjectStore('site_list')
        database.createObjectStore('site_details', { keyPath: 'id' })
      }
      if (oldVersion < 2) {
        database.createObjectStore('site_alarms', { keyPath: 'site_id' })
      }
      if (oldVersion < 3) {
        const records = database.createObjectStore('records', { keyPath: 'key' })
        records.createIndex('by_entity', 'entity')
        records.createIndex('by_server_id', ['entity', 'server_id'])
        const outbox = database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
        outbox.createIndex('by_mutation_id', 'mutation.mutation_id', { unique: true })
        database.createObjectStore('photos', { keyPath: 'sha256' })
        database.createObjectStore('sync_meta')
        database.createObjectStore('drafts', { keyPath: 'key' })
      }
      if (oldVersion < 4) {
        transaction.objectStore('records').createIndex('by_site', ['entity', 'fields.site_id'])
      }
      if (oldVersion < 5) {
        database.createObjectStore('checklists', { keyPath: 'id' })
      }
    },
    // Another tab opened a newer version: let it upgrade, reopen on next use.
    blocking() {
      void closeDb()
    },
  })
  return dbPromise
}

/** Close the connection (tests, or when a newer version of the app needs to upgrade). */
export async function closeDb(): Promise<void> {
  const pending = dbPromise
  dbPromise = undefined
  if (pending) (await pending).close()
}

export async function saveSession(session: SessionRecord): Promise<void> {
  await (await db()).put('session', session, SESSION_KEY)
}

export async function loadSession(): Promise<SessionRecord | undefined> {
  return (await db()).get('session', SESSION_KEY)
}

/**
 * Forget the session and everything fetched with it, in one transaction, so the next person to sign in
 * on this device never sees the previous user's sites. The user's unsent work stays (a session that expired is
 * not a decision to throw it away), unless `discardWorkOf` names them: they signed out knowing it would go.
 */
export async function clearSession(options: { discardWorkOf?: number } = {}): Promise<void> {
  const tx = (await db()).transaction([...USER_DATA, ...USER_WORK, 'sync_meta'], 'readwrite')
  const work: Promise<unknown>[] = []
  const owner = options.discardWorkOf
  if (owner !== undefined) {
    for (const name of USER_WORK) {
      work.push(
        (async () => {
          let cursor = await tx.objectStore(name).openCursor()
          while (cursor) {
            if (cursor.value.user_id === owner) await cursor.delete()
            cursor = await cursor.continue()
          }
        })(),
      )
    }
  }
  await Promise.all([
    ...USER_DATA.map((name) => tx.objectStore(name).clear()),
    tx.objectStore('sync_meta').delete('pull'),
    ...work,
    tx.done,
  ])
}

export async function saveSiteList(sites: Site[], fetchedAt: number = Date.now()): Promise<void> {
  await (await db()).put('site_list', { sites, fetchedAt }, SITE_LIST_KEY)
}

export async function loadSiteList(): Promise<SiteListRecord | undefined> {
  return (await db()).get('site_list', SITE_LIST_KEY)
}

export async function saveSiteDetail(site: SiteDetail, fetchedAt: number = Date.now()): Promise<void> {
  await (await db()).put('site_details', { id: site.id, site, fetchedAt })
}

export async function loadSiteDetail(id: number): Promise<SiteDetailRecord | undefined> {
  return (await db()).get('site_details', id)
}

/** The server no longer shows this site to the user (404): drop the copies too. */
export async function deleteSiteDetail(id: number): Promise<void> {
  const tx = (await db()).transaction(['site_details', 'site_alarms'], 'readwrite')
  await Promise.all([tx.objectStore('site_details').delete(id), tx.objectStore('site_alarms').delete(id), tx.done])
}

export async function saveSiteAlarms(siteId: number, alarms: Alarm[], fetchedAt: number = Date.now()): Promise<void> {
  await (await db()).put('site_alarms', { site_id: siteId, alarms, fetchedAt })
}

export async function loadSiteAlarms(siteId: number): Promise<SiteAlarmsRecord | undefined> {
  return (await db()).get('site_alarms', siteId)
}

/** One alarm from whichever saved site list holds it (an alarm link opened offline), with that list's age. */
export async function findSavedAlarm(alarmId: number): Promise<{ alarm: Alarm; fetchedAt: number } | undefined> {
  for (const record of await (await db()).getAll('site_alarms')) {
    const alarm = record.alarms.find((a) => a.id === alarmId)
    if (alarm) return { alarm, fetchedAt: record.fetchedAt }
  }
  return undefined
}

// ---- Sync: records as pulled ----

export function recordKey(entity: string, entityId: string): string {
  return `${entity}/${entityId}`
}

function serverIdOf(fields: Record<string, unknown>): number | null {
  return typeof fields.id === 'number' && Number.isInteger(fields.id) ? fields.id : null
}

/** One page of a pull and the cursor after it, in one transaction: a tombstone drops the record. */
export async function savePulled(changes: readonly Change[], pull: PullRecord): Promise<void> {
  const tx = (await db()).transaction(['records', 'sync_meta'], 'readwrite')
  const records = tx.objectStore('records')
  const writes: Promise<unknown>[] = changes.map((c) => {
    const key = recordKey(c.entity, c.entity_id)
    if (c.deleted) return records.delete(key)
    return records.put({ key, entity: c.entity, entity_id: c.entity_id, server_id: serverIdOf(c.fields), version: c.version, fields: c.fields })
  })
  await Promise.all([...writes, tx.objectStore('sync_meta').put(pull, 'pull'), tx.done])
}

/** After a pull from scratch: the records it did not bring are no longer the user's to see. */
export async function dropRecordsExcept(keys: ReadonlySet<string>): Promise<void> {
  const tx = (await db()).transaction('records', 'readwrite')
  let cursor = await tx.store.openCursor()
  while (cursor) {
    if (!keys.has(cursor.key)) await cursor.delete()
    cursor = await cursor.continue()
  }
  await tx.done
}

export async function loadRecord(entity: string, entityId: string): Promise<SyncedRecord | undefined> {
  return (await db()).get('records', recordKey(entity, entityId))
}

/** A record by the server's numeric id (a link such as /hazards/12). */
export async function findRecordByServerId(entity: string, serverId: number): Promise<SyncedRecord | undefined> {
  return (await db()).getFromIndex('records', 'by_server_id', [entity, serverId])
}

export async function loadRecords(entity: string): Promise<SyncedRecord[]> {
  return (await db()).getAllFromIndex('records', 'by_entity', entity)
}

/** One site's records of a kind (the site page's hazards and inspections). */
export async function loadSiteRecords(entity: string, siteId: number): Promise<SyncedRecord[]> {
  return (await db()).getAllFromIndex('records', 'by_site', [entity, siteId])
}

// ---- Sync: the outbox ----

export interface NewMutation {
  entry: OutboxEntry
  /** Entries this one replaces (an answer to the same item not sent yet): dropped if they are still pending. */
  supersedes?: readonly number[]
  /** Photos the mutation names, kept until uploaded. */
  photos?: readonly PhotoRecord[]
  /** The clock's stamp after this mutation, kept so a restart never stamps earlier. */
  clock?: string
}

/** Write a mutation with what goes with it, in one transaction; answers its `seq`. */
export async function addMutation({ entry, supersedes = [], photos = [], clock }: NewMutation): Promise<number> {
  const tx = (await db()).transaction(['outbox', 'photos', 'sync_meta'], 'readwrite')
  const outbox = tx.objectStore('outbox')
  const dropped = supersedes.map(async (seq) => {
    const old = await outbox.get(seq)
    if (old?.status === 'pending') await outbox.delete(seq)
  })
  const [seq] = await Promise.all([
    outbox.add(entry),
    ...dropped,
    ...photos.map((p) => tx.objectStore('photos').put(p)),
    ...(clock === undefined ? [] : [tx.objectStore('sync_meta').put(clock, 'clock')]),
    tx.done,
  ])
  return seq
}

/** Every entry, oldest first. */
export async function loadOutbox(): Promise<OutboxEntry[]> {
  return (await db()).getAll('outbox')
}

export interface OutboxChange {
  seq: number
  status: OutboxStatus
  reason?: string | null
  result?: 'applied' | 'merged' | null
}

/** Change the state of entries in one transaction; entries gone meanwhile (dismissed) are skipped. */
export async function updateOutbox(changes: readonly OutboxChange[]): Promise<void> {
  const tx = (await db()).transaction('outbox', 'readwrite')
  const store = tx.store
  await Promise.all([
    ...changes.map(async ({ seq, ...change }) => {
      const entry = await store.get(seq)
      if (entry) await store.put({ ...entry, ...change })
    }),
    tx.done,
  ])
}

export async function deleteOutbox(seqs: readonly number[]): Promise<void> {
  const tx = (await db()).transaction('outbox', 'readwrite')
  await Promise.all([...seqs.map((seq) => tx.store.delete(seq)), tx.done])
}

// ---- Sync: photos waiting to go up ----

export async function savePhoto(photo: PhotoRecord): Promise<void> {
  await (await db()).put('photos', photo)
}

export async function loadPhoto(sha256: string): Promise<PhotoRecord | undefined> {
  return (await db()).get('photos', sha256)
}

export async function loadPhotos(): Promise<PhotoRecord[]> {
  return (await db()).getAll('photos')
}

export async function markPhotoUploaded(sha256: string): Promise<void> {
  const tx = (await db()).transaction('photos', 'readwrite')
  const photo = await tx.store.get(sha256)
  if (photo && !photo.uploaded) await tx.store.put({ ...photo, uploaded: true })
  await tx.done
}

export async function deletePhotos(hashes: readonly string[]): Promise<void> {
  const tx = (await db()).transaction('photos', 'readwrite')
  await Promise.all([...hashes.map((sha) => tx.store.delete(sha)), tx.done])
}

// ---- Sync: this device and the pull position ----

export async function loadMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  return (await (await db()).get('sync_meta', key)) as MetaValues[K] | undefined
}

export async function saveMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await (await db()).put('sync_meta', value, key)
}

// ---- Drafts: forms kept as they are typed ----

export async function saveDraft(draft: DraftRecord): Promise<void> {
  await (await db()).put('drafts', draft)
}

export async function loadDraft(key: string): Promise<DraftRecord | undefined> {
  return (await db()).get('drafts', key)
}

export async function loadDrafts(): Promise<DraftRecord[]> {
  return (await db()).getAll('drafts')
}

export async function deleteDraft(key: string): Promise<void> {
  await (await db()).delete('drafts', key)
}

// ---- Checklists: the templates an inspection starts from, kept for offline starts ----

/** Replace the kept checklists with those fetched (a template the server dropped goes too). */
export async function saveChecklists(templates: readonly ChecklistTemplate[]): Promise<void> {
  const tx = (await db()).transaction('checklists', 'readwrite')
  await Promise.all([tx.store.clear(), ...templates.map((t) => tx.store.put(t)), tx.done])
}

export async function loadChecklists(): Promise<ChecklistTemplate[]> {
  return (await db()).getAll('checklists')
}
