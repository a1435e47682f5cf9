import { describe, expect, it } from 'vitest'
import { ApiError } from '../api'
import { startSession } from '../session'
import { json, server, useFakeServer } from '../test/fetch'
import { user } from '../test/fixtures'
import { inspection } from '../test/inspections'
import { completeInspection, getChecklists, getInspection, getInspections, sendAnswers, startInspection } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const sent = (i: number) => JSON.parse(String(server.calls[i]?.init.body)) as unknown

describe('inspection requests', () => {
  it('list checklists and inspections, start, answer and sign', async () => {
    await startSession(session)
    server.answers.push(json(200, []), json(200, []), json(200, []), json(201, inspection(5)), json(200, inspection(5)))
    server.answers.push(json(200, { results: [], inspection: inspection(5) }), json(200, inspection(5, { state: 'completed' })))
    await getChecklists({ site_id: 1, kind: 'inspection' })
    await getChecklists()
    await getInspections({ site_id: 1, limit: 20 })
    expect((await startInspection(1)).id).toBe(5)
    await getInspection(5)
    await sendAnswers(5, [{ key: 'board_clear', answer: 'fail', note: '杂物堆放' }])
    expect((await completeInspection(5, { signed_by: '李娟', summary: '' })).state).toBe('completed')
    expect(server.calls.map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/v1/checklists?site_id=1&kind=inspection'],
      ['GET', '/api/v1/checklists'],
      ['GET', '/api/v1/inspections?site_id=1&limit=20'],
      ['POST', '/api/v1/inspections'],
      ['GET', '/api/v1/inspections/5'],
      ['POST', '/api/v1/inspections/5/answers'],
      ['POST', '/api/v1/inspections/5/complete'],
    ])
    expect(sent(3)).toEqual({ site_id: 1 })
    expect(sent(5)).toEqual({ answers: [{ key: 'board_clear', answer: 'fail', note: '杂物堆放' }] })
    expect(sent(6)).toEqual({ signed_by: '李娟', summary: '' })
  })

  it('starts with a chosen checklist, and carries the refusal of an unfinished signing', async () => {
    await startSession(session)
    server.answers.push(json(201, inspection(6)))
    await startInspection(1, 'inspection-general')
    expect(sent(0)).toEqual({ site_id: 1, template_id: 'inspection-general' })
    server.answers.push(
      json(400, { status_code: 400, detail: 'answers: 39 items not answered yet, e.g. 箱门完好', extra: { field: 'answers' } }),
    )
    const refused = await completeInspection(6, { signed_by: '李娟' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ status: 400, field: 'answers' })
  })
})
