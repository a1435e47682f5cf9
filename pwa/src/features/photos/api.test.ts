import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../api'
import { startSession } from '../session'
import { json, noNetwork, server, useFakeServer } from '../test/fetch'
import { user } from '../test/fixtures'
import { hazard, hazardDetail } from '../test/hazards'
import {
  commentHazard,
  createHazard,
  getAssignees,
  getAttachment,
  getHazard,
  getHazards,
  hazardQueryString,
  putAttachment,
  transitionHazard,
  UPLOAD_TIMEOUT_MS,
} from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const SHA = 'e'.repeat(64)
const header = (i: number, name: string) => (server.calls[i]?.init.headers as Record<string, string>)[name]
const sent = (i: number) => JSON.parse(String(server.calls[i]?.init.body)) as unknown

describe('hazardQueryString', () => {
  it.each([
    [{}, ''],
    [{ states: ['open', 'assigned'] }, '?state=open&state=assigned'],
    [{ site_id: 3, overdue: true }, '?site_id=3&overdue=true'],
    [{ mine: true, limit: 50 }, '?mine=true&limit=50'],
    [{ overdue: false, mine: false }, ''],
  ] as const)('%j → %s', (query, text) => {
    expect(hazardQueryString(query)).toBe(text)
  })
})

describe('hazard requests', () => {
  it('list, read, create, move and comment', async () => {
    await startSession(session)
    server.answers.push(json(200, [hazard(1)]), json(200, hazardDetail(1)), json(201, hazardDetail(2)))
    server.answers.push(json(200, hazardDetail(1)), json(201, hazardDetail(1)), json(200, []))
    expect(await getHazards({ states: ['rectified'], site_id: 1 })).toEqual([hazard(1)])
    expect(await getHazard(1)).toEqual(hazardDetail(1))
    await createHazard({ site_id: 1, title: '插座烧焦', severity: 'major', assignee_id: 4 })
    await transitionHazard(1, { to: 'rectified', attachments: [SHA] })
    await commentHazard(1, { text: '电工明天到' })
    await getAssignees(1)
    expect(server.calls.map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/v1/hazards?site_id=1&state=rectified'],
      ['GET', '/api/v1/hazards/1'],
      ['POST', '/api/v1/hazards'],
      ['POST', '/api/v1/hazards/1/transition'],
      ['POST', '/api/v1/hazards/1/comments'],
      ['GET', '/api/v1/sites/1/hazard-rules/assignees'],
    ])
    expect(sent(2)).toEqual({ site_id: 1, title: '插座烧焦', severity: 'major', assignee_id: 4 })
    expect(sent(3)).toEqual({ to: 'rectified', attachments: [SHA] })
    expect(sent(4)).toEqual({ text: '电工明天到' })
  })

  it("carry the server's refusal and the field it names", async () => {
    await startSession(session)
    server.answers.push(json(409, { status_code: 409, detail: 'a hazard that is closed cannot go to verified', extra: null }))
    const refused = await transitionHazard(1, { to: 'verified' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ status: 409, field: null })

    // A body the server could not decode names the field in a list.
    server.answers.push(
      json(400, {
        status_code: 400,
        detail: 'title: Expected `str` of length >= 1',
        extra: [{ message: 'Expected `str` of length >= 1', key: 'title', source: 'body' }],
      }),
    )
    await expect(createHazard({ site_id: 1, title: '', severity: 'general' })).rejects.toMatchObject({
      status: 400,
      field: 'title',
    })
  })
})

describe('attachments', () => {
  it('PUT the bytes with their own type and a longer timeout', async () => {
    await startSession(session)
    server.answers.push(json(201, { sha256: SHA, size: 3 }))
    const blob = new Blob([new Uint8Array([1, 2, 3])])
    expect(await putAttachment(SHA, blob, 'image/heic')).toEqual({ sha256: SHA, size: 3 })
    expect(server.calls[0]?.url).toBe(`/api/v1/attachments/${SHA}`)
    expect(server.calls[0]?.init.method).toBe('PUT')
    expect(server.calls[0]?.init.body).toBe(blob)
    expect(header(0, 'Content-Type')).toBe('image/heic')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(UPLOAD_TIMEOUT_MS).toBeGreaterThan(10_000)
  })

  it('GET the bytes with the token (an <img> could not send it)', async () => {
    await startSession(session)
    server.answers.push({ status: 200, text: 'JPEGBYTES' })
    const blob = await getAttachment(SHA)
    expect(await blob.text()).toBe('JPEGBYTES')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(header(0, 'Accept')).toBe('*/*')

    server.answers.push(json(404, { status_code: 404, detail: 'attachment eeeeeeeeeeee not found', extra: null }))
    await expect(getAttachment(SHA)).rejects.toMatchObject({ status: 404 })
    server.answers.push(noNetwork())
    await expect(getAttachment(SHA)).rejects.toBeInstanceOf(NetworkError)
  })
})
