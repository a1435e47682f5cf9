import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { inspection } from '../../test/inspections'
import { getAssignees } from '../hazards/api'
import { getChecklists, startInspection } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const sent = (i: number) => JSON.parse(String(server.calls[i]?.init.body)) as unknown

// The requests the app still makes online (the rest of inspections and hazards go through the sync).
describe('inspection and assignee requests', () => {
  it('lists checklists, starts a visit, and asks who may take a site’s hazards', async () => {
    await startSession(session)
    server.answers.push(json(200, []), json(200, []), json(201, inspection(5)), json(200, []))
    await getChecklists({ site_id: 1, kind: 'inspection' })
    await getChecklists()
    expect((await startInspection(1)).id).toBe(5)
    await getAssignees(3)
    expect(server.calls.map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/v1/checklists?site_id=1&kind=inspection'],
      ['GET', '/api/v1/checklists'],
      ['POST', '/api/v1/inspections'],
      ['GET', '/api/v1/sites/3/hazard-rules/assignees'],
    ])
    expect(sent(2)).toEqual({ site_id: 1 })
  })

  it('starts with a chosen checklist, and carries a refusal', async () => {
    await startSession(session)
    server.answers.push(json(201, inspection(6)))
    await startInspection(1, 'inspection-general')
    expect(sent(0)).toEqual({ site_id: 1, template_id: 'inspection-general' })
    server.answers.push(json(403, { status_code: 403, detail: 'owner may not inspect sites' }))
    const refused = await startInspection(1).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ status: 403 })
  })
})
