import { describe, expect, it } from 'vitest'
import { REQUEST_TIMEOUT_MS } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { alarm, delivery, subscription, testResult, user } from '../../test/fixtures'
import { ackAlarm, getAlarm } from '../alarms/api'
import {
  createSubscription,
  deleteSubscription,
  getDeliveries,
  getNotifyPolicy,
  getSubscriptions,
  NOTIFY_TEST_TIMEOUT_MS,
  testSubscription,
  updateSubscription,
} from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }

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
