import { describe, expect, it } from 'vitest'
import { NoCachedData } from '../../platform/cached-read'
import { loadSiteAlarms, saveSiteAlarms } from '../../platform/db'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { alarm, user } from '../../test/fixtures'
import { readAlarm } from './data'

useFakeServer()

const signIn = () => startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })

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
