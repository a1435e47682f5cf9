import { describe, expect, it } from 'vitest'
import { ApiError } from './api'
import { NoCachedData, readAlarm, readSite, readSites } from './data'
import { startSession } from './session'
import { loadSiteAlarms, saveSiteAlarms } from './store/db'
import { json, noNetwork, server, useFakeServer } from './test/fetch'
import { alarm, site, siteDetail, user } from './test/fixtures'

useFakeServer()

const signIn = () => startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })

describe('readSites', () => {
  it('saves a fresh list and answers from it when offline, with the time it was fetched', async () => {
    await signIn()
    server.answers.push(json(200, [site(1), site(2)]))
    const fresh = await readSites()
    expect(fresh.offline).toBe(false)

    server.answers.push(noNetwork())
    const cached = await readSites()
    expect(cached.offline).toBe(true)
    expect(cached.fetchedAt).toBe(fresh.fetchedAt)
    expect(cached.data.map((s) => s.id)).toEqual([1, 2])
  })

  it('says so when offline with nothing saved', async () => {
    await signIn()
    server.answers.push(noNetwork())
    await expect(readSites()).rejects.toBeInstanceOf(NoCachedData)
  })
})

describe('readSite', () => {
  it('keeps details offline, but never hides a server error behind the cache', async () => {
    await signIn()
    server.answers.push(json(200, siteDetail(12)))
    await readSite(12)
    server.answers.push(noNetwork())
    const cached = await readSite(12)
    expect(cached.offline).toBe(true)
    expect(cached.data.devices[0]?.channels[0]?.key).toBe('residual_ma')

    server.answers.push(json(404, { status_code: 404, detail: 'Site 12 not found' }))
    const error = await readSite(12).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 404, detail: 'Site 12 not found' })
  })

  it('keeps each site apart', async () => {
    await signIn()
    server.answers.push(json(200, siteDetail(12)))
    await readSite(12)
    server.answers.push(noNetwork())
    await expect(readSite(13)).rejects.toBeInstanceOf(NoCachedData)
  })
})

describe('readAlarm (the page a message links to)', () => {
  it('reads the alarm, and offline answers from the site list saved on this device', async () => {
    await signIn()
    server.answers.push(json(200, alarm(5, { escalated_tier: 1 })))
    const fresh = await readAlarm(5)
    expect(fresh).toMatchObject({ offline: false, data: { id: 5, escalated_tier: 1 } })
    expect(server.calls[0]?.url).toBe('/api/v1/alarms/5')
    expect(await loadSiteAlarms(12)).toBeUndefined() // a single alarm is never saved as a site's list

    await saveSiteAlarms(12, [alarm(4), alarm(5)], 1234)
    server.answers.push(noNetwork())
    expect(await readAlarm(5)).toEqual({ data: alarm(5), fetchedAt: 1234, offline: true })
  })

  it('says so when offline and the alarm is not saved, and passes a 404 through', async () => {
    await signIn()
    server.answers.push(noNetwork())
    await expect(readAlarm(5)).rejects.toBeInstanceOf(NoCachedData)
    server.answers.push(json(404, { status_code: 404, detail: 'Alarm 5 not found' }))
    await expect(readAlarm(5)).rejects.toMatchObject({ status: 404 })
  })
})
