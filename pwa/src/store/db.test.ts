import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { openDB } from 'idb'
import { beforeEach, describe, expect, it } from 'vitest'
import { alarm, site, siteDetail, user } from '../test/fixtures'
import {
  clearSession,
  closeDb,
  DB_NAME,
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
