import { describe, expect, it } from 'vitest'
import {
  ackAlarm,
  ApiError,
  controlDevice,
  createSubscription,
  deleteSubscription,
  filenameOf,
  getAlarm,
  getCommissioning,
  getControlLog,
  getDeliveries,
  getNotifyPolicy,
  getSites,
  getSubscriptions,
  login,
  logout,
  NetworkError,
  NOTIFY_TEST_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  runStep,
  scanBle,
  startCommissioning,
  testSubscription,
  updateSubscription,
} from './api'
import { isOnline } from './online'
import { getSession, restoreSession, startSession } from './session'
import { loadSession, loadSiteList, saveSiteList } from './store/db'
import { noNetwork, json, server, useFakeServer } from './test/fetch'
import {
  alarm,
  commissioning,
  commissioningDone,
  controlRecord,
  delivery,
  site,
  subscription,
  testResult,
  user,
} from './test/fixtures'

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

describe('session restore', () => {
  it('drops an expired session', async () => {
    await startSession({ ...session, expires_at: Date.now() / 1000 - 1 })
    expect(await restoreSession()).toBeNull()
    expect(await loadSession()).toBeUndefined()
  })

  it('keeps a valid one', async () => {
    await startSession(session)
    expect((await restoreSession())?.token).toBe('tok-abc')
  })
})

describe('commissioning and control', () => {
  const call = (i: number) => ({
    url: server.calls[i]?.url,
    method: server.calls[i]?.init.method,
    body: server.calls[i]?.init.body === undefined ? undefined : JSON.parse(String(server.calls[i]?.init.body)),
  })

  it('scan, start, read and run steps on the contract paths', async () => {
    await startSession(session)
    const found = [{ address: 'C4:7F', name: 'AD-B63', rssi: -52, model: 'AD-B63', model_name: null, kind: 'breaker', known: null, device_id: null }]
    server.answers.push(json(200, found), json(201, commissioning()), json(200, commissioning()), json(200, commissioningDone(1)))
    expect(await scanBle(12, 4)).toEqual(found)
    expect(await startCommissioning(12, 'C4:7F')).toEqual(commissioning())
    await getCommissioning(5)
    expect((await runStep(5, 'pair', {})).steps[0]?.status).toBe('done')
    expect([call(0), call(1), call(2), call(3)]).toEqual([
      { url: '/api/v1/sites/12/ble/scan?seconds=4', method: 'GET', body: undefined },
      { url: '/api/v1/commissioning', method: 'POST', body: { site_id: 12, address: 'C4:7F' } },
      { url: '/api/v1/commissioning/5', method: 'GET', body: undefined },
      { url: '/api/v1/commissioning/5/steps/pair', method: 'POST', body: {} },
    ])
  })

  it('a step refused for bad input or order, or without a radio, is an ApiError with the detail', async () => {
    await startSession(session)
    const detail = 'channels.residual_ma.alarm: must be in [20, 1000] mA'
    server.answers.push(
      json(400, { status_code: 400, detail, extra: null }),
      json(409, { status_code: 409, detail: 'run step pair first', extra: null }),
      json(503, { status_code: 503, detail: 'no Bluetooth radio on this server', extra: null }),
    )
    await expect(runStep(5, 'thresholds', { channels: { residual_ma: { alarm: 5 } } })).rejects.toMatchObject({ status: 400, detail })
    expect(call(0).body).toEqual({ channels: { residual_ma: { alarm: 5 } } })
    await expect(runStep(5, 'self_test', {})).rejects.toMatchObject({ status: 409, detail: 'run step pair first' })
    const error = await scanBle(12, 4).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 503 })
  })

  it('controls a device and reads its log', async () => {
    await startSession(session)
    server.answers.push(json(200, controlRecord()), json(200, [controlRecord()]))
    expect(await controlDevice(112, 'trip', '现场冒烟')).toEqual(controlRecord())
    expect(await getControlLog(112)).toEqual([controlRecord()])
    expect([call(0), call(1)]).toEqual([
      { url: '/api/v1/devices/112/control', method: 'POST', body: { action: 'trip', reason: '现场冒烟' } },
      { url: '/api/v1/devices/112/control', method: 'GET', body: undefined },
    ])
  })

  it('a control with no answer is a NetworkError (the outcome is unknown)', async () => {
    await startSession(session)
    server.answers.push(noNetwork())
    await expect(controlDevice(112, 'close', '故障已排除')).rejects.toBeInstanceOf(NetworkError)
  })
})

describe('notifications', () => {
  const call = (i: number) => ({
    url: server.calls[i]?.url,
    method: server.calls[i]?.init.method,
    body: server.calls[i]?.init.body === undefined ? undefined : JSON.parse(String(server.calls[i]?.init.body)),
  })

  it('list, add, change, test and delete subscriptions on the contract paths', async () => {
    await startSession(session)
    const added = subscription(3, { site_ids: [12], levels: ['alarm', 'offline'] })
    server.answers.push(
      json(200, [subscription(1)]),
      json(201, added),
      json(200, { ...added, label: '夜班' }),
      json(200, testResult()),
      json(204),
    )
    expect(await getSubscriptions()).toEqual([subscription(1)])
    expect(await createSubscription({ url: 'wecombot://KEY', site_ids: [12], levels: ['alarm', 'offline'] })).toEqual(added)
    expect((await updateSubscription(3, { label: '夜班', quiet_start: null, quiet_end: null })).label).toBe('夜班')
    expect(await testSubscription(3)).toEqual(testResult())
    await expect(deleteSubscription(3)).resolves.toBeUndefined()
    expect([0, 1, 2, 3, 4].map(call)).toEqual([
      { url: '/api/v1/me/subscriptions', method: 'GET', body: undefined },
      {
        url: '/api/v1/me/subscriptions',
        method: 'POST',
        body: { url: 'wecombot://KEY', site_ids: [12], levels: ['alarm', 'offline'] },
      },
      { url: '/api/v1/me/subscriptions/3', method: 'PATCH', body: { label: '夜班', quiet_start: null, quiet_end: null } },
      { url: '/api/v1/me/subscriptions/3/test', method: 'POST', body: undefined },
      { url: '/api/v1/me/subscriptions/3', method: 'DELETE', body: undefined },
    ])
  })

  it('give the test message longer than an ordinary request', () => {
    // The server waits up to ~10 s for the services; the ordinary timeout is exactly that.
    expect(NOTIFY_TEST_TIMEOUT_MS).toBeGreaterThan(REQUEST_TIMEOUT_MS)
  })

  it('read one alarm, its deliveries and the site policy', async () => {
    await startSession(session)
    const policy = { site_id: 12, escalate_after_s: [600, 1800] }
    server.answers.push(
      json(200, alarm(42, { escalated_tier: 1 })),
      json(200, [delivery(1), delivery(2, { tier: 1, transition: 'escalated' })]),
      json(200, policy),
      json(200, alarm(42, { acknowledged_at: 1_763_857_000, acknowledged_by: '王老板' })),
    )
    expect((await getAlarm(42)).escalated_tier).toBe(1)
    expect((await getDeliveries(42)).map((d) => d.tier)).toEqual([0, 1])
    expect(await getNotifyPolicy(12)).toEqual(policy)
    await ackAlarm(42, '电工在路上')
    expect([0, 1, 2, 3].map(call)).toEqual([
      { url: '/api/v1/alarms/42', method: 'GET', body: undefined },
      { url: '/api/v1/alarms/42/deliveries', method: 'GET', body: undefined },
      { url: '/api/v1/sites/12/notify-policy', method: 'GET', body: undefined },
      { url: '/api/v1/alarms/42/ack', method: 'POST', body: { note: '电工在路上' } },
    ])
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
