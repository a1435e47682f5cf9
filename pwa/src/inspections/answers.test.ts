import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, NetworkError } from '../api'
import { startSession } from '../session'
import { json, server, useFakeServer } from '../test/fetch'
import { user } from '../test/fixtures'
import { inspection, saved } from '../test/inspections'
import { AnswerBook, answerIndexOf, DEBOUNCE_MS, MAX_WAIT_MS, NOTE_MAX, type SendAnswers } from './answers'
import type { AnswerIn, AnswersOut, InspectionDetail } from './types'

const SHA_A = 'a'.repeat(64)
const SHA_B = 'b'.repeat(64)

/** The request as the book makes it: each batch recorded, answered when the test says. */
function fakeSend() {
  const batches: AnswerIn[][] = []
  const waiting: { resolve: (out: AnswersOut) => void; reject: (error: unknown) => void }[] = []
  const send: SendAnswers = (_id, answers) => {
    batches.push(answers)
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }
  /** Answer the oldest open batch: every answer saved except those given a refusal. */
  const answer = async (refused: Record<number, string> = {}, detail: InspectionDetail = inspection(5)) => {
    const batch = batches[batches.length - waiting.length] ?? []
    const next = waiting.shift()
    next?.resolve({
      results: batch.map((a, index) =>
        refused[index] === undefined
          ? { index, key: a.key, status: 'saved' as const }
          : { index, key: a.key, status: 'rejected' as const, error: refused[index] },
      ),
      inspection: detail,
    })
    await vi.advanceTimersByTimeAsync(0)
  }
  const fail = async (error: unknown) => {
    waiting.shift()?.reject(error)
    await vi.advanceTimersByTimeAsync(0)
  }
  return { batches, waiting, send, answer, fail }
}

describe('answerIndexOf', () => {
  it.each([
    ['answers[3].note', 3],
    ['answers[0].attachments[2]', 0],
    ['answers', null],
    ['signed_by', null],
    [null, null],
  ] as const)('%s → %s', (field, index) => {
    expect(answerIndexOf(field)).toBe(index)
  })
})

describe('AnswerBook', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts from the answers the server has', () => {
    const book = new AnswerBook(inspection(5, { answers: [saved('board_clear', { note: '已清理', attachments: [SHA_A] })] }))
    expect(book.item('board_clear')).toMatchObject({ answer: 'pass', note: '已清理', kept: [SHA_A], attachments: [SHA_A], state: 'saved' })
    expect(book.item('rcd_test')).toMatchObject({ answer: null, state: 'none' })
    expect(book.unsaved()).toEqual([])
  })

  it('sends answers given in quick succession as one batch after a quiet moment', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    const changes: string[] = []
    book.subscribe(() => changes.push(book.item('board_clear').state))
    book.setAnswer('board_clear', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 100)
    book.setAnswer('rcd_test', 'na')
    book.setAnswer('board_no_burn', 'fail')
    book.setNote('board_no_burn', '箱内有烧痕')
    expect(book.item('board_clear').state).toBe('waiting')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 100)
    expect(server.batches).toEqual([])
    await vi.advanceTimersByTimeAsync(100)
    expect(server.batches).toEqual([
      [
        { key: 'board_clear', answer: 'pass' },
        { key: 'board_no_burn', answer: 'fail', note: '箱内有烧痕' },
        { key: 'rcd_test', answer: 'na' },
      ],
    ])
    expect(book.item('rcd_test').state).toBe('sending')
    await server.answer({}, inspection(5, { answered: 3, failed: 1 }))
    expect(book.item('board_no_burn').state).toBe('saved')
    expect(book.inspection.answered).toBe(3)
    expect(book.unsaved()).toEqual([])
    expect(changes).toContain('sending')
    expect(changes.at(-1)).toBe('saved')
  })

  it('sends anyway once changes have waited MAX_WAIT_MS (a long note being typed)', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_no_burn', 'fail')
    let text = ''
    for (let elapsed = 0; elapsed < MAX_WAIT_MS; elapsed += 500) {
      text += '烧'
      book.setNote('board_no_burn', text)
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(server.batches).toHaveLength(1)
  })

  it('keeps an answer changed while its batch was in flight waiting, and sends the newer one next', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(server.batches).toHaveLength(1)
    book.setAnswer('board_clear', 'fail')
    await server.answer()
    expect(book.item('board_clear')).toMatchObject({ answer: 'fail', state: 'waiting' })
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(server.batches[1]).toEqual([{ key: 'board_clear', answer: 'fail' }])
    await server.answer()
    expect(book.item('board_clear').state).toBe('saved')
  })

  it("shows the server's reason for a refused item and sends it again only once it is changed", async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    book.setAnswer('rcd_test', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    const reason = 'answers[1].attachments: upload aaaaaaaaaaaa… first (PUT /api/v1/attachments)'
    await server.answer({ 1: reason })
    expect(book.item('board_clear').state).toBe('saved')
    expect(book.item('rcd_test')).toMatchObject({ state: 'rejected', error: reason })
    expect(book.unsaved()).toEqual(['rcd_test'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(server.batches).toHaveLength(1)
    book.setAnswer('rcd_test', 'na')
    expect(book.item('rcd_test')).toMatchObject({ state: 'waiting', error: null })
  })

  it('marks a batch that got no answer failed, never loops on it, and sends it again on retry', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    await server.fail(new NetworkError('no answer'))
    expect(book.item('board_clear')).toMatchObject({ state: 'failed', error: null })
    await vi.advanceTimersByTimeAsync(120_000)
    expect(server.batches).toHaveLength(1)
    book.retry()
    expect(server.batches).toHaveLength(2)
    await server.answer()
    expect(book.item('board_clear').state).toBe('saved')
  })

  it('sends failed answers along with the next change', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    await server.fail(new ApiError(500, 'database is locked'))
    expect(book.item('board_clear')).toMatchObject({ state: 'failed', error: 'database is locked' })
    book.setAnswer('rcd_test', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(server.batches[1]?.map((a) => a.key)).toEqual(['board_clear', 'rcd_test'])
  })

  it('refuses the one answer a whole-body 400 names and sends the others again', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    book.setAnswer('board_no_burn', 'fail')
    book.setAnswer('rcd_test', 'pass')
    const flushed = book.flush()
    await vi.advanceTimersByTimeAsync(0)
    expect(server.batches).toHaveLength(1)
    await server.fail(new ApiError(400, 'answers[1].note: Expected `str` of length <= 2000', 'answers[1].note'))
    expect(book.item('board_no_burn')).toMatchObject({ state: 'rejected', error: 'answers[1].note: Expected `str` of length <= 2000' })
    expect(server.batches[1]?.map((a) => a.key)).toEqual(['board_clear', 'rcd_test'])
    await server.answer()
    await flushed
    expect(book.unsaved()).toEqual(['board_no_burn'])
  })

  it('tells the page when the inspection was signed meanwhile (409)', async () => {
    const server = fakeSend()
    const completed = vi.fn()
    const book = new AnswerBook(inspection(5), server.send, completed)
    book.setAnswer('board_clear', 'pass')
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    await server.fail(new ApiError(409, 'this inspection is signed and completed; start a new one to change answers'))
    expect(completed).toHaveBeenCalledOnce()
    expect(book.item('board_clear').state).toBe('rejected')
  })

  it('keeps a note and photos given before the answer, and sends them with it', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5, { answers: [saved('board_no_burn', { answer: 'fail', attachments: [SHA_A] })] }), server.send)
    book.setNote('rcd_test', '漏保按钮卡滞')
    book.setPhotos('rcd_test', [SHA_B])
    expect(book.item('rcd_test')).toMatchObject({ state: 'none', attachments: [SHA_B] })
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(server.batches).toEqual([])
    book.setAnswer('rcd_test', 'fail')
    book.setPhotos('board_no_burn', [SHA_A, SHA_B]) // the same photo twice goes once
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(server.batches[0]).toEqual([
      { key: 'board_no_burn', answer: 'fail', attachments: [SHA_A, SHA_B] },
      { key: 'rcd_test', answer: 'fail', note: '漏保按钮卡滞', attachments: [SHA_B] },
    ])
    await server.answer()
    book.setPhotos('board_no_burn', [SHA_B]) // the photo taken here removed again
    book.removeKept('board_no_burn', SHA_A) // and the one saved before
    expect(book.item('board_no_burn')).toMatchObject({ kept: [], attachments: [SHA_B], state: 'waiting' })
  })

  it('ignores changes that change nothing, and cuts notes at the server limit', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5, { answers: [saved('board_clear')] }), server.send)
    book.setAnswer('board_clear', 'pass')
    book.setPhotos('board_clear', [])
    expect(book.item('board_clear').state).toBe('saved')
    book.setNote('board_clear', 'x'.repeat(NOTE_MAX + 10))
    expect(book.item('board_clear').note).toHaveLength(NOTE_MAX)
  })

  it('flush() sends at once and resolves when the server has everything, or stops at no answer', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5), server.send)
    book.setAnswer('board_clear', 'pass')
    const done = book.flush()
    expect(server.batches).toHaveLength(1)
    await server.answer()
    await done
    expect(book.unsaved()).toEqual([])

    book.setAnswer('rcd_test', 'pass')
    const stopped = book.flush()
    await server.fail(new NetworkError('no answer'))
    await stopped
    expect(server.batches).toHaveLength(2)
    expect(book.unsaved()).toEqual(['rcd_test'])
  })

  it('is read-only once the inspection is completed', async () => {
    const server = fakeSend()
    const book = new AnswerBook(inspection(5, { state: 'completed', answers: [saved('board_clear')] }), server.send)
    book.setAnswer('board_clear', 'fail')
    book.setNote('rcd_test', '…')
    await book.flush()
    expect(book.readOnly).toBe(true)
    expect(book.item('board_clear').answer).toBe('pass')
    expect(book.item('rcd_test').note).toBe('')
    expect(server.batches).toEqual([])
  })
})

describe('AnswerBook through the API client', () => {
  useFakeServer()

  it('posts the batch to /inspections/{id}/answers with the token', async () => {
    await startSession({ token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user })
    server.answers.push(json(200, { results: [{ index: 0, key: 'board_clear', status: 'saved', error: null }], inspection: inspection(5, { answered: 1 }) }))
    const book = new AnswerBook(inspection(5))
    book.setAnswer('board_clear', 'pass')
    await book.flush()
    expect(server.calls[0]?.url).toBe('/api/v1/inspections/5/answers')
    expect(server.calls[0]?.init.method).toBe('POST')
    expect(JSON.parse(String(server.calls[0]?.init.body))).toEqual({ answers: [{ key: 'board_clear', answer: 'pass' }] })
    expect(book.item('board_clear').state).toBe('saved')
    expect(book.inspection.answered).toBe(1)
  })
})
