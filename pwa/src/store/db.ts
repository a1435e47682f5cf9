// The only module that knows the IndexedDB schema. Everything the app keeps on the device goes through here.
//
// Stores (database "andian"):
//   session       key "current"      → SessionRecord (bearer token, its expiry, the signed-in user)       v1
//   site_list     key "all"          → SiteListRecord (GET /api/v1/sites as last fetched, with the time)   v1
//   site_details  keyPath "id"       → SiteDetailRecord (GET /api/v1/sites/{id} as last fetched)          v1
//   site_alarms   keyPath "site_id"  → SiteAlarmsRecord (a site's alarm list as last known: the last read
//                                      of GET /api/v1/alarms with the live events since merged in)         v2
//
// A new version adds a branch to upgrade(); never change what an existing branch does.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Alarm, Site, SiteDetail, User } from '../types'

export const DB_NAME = 'andian'
export const DB_VERSION = 2

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

interface AndianDB extends DBSchema {
  session: { key: string; value: SessionRecord }
  site_list: { key: string; value: SiteListRecord }
  site_details: { key: number; value: SiteDetailRecord }
  site_alarms: { key: number; value: SiteAlarmsRecord }
}

// Every store that holds data fetched for the signed-in user: cleared with the session.
const USER_DATA = ['session', 'site_list', 'site_details', 'site_alarms'] as const

const SESSION_KEY = 'current'
const SITE_LIST_KEY = 'all'

let dbPromise: Promise<IDBPDatabase<AndianDB>> | undefined

function db(): Promise<IDBPDatabase<AndianDB>> {
  dbPromise ??= openDB<AndianDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('session')
        database.createObjectStore('site_list')
        database.createObjectStore('site_details', { keyPath: 'id' })
      }
      if (oldVersion < 2) {
        database.createObjectStore('site_alarms', { keyPath: 'site_id' })
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
 * on this device never sees the previous user's sites.
 */
export async function clearSession(): Promise<void> {
  const tx = (await db()).transaction(USER_DATA, 'readwrite')
  await Promise.all([...USER_DATA.map((name) => tx.objectStore(name).clear()), tx.done])
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
