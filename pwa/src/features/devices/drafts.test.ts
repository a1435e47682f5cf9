import { beforeEach, describe, expect, it } from 'vitest'
import { loadPhoto, savePhoto } from '../../platform/db'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { commissioning, commissioningDone, user } from '../../test/fixtures'
import { hasWork, keepCommissionDraft, loadCommissionDraft, readCommissioning, submitWaitingAccepts } from './drafts'

useFakeServer()

beforeEach(() => startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user }))

const DRAWN = 'd'.repeat(64)
const ANSWERS = { location: { answer: 'pass' as const }, transformer: { answer: 'fail' as const, note: ' N 线未穿 ' } }

describe('the acceptance checklist kept on the device', () => {
  it('keeps the answers as typed, and the commissioning as last read, to open offline', async () => {
    server.answers.push(json(200, commissioningDone(5)))
    expect((await readCommissioning(5)).offline).toBe(false)
    await keepCommissionDraft(commissioningDone(5), { answers: ANSWERS, signature: '刘工' })
    server.answers.push(noNetwork())
    const offline = await readCommissioning(5)
    expect(offline).toMatchObject({ commissioning: commissioningDone(5), offline: true })
    expect(offline.savedAt).toBeLessThanOrEqual(Date.now())
    const draft = await loadCommissionDraft(5)
    expect(draft).toMatchObject({ answers: ANSWERS, signature: '刘工', submit: false, error: null })
    expect(hasWork(draft!)).toBe(true)
  })

  it('with no draft and no network there is nothing to show', async () => {
    server.answers.push(noNetwork())
    await expect(readCommissioning(9)).rejects.toThrow()
  })

  it('sends an acceptance pressed offline once the network is back, its drawing uploaded first', async () => {
    // The signature drawn with no network is on the device only.
    await savePhoto({ sha256: DRAWN, blob: new Blob(['png']), type: 'image/png', user_id: user.id, saved_at: 1, uploaded: false })
    await keepCommissionDraft(commissioningDone(5), { answers: ANSWERS, signature: '刘工', drawn: DRAWN, submit: true })
    server.answers.push(noNetwork())
    await submitWaitingAccepts()
    expect((await loadCommissionDraft(5))?.submit).toBe(true) // still no network: kept

    server.answers.push(json(201, { sha256: DRAWN, size: 3 }), json(200, commissioningDone(6, { state: 'commissioned' })))
    await submitWaitingAccepts()
    const [upload, sent] = server.calls.slice(-2)
    expect(upload?.url).toBe(`/api/v1/attachments/${DRAWN}`)
    expect(upload?.init.method).toBe('PUT')
    expect(sent?.url).toBe('/api/v1/commissioning/5/steps/accept')
    expect(JSON.parse(String(sent?.init.body))).toEqual({
      answers: [
        { key: 'location', answer: 'pass' },
        { key: 'transformer', answer: 'fail', note: 'N 线未穿' },
      ],
      signed_by: '刘工',
      signature: DRAWN,
    })
    expect(await loadCommissionDraft(5)).toBeUndefined()
    expect((await loadPhoto(DRAWN))?.uploaded).toBe(true)
  })

  it('a refusal stays in the draft, for the page to show', async () => {
    await keepCommissionDraft(commissioning({ id: 7 }), { answers: ANSWERS, signature: '刘工', drawn: DRAWN, submit: true })
    server.answers.push(json(409, { detail: 'step thresholds is not done' }))
    await submitWaitingAccepts()
    expect(await loadCommissionDraft(7)).toMatchObject({ submit: false, error: 'step thresholds is not done' })
  })
})
