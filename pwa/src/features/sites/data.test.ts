import { describe, expect, it } from 'vitest'
import { NoCachedData } from '../../platform/cached-read'
import { ApiError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { site, siteDetail, user } from '../../test/fixtures'
import { readSite, readSites } from './data'

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
