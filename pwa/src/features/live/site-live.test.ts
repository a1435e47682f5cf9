import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { loadSiteAlarms, saveSiteAlarms } from '../../platform/db'
import { ApiError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { alarm, alarmEvent, siteDetail, user } from '../../test/fixtures'
import { siteStatusOf } from '../alarms/model'
import type { Alarm } from '../alarms/types'
import { withSwitches } from '../devices/switch'
import { SiteLive } from './site-live'

useFakeServer() // fresh IndexedDB; fetch is routed below instead of queued

const CLEARED = 1_763_860_000

/** A server for one site: the alarm list answers, and a live stream the test writes events to. */
function fakeSite() {
  const site = {
    active: [] as Alarm[],
    cleared: [] as Alarm[],
    /** While set, alarm list requests wait for it. */
    hold: undefined as Promise<void> | undefined,
    ackAnswer: undefined as { status: number; body: unknown } | undefined,
    calls: [] as string[],
    streams: [] as ReadableStreamDefaultController<Uint8Array>[],
    send(type: string, data: unknown) {
      site.streams.at(-1)?.enqueue(new TextEncoder().encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`))
    },
  }
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    site.calls.push(`${init.method ?? 'GET'} ${url}`)
    const path = new URL(url, 'http://x')
    if (path.pathname === '/api/v1/live') {
      // Like the server: an opening comment once the stream is subscribed.
      const body = new ReadableStream<Uint8Array>({
        start: (c) => {
          site.streams.push(c)
          c.enqueue(new TextEncoder().encode(': andian live\n\n'))
        },
      })
      init.signal?.addEventListener('abort', () => site.streams.at(-1)?.error(new Error('aborted')))
      return new Response(body, { status: 200 })
    }
    if (path.pathname === '/api/v1/alarms') {
      const held = site.hold
      if (held) await held
      const list = path.searchParams.get('active') === 'true' ? site.active : site.cleared
      return Response.json(list)
    }
    if (path.pathname.endsWith('/ack')) {
      const answer = site.ackAnswer ?? { status: 500, body: {} }
      return Response.json(answer.body, { status: answer.status })
    }
    throw new TypeError(`unexpected ${url}`)
  })
  return site
}

let live: SiteLive | undefined
const alerts: number[] = []
const notices: string[] = []

function startLive(): SiteLive {
  live = new SiteLive(
    12,
    (a) => alerts.push(a.id),
    (e) => notices.push(`${e.id} ${e.level} ${e.transition}`),
  )
  live.start()
  return live
}

const ids = () => live?.getView().alarms?.map((a) => [a.id, a.cleared_at === null ? 'active' : 'cleared'])

beforeEach(async () => {
  alerts.length = 0
  notices.length = 0
  await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
})

afterEach(() => {
  live?.stop()
  live = undefined
})

describe('SiteLive', () => {
  it('reads the list, then follows live events; only a new alarm-level alarm alerts', async () => {
    const site = fakeSite()
    site.active = [alarm(1, { level: 'prealarm' })]
    site.cleared = [alarm(0, { cleared_at: CLEARED })]
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().state).toBe('live'))
    await vi.waitFor(() => expect(ids()).toEqual([[1, 'active'], [0, 'cleared']]))
    // The initial read and the re-read when the stream opened; the cleared ones since a week ago.
    const lists = site.calls.filter((c) => c.includes('/api/v1/alarms'))
    expect(lists).toHaveLength(4)
    expect(lists.some((c) => /active=false&since=\d+/.test(c))).toBe(true)

    site.send('alarm', alarmEvent(2, 'raised'))
    site.send('alarm', alarmEvent(2, 'raised')) // repeated: no second alert
    site.send('alarm', alarmEvent(1, 'escalated'))
    site.send('alarm', alarmEvent(1, 'cleared', { cleared_at: CLEARED }))
    await vi.waitFor(() => expect(ids()).toEqual([[2, 'active'], [1, 'cleared'], [0, 'cleared']]))
    expect(alerts).toEqual([2, 1])
    // The same two become system notifications (when the user switched them on); alarm 1 only once it is an alarm.
    expect(notices).toEqual(['2 alarm raised', '1 alarm escalated'])
    expect(l.getView().offline).toBe(false)
    await vi.waitFor(async () => expect((await loadSiteAlarms(12))?.alarms.map((a) => a.id)).toEqual([2, 1, 0]))
  })

  it('a re-read that was under way does not undo events that arrived meanwhile', async () => {
    const site = fakeSite()
    let release!: () => void
    site.hold = new Promise((resolve) => (release = resolve))
    site.active = [alarm(1)] // what the server answers: read before alarm 1 cleared
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().state).toBe('live'))
    site.send('alarm', alarmEvent(1, 'cleared', { cleared_at: CLEARED }))
    site.send('alarm', alarmEvent(3, 'raised', { level: 'prealarm' }))
    await vi.waitFor(() => expect(ids()).toEqual([[3, 'active'], [1, 'cleared']]))
    release()
    site.hold = undefined
    await vi.waitFor(() => expect(site.calls.filter((c) => c.includes('/alarms')).length).toBe(4))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(ids()).toEqual([[3, 'active'], [1, 'cleared']])
    expect(alerts).toEqual([])
    expect(notices).toEqual([]) // a pre-alarm and a clearing: nothing pops up
  })

  it('puts reading events into the channel series', async () => {
    const site = fakeSite()
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().state).toBe('live'))
    site.send('reading', { channel_id: 1012, device_id: 112, channel: 'residual_ma', ts: Date.now() / 1000, value: 420 })
    await vi.waitFor(() => expect(l.series.get(1012).latest?.value).toBe(420))
  })

  it('shows the saved list when the server cannot be reached', async () => {
    await saveSiteAlarms(12, [alarm(5)], 1234)
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().alarms?.map((a) => a.id)).toEqual([5]))
    expect(l.getView()).toMatchObject({ offline: true, alarmsAt: 1234 })
  })

  it('acknowledges, and explains a refusal', async () => {
    const site = fakeSite()
    site.active = [alarm(1)]
    const l = startLive()
    await vi.waitFor(() => expect(ids()).toEqual([[1, 'active']]))
    site.ackAnswer = { status: 200, body: alarm(1, { acknowledged_at: CLEARED - 5, acknowledged_by: '王老板' }) }
    await l.acknowledge(1, '  电工在路上  ')
    expect(site.calls.at(-1)).toBe('POST /api/v1/alarms/1/ack')
    expect(l.getView().alarms?.[0]).toMatchObject({ acknowledged_by: '王老板', cleared_at: null })

    site.ackAnswer = { status: 403, body: { status_code: 403, detail: 'role inspector may not acknowledge' } }
    const error = await l.acknowledge(1, '').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 403 })
  })
})

describe('SiteLive system notifications', () => {
  it('pop up for live offline events only, never for what the list read brings', async () => {
    const site = fakeSite()
    site.active = [alarm(1), alarm(4, { level: 'offline', cause: 'offline', channel: null, channel_id: null })]
    const l = startLive()
    await vi.waitFor(() => expect(ids()).toEqual([[4, 'active'], [1, 'active']]))
    site.send('alarm', alarmEvent(5, 'raised', { level: 'offline', cause: 'offline', channel: null, channel_id: null }))
    site.send('alarm', alarmEvent(6, 'raised', { level: 'fault', cause: 'sensor' }))
    site.send('alarm', alarmEvent(1, 'acknowledged', { acknowledged_at: CLEARED - 5, acknowledged_by: '王老板' }))
    await vi.waitFor(() => expect(l.getView().alarms?.length).toBe(4))
    expect(notices).toEqual(['5 offline raised'])
    expect(alerts).toEqual([])
  })
})

describe('SiteLive breakers', () => {
  const AT = 1_763_900_500

  it('follows live device events of this site, and tells the page when to read the site again', async () => {
    const site = fakeSite()
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().state).toBe('live'))
    expect(l.getView()).toMatchObject({ opens: 1 })
    expect(l.getView().switches.size).toBe(0)

    site.send('device', { device_id: 112, site_id: 12, switch: 'open', switch_at: AT, switch_by: '值班员 王' })
    site.send('device', { device_id: 113, site_id: 99, switch: 'open', switch_at: AT, switch_by: null }) // another site
    await vi.waitFor(() => expect(l.getView().switches.get(112)).toEqual({ switch: 'open', switch_at: AT, switch_by: '值班员 王' }))
    expect([...l.getView().switches.keys()]).toEqual([112])

    // An event that overtook an earlier one does not go back; a later one wins.
    site.send('device', { device_id: 112, site_id: 12, switch: 'closed', switch_at: AT - 60, switch_by: null })
    site.send('device', { device_id: 112, site_id: 12, switch: 'closed', switch_at: AT + 60, switch_by: null })
    await vi.waitFor(() => expect(l.getView().switches.get(112)).toEqual({ switch: 'closed', switch_at: AT + 60, switch_by: null }))
  })

  it('the site turns power_off with an open breaker, and back when it closes', async () => {
    const site = fakeSite()
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().alarms).toEqual([]))
    const read = { ...siteDetail(12) }
    read.devices = read.devices.map((d) => ({ ...d, switch: 'closed' as const, switch_at: AT - 3600, switch_by: null }))
    const status = () => siteStatusOf(l.getView().alarms ?? [], withSwitches(read.devices, l.getView().switches))
    expect(status()).toBe('normal')
    site.send('device', { device_id: 112, site_id: 12, switch: 'open', switch_at: AT, switch_by: null })
    await vi.waitFor(() => expect(status()).toBe('power_off'))
    site.send('alarm', alarmEvent(7, 'raised', { level: 'prealarm' }))
    await vi.waitFor(() => expect(l.getView().alarms?.length).toBe(1))
    expect(status()).toBe('power_off') // an open breaker matters more than a pre-alarm
    site.send('device', { device_id: 112, site_id: 12, switch: 'closed', switch_at: AT + 600, switch_by: '值班员 王' })
    await vi.waitFor(() => expect(status()).toBe('prealarm'))
  })

  it('keeps the read-back of a remote control made on the page', async () => {
    fakeSite()
    const l = startLive()
    l.setSwitch(112, { switch: 'open', switch_at: AT, switch_by: '值班员 王' })
    expect(l.getView().switches.get(112)?.switch).toBe('open')
  })
})

describe('SiteLive self-test alarms', () => {
  it('are listed but neither alert nor notify', async () => {
    const site = fakeSite()
    const l = startLive()
    await vi.waitFor(() => expect(l.getView().state).toBe('live'))
    site.send('alarm', alarmEvent(8, 'raised', { test: true }))
    site.send('alarm', alarmEvent(9, 'raised', { test: true, level: 'offline', cause: 'offline', channel: null, channel_id: null }))
    await vi.waitFor(() => expect(ids()).toEqual([[9, 'active'], [8, 'active']]))
    expect(alerts).toEqual([])
    expect(notices).toEqual([])
  })
})
