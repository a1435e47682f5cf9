import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { beforeEach, describe, expect, it } from 'vitest'
import { alarm, site, siteDetail, user } from '../test/fixtures'
import { openDB } from '../test/idb'
import {
  addMutation,
  clearSession,
  closeDb,
  DB_NAME,
  findRecordByServerId,
  loadMeta,
  loadOutbox,
  loadPhoto,
  loadRecord,
  loadRecords,
  loadSiteRecords,
  saveMeta,
  savePulled,
  deleteSiteDetail,
  findSavedAlarm,
  loadSession,
  loadSiteAlarms,
  loadSiteDetail,
  loadSiteList,
  saveSession,
  saveSiteAlarms,
  saveSiteDetail,
  saveSiteList,
} from './db'

beforeEach(async () => {
  await closeDb()
  globalThis.indexedDB = new IDBFactory() // a fresh, empty browser profile for each test
})

describe('session', () => {
  it('is empty at first, then saved and loaded', async () => {
    expect(await loadSession()).toBeUndefined()
    await saveSession({ token: 'tok-1', expires_at: 1_900_000_000, user })
    expect(await loadSession()).toEqual({ token: 'tok-1', expires_at: 1_900_000_000, user })
  })

  it('survives closing and reopening the database', async () => {
    await saveSession({ token: 'tok-2', expires_at: 1_900_000_000, user })
    await closeDb()
    expect((await loadSession())?.token).toBe('tok-2')
  })

  it('clearing it also forgets the cached sites', async () => {
    await saveSession({ token: 'tok-3', expires_at: 1_900_000_000, user })
    await saveSiteList([site(1)], 1000)
    await saveSiteDetail(siteDetail(1), 1000)
    await saveSiteAlarms(1, [alarm(5)], 1000)
    await clearSession()
    expect(await loadSession()).toBeUndefined()
    expect(await loadSiteList()).toBeUndefined()
    expect(await loadSiteDetail(1)).toBeUndefined()
    expect(await loadSiteAlarms(1)).toBeUndefined()
  })
})

describe('site list cache', () => {
  it('keeps the list with the time it was fetched', async () => {
    expect(await loadSiteList()).toBeUndefined()
    await saveSiteList([site(1), site(2, { status: 'alarm' })], 1_763_900_000_000)
    const saved = await loadSiteList()
    expect(saved?.fetchedAt).toBe(1_763_900_000_000)
    expect(saved?.sites.map((s) => [s.id, s.status])).toEqual([
      [1, 'normal'],
      [2, 'alarm'],
    ])
  })

  it('replaces the previous list', async () => {
    await saveSiteList([site(1), site(2)], 1)
    await saveSiteList([site(3)], 2)
    const saved = await loadSiteList()
    expect(saved?.sites.map((s) => s.id)).toEqual([3])
    expect(saved?.fetchedAt).toBe(2)
  })

  it('stamps the current time by default', async () => {
    const before = Date.now()
    await saveSiteList([])
    const saved = await loadSiteList()
    expect(saved?.fetchedAt).toBeGreaterThanOrEqual(before)
    expect(saved?.fetchedAt).toBeLessThanOrEqual(Date.now())
  })
})

describe('site details cache', () => {
  it('keeps each site by id', async () => {
    await saveSiteDetail(siteDetail(12), 5)
    await saveSiteDetail(siteDetail(13), 6)
    const twelve = await loadSiteDetail(12)
    expect(twelve?.fetchedAt).toBe(5)
    expect(twelve?.site.devices[0]?.channels[0]?.settings.alarm).toBe(300)
    expect((await loadSiteDetail(13))?.site.id).toBe(13)
    expect(await loadSiteDetail(14)).toBeUndefined()
    await deleteSiteDetail(12)
    expect(await loadSiteDetail(12)).toBeUndefined()
    expect(await loadSiteDetail(13)).toBeDefined()
  })
})

describe('site alarms cache', () => {
  it("keeps each site's alarm list with the time, and drops it with the site", async () => {
    expect(await loadSiteAlarms(12)).toBeUndefined()
    await saveSiteAlarms(12, [alarm(2), alarm(1, { cleared_at: 1_763_860_000 })], 7)
    await saveSiteAlarms(13, [], 8)
    const saved = await loadSiteAlarms(12)
    expect(saved?.fetchedAt).toBe(7)
    expect(saved?.alarms.map((a) => [a.id, a.cleared_at])).toEqual([
      [2, null],
      [1, 1_763_860_000],
    ])
    await saveSiteDetail(siteDetail(12), 5)
    await deleteSiteDetail(12)
    expect(await loadSiteAlarms(12)).toBeUndefined()
    expect((await loadSiteAlarms(13))?.alarms).toEqual([])
  })
})

describe('upgrade', () => {
  it('from version 1 keeps the session and the cached sites and adds the alarm store', async () => {
    // A device that ran the first release: the version-1 schema with data in it.
    const v1 = await openDB(DB_NAME, 1, {
      upgrade(database) {
        database.createObjectStore('session')
        database.createObjectStore('site_list')
        database.createObjectStore('site_details', { keyPath: 'id' })
      },
    })
    await v1.put('session', { token: 'tok-v1', expires_at: 1_900_000_000, user }, 'current')
    await v1.put('site_details', { id: 12, site: siteDetail(12), fetchedAt: 3 })
    v1.close()

    expect((await loadSession())?.token).toBe('tok-v1')
    expect((await loadSiteDetail(12))?.fetchedAt).toBe(3)
    await saveSiteAlarms(12, [alarm(1)], 4)
    expect((await loadSiteAlarms(12))?.alarms[0]?.id).toBe(1)
  })
})

describe('findSavedAlarm', () => {
  it("finds an alarm in whichever site's saved list holds it", async () => {
    expect(await findSavedAlarm(5)).toBeUndefined()
    await saveSiteAlarms(12, [alarm(4), alarm(5)], 1000)
    await saveSiteAlarms(14, [alarm(9, { site_id: 14 })], 2000)
    expect(await findSavedAlarm(5)).toEqual({ alarm: alarm(5), fetchedAt: 1000 })
    expect((await findSavedAlarm(9))?.fetchedAt).toBe(2000)
    expect(await findSavedAlarm(7)).toBeUndefined()
  })
})

describe('version 3: the sync stores', () => {
  const photo = (sha256: string, user_id: number) => ({ sha256, blob: new Blob(['x']), type: 'image/jpeg', user_id, saved_at: 1, uploaded: false })
  const mutation = { mutation_id: 'm1', hlc: '1763856000000-0000-n', entity: 'hazard' as const, entity_id: '12', op: 'update' as const, fields: { title: 'a' } }
  const entryOf = (user_id: number, mutation_id: string) => ({
    user_id,
    mutation: { ...mutation, mutation_id },
    status: 'pending' as const,
    reason: null,
    result: null,
    created_at: 1,
    about: {},
  })

  it('upgrades a version-2 device without touching its data', async () => {
    const v2 = await openDB(DB_NAME, 2, {
      upgrade(database) {
        database.createObjectStore('session')
        database.createObjectStore('site_list')
        database.createObjectStore('site_details', { keyPath: 'id' })
        database.createObjectStore('site_alarms', { keyPath: 'site_id' })
      },
    })
    await v2.put('session', { token: 'tok-v2', expires_at: 1_900_000_000, user }, 'current')
    await v2.put('site_alarms', { site_id: 12, alarms: [alarm(1)], fetchedAt: 2 })
    v2.close()

    expect((await loadSession())?.token).toBe('tok-v2')
    expect((await loadSiteAlarms(12))?.fetchedAt).toBe(2)
    await savePulled([{ entity: 'hazard', entity_id: '12', version: 3, deleted: false, fields: { id: 12, title: 't' } }], { user_id: 1, cursor: 'c', synced_at: 5 })
    expect((await findRecordByServerId('hazard', 12))?.entity_id).toBe('12')
  })

  it('finds a record by the server’s number or by the id it was made with', async () => {
    await savePulled(
      [
        { entity: 'hazard', entity_id: '019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17', version: 1, deleted: false, fields: { id: 57 } },
        { entity: 'inspection', entity_id: '57', version: 2, deleted: false, fields: { id: 57 } },
      ],
      { user_id: 1, cursor: 'c1', synced_at: null },
    )
    expect((await findRecordByServerId('hazard', 57))?.entity_id).toBe('019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17')
    expect((await findRecordByServerId('inspection', 57))?.version).toBe(2)
    expect(await loadRecord('hazard', '57')).toBeUndefined()
    expect((await loadRecords('inspection')).map((r) => r.key)).toEqual(['inspection/57'])
    await savePulled([{ entity: 'hazard', entity_id: '58', version: 3, deleted: false, fields: { id: 58, site_id: 4 } }], { user_id: 1, cursor: 'c1', synced_at: null })
    expect((await loadSiteRecords('hazard', 4)).map((r) => r.key)).toEqual(['hazard/58'])
    expect(await loadSiteRecords('hazard', 5)).toEqual([])
    expect(await loadMeta('pull')).toEqual({ user_id: 1, cursor: 'c1', synced_at: null })
  })

  it('ending a session forgets the synced copies but keeps the user’s unsent work; signing out on purpose drops it', async () => {
    await saveSession({ token: 't', expires_at: 1_900_000_000, user })
    await savePulled([{ entity: 'hazard', entity_id: '12', version: 1, deleted: false, fields: { id: 12 } }], { user_id: user.id, cursor: 'c', synced_at: 1 })
    await addMutation({ entry: entryOf(user.id, 'mine'), photos: [photo('aa', user.id)] })
    await addMutation({ entry: entryOf(user.id + 1, 'theirs'), photos: [photo('bb', user.id + 1)] })
    await saveMeta('client', { client_id: 'c-1', node: 'c1' })

    await clearSession() // the session expired
    expect(await loadRecords('hazard')).toEqual([])
    expect(await loadMeta('pull')).toBeUndefined()
    expect((await loadOutbox()).map((e) => e.mutation.mutation_id)).toEqual(['mine', 'theirs'])
    expect(await loadMeta('client')).toEqual({ client_id: 'c-1', node: 'c1' })

    await clearSession({ discardWorkOf: user.id }) // signed out, told what would be lost
    expect((await loadOutbox()).map((e) => e.mutation.mutation_id)).toEqual(['theirs'])
    expect(await loadPhoto('aa')).toBeUndefined()
    expect(await loadPhoto('bb')).toBeDefined()
  })
})
