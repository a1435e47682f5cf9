// The HTTP client, driven through a few of the features' requests: the token, errors, reachability, file names.
import { describe, expect, it } from 'vitest'
import { login, logout } from '../features/auth/api'
import { createSubscription } from '../features/notify/api'
import { getSites } from '../features/sites/api'
import { json, noNetwork, server, useFakeServer } from '../test/fetch'
import { site, user } from '../test/fixtures'
import { loadSession, loadSiteList, saveSiteList } from './db'
import { ApiError, filenameOf, NetworkError, REQUEST_TIMEOUT_MS } from './http'
import { isOnline } from './online'
import { getSession, startSession } from './session'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const header = (i: number, name: string) => (server.calls[i]?.init.headers as Record<string, string>)[name]

describe('requests', () => {
  it('log in without a token and send the token afterwards', async () => {
    server.answers.push(json(200, { token: 'tok-abc', expires_at: session.expires_at, user }))
    const answer = await login('inspector1', 'secret')
    expect(server.calls[0]?.url).toBe('/api/v1/auth/login')
    expect(server.calls[0]?.init.method).toBe('POST')
    expect(JSON.parse(String(server.calls[0]?.init.body))).toEqual({ username: 'inspector1', password: 'secret' })
    expect(header(0, 'Authorization')).toBeUndefined()

    await startSession({ token: answer.token, expires_at: answer.expires_at, user: answer.user })
    server.answers.push(json(200, [site(1)]))
    expect(await getSites()).toEqual([site(1)])
    expect(header(1, 'Authorization')).toBe('Bearer tok-abc')
  })

  it('log out answers 204 with no body', async () => {
    await startSession(session)
    server.answers.push(json(204))
    await expect(logout()).resolves.toBeUndefined()
    expect(server.calls[0]?.url).toBe('/api/v1/auth/logout')
  })

  it('carry a timeout signal', async () => {
    await startSession(session)
    server.answers.push(json(200, []))
    await getSites()
    expect(server.calls[0]?.init.signal).toBeInstanceOf(AbortSignal)
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(1000)
  })
})

describe('errors', () => {
  it("carry the server's detail", async () => {
    await startSession(session)
    server.answers.push(json(403, { status_code: 403, detail: 'not allowed for role owner', extra: null }))
    const error = await getSites().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 403, detail: 'not allowed for role owner' })
  })

  it('name the refused field from extra.field', async () => {
    await startSession(session)
    const detail = 'url: apprise does not understand this URL; check the key, token or address'
    server.answers.push(json(400, { status_code: 400, detail, extra: { field: 'url' } }))
    const error = await createSubscription({ url: 'wecombot://' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 400, detail, field: 'url' })
    server.answers.push(json(403, { status_code: 403, detail: 'not allowed', extra: null }))
    await expect(getSites()).rejects.toMatchObject({ status: 403, field: null })
  })

  it('fall back to the text of a non-JSON answer', async () => {
    await startSession(session)
    server.answers.push({ status: 500, text: 'Internal Server Error' })
    await expect(getSites()).rejects.toMatchObject({ status: 500, detail: 'Internal Server Error' })
  })

  it('bad credentials and rate limiting at login keep no session', async () => {
    server.answers.push(json(401, { status_code: 401, detail: 'Invalid username or password' }))
    await expect(login('x', 'y')).rejects.toMatchObject({ status: 401 })
    server.answers.push(json(429, { status_code: 429, detail: 'Too many attempts' }))
    await expect(login('x', 'y')).rejects.toMatchObject({ status: 429, detail: 'Too many attempts' })
    expect(getSession()).toBeNull()
  })

  it('a 401 on an authenticated request ends the session and clears the cache', async () => {
    await startSession(session)
    await saveSiteList([site(1)], 1)
    server.answers.push(json(401, { status_code: 401, detail: 'token revoked' }))
    await expect(getSites()).rejects.toMatchObject({ status: 401, detail: 'token revoked' })
    expect(getSession()).toBeNull()
    expect(await loadSession()).toBeUndefined()
    expect(await loadSiteList()).toBeUndefined()
  })

  it('a request that fails is a NetworkError and marks the server unreachable', async () => {
    await startSession(session)
    server.answers.push(noNetwork())
    await expect(getSites()).rejects.toBeInstanceOf(NetworkError)
    expect(isOnline()).toBe(false)
    server.answers.push(json(200, []))
    await getSites()
    expect(isOnline()).toBe(true)
  })

  it('a gateway that cannot reach the server is a NetworkError too', async () => {
    await startSession(session)
    server.answers.push({ status: 502, text: 'Bad Gateway' })
    await expect(getSites()).rejects.toBeInstanceOf(NetworkError)
  })
})

describe('filenameOf', () => {
  it.each([
    ['inline; filename="andian-report-1-2026-10.pdf"', 'andian-report-1-2026-10.pdf'],
    ['attachment; filename=report.pdf', 'report.pdf'],
    ["attachment; filename*=UTF-8''%E4%BD%93%E6%A3%80%E6%8A%A5%E5%91%8A.pdf; filename=\"report.pdf\"", '体检报告.pdf'],
    ["attachment; filename*=UTF-8''%E4%BD%93%ZZ.pdf; filename=\"report.pdf\"", 'report.pdf'],
    ['inline; filename="../../etc/passwd"', 'passwd'],
    ['inline; filename="a \\"b\\".pdf"', 'a "b".pdf'],
    ['inline', null],
    [null, null],
  ])('%s → %s', (header, name) => {
    expect(filenameOf(header)).toBe(name)
  })
})
