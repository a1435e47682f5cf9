import { beforeEach, describe, expect, it } from 'vitest'
import { loadMeta, loadOutbox, loadPhoto, loadRecord, loadRecords, savePhoto, savePulled } from '../../platform/db'
import { ApiError, NetworkError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { forgetIdentity } from './identity'
import { SyncLoop, type LoopDeps } from './loop'
import { enqueue } from './outbox'
import type { Transport } from './transport'
import type { Change, MutationResult, PullAnswer, PushAnswer, PushBody } from './types'

useFakeServer()

beforeEach(async () => {
  forgetIdentity()
  await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
})

/** The server, as the loop sees it: answers queued per call, every call recorded. */
class FakeServer implements Transport {
  calls: string[] = []
  pushes: PushBody[] = []
  cursors: (string | null)[] = []
  answer: (m: PushBody['mutations'][number]) => MutationResult = (m) => ({ mutation_id: m.mutation_id, status: 'applied' })
  pushError: Error | null = null
  pages: (PullAnswer | Error)[] = []
  uploadErrors = new Map<string, Error>()
  gate: Promise<void> | null = null

  async push(body: PushBody): Promise<PushAnswer> {
    this.calls.push(`push ${body.mutations.length}`)
    this.pushes.push(body)
    if (this.gate) await this.gate
    if (this.pushError) throw this.pushError
    return { results: body.mutations.map((m) => this.answer(m)) }
  }

  async pull(cursor: string | null): Promise<PullAnswer> {
    this.calls.push(`pull ${cursor ?? '-'}`)
    this.cursors.push(cursor)
    const page = this.pages.shift() ?? { cursor: cursor ?? 'c0', changes: [], more: false }
    if (page instanceof Error) throw page
    return page
  }

  async upload(sha256: string): Promise<void> {
    this.calls.push(`upload ${sha256.slice(0, 4)}`)
    const error = this.uploadErrors.get(sha256)
    if (error) throw error
  }
}

function hazardChange(id: number, extra: Partial<Change> = {}): Change {
  return { entity: 'hazard', entity_id: String(id), version: id, deleted: false, fields: { id, title: `隐患 ${id}` }, ...extra }
}

interface Harness {
  server: FakeServer
  loop: SyncLoop
  timers: { fn: () => void; ms: number }[]
}

function harness(overrides: Partial<LoopDeps> = {}): Harness {
  const server = new FakeServer()
  const timers: { fn: () => void; ms: number }[] = []
  const loop = new SyncLoop({
    transport: server,
    userId: () => user.id,
    clientId: async () => 'client-1',
    setTimer: (fn, ms) => {
      const timer = { fn, ms }
      timers.push(timer)
      return timer
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as { fn: () => void; ms: number })
      if (i >= 0) timers.splice(i, 1)
    },
    ...overrides,
  })
  return { server, loop, timers }
}

const write = (title: string, extra: { attachments?: string[] } = {}) =>
  enqueue({ entity: 'hazard', entity_id: '12', op: 'update', fields: { title, ...extra }, about: {} })

describe('a round', () => {
  it('pushes oldest first, pulls, saves the records and the cursor, then drops what the server took', async () => {
    const { server, loop } = harness()
    const a = await write('a')
    const b = await write('b')
    server.pages = [{ cursor: 'c1', changes: [hazardChange(12)], more: false }]
    expect(await loop.request()).toBe('done')
    expect(server.calls).toEqual(['push 2', 'pull -'])
    expect(server.pushes[0]).toMatchObject({ v: 1, client_id: 'client-1' })
    expect(server.pushes[0]?.mutations.map((m) => m.mutation_id)).toEqual([a.mutation.mutation_id, b.mutation.mutation_id])
    expect(await loadOutbox()).toEqual([])
    expect((await loadRecord('hazard', '12'))?.server_id).toBe(12)
    expect(await loadMeta('pull')).toMatchObject({ user_id: user.id, cursor: 'c1' })
    expect((await loadMeta('pull'))?.synced_at).not.toBeNull()
    expect(loop.status).toMatchObject({ running: false, outcome: 'done', failures: 0 })
  })

  it('keeps a rejection, and a duplicate whose first answer was a rejection, with the server’s words', async () => {
    const { server, loop } = harness()
    await write('applied')
    await write('merged')
    await write('rejected')
    await write('dup-ok')
    await write('dup-rejected')
    const answers: Record<string, MutationResult['status']> = { applied: 'applied', merged: 'merged', rejected: 'rejected' }
    server.answer = (m) => {
      const title = String(m.fields.title)
      if (title === 'dup-ok') return { mutation_id: m.mutation_id, status: 'duplicate', was: 'applied' }
      if (title === 'dup-rejected') return { mutation_id: m.mutation_id, status: 'duplicate', was: 'rejected', reason: 'fields.title: too long' }
      return { mutation_id: m.mutation_id, status: answers[title] ?? 'applied', reason: title === 'applied' ? null : `${title} because` }
    }
    await loop.request()
    expect((await loadOutbox()).map((e) => [e.mutation.fields.title, e.status, e.reason])).toEqual([
      ['rejected', 'rejected', 'rejected because'],
      ['dup-rejected', 'rejected', 'fields.title: too long'],
    ])
  })

  it('uploads the photos a batch names first; a photo that gets no answer stops the round', async () => {
    const { server, loop, timers } = harness()
    const sha = 'ab'.repeat(32)
    await savePhoto({ sha256: sha, blob: new Blob(['jpeg']), type: 'image/jpeg', user_id: user.id, saved_at: Date.now(), uploaded: false })
    await write('with photo', { attachments: [sha] })
    server.uploadErrors.set(sha, new NetworkError('no answer'))
    expect(await loop.request()).toBe('offline')
    expect(server.calls).toEqual(['upload abab'])
    expect((await loadOutbox()).map((e) => e.status)).toEqual(['pending'])
    expect(timers.map((t) => t.ms)).toEqual([5_000])

    server.uploadErrors.clear()
    await loop.request() // as the retry timer or the online event would
    expect(timers).toEqual([])
    expect(server.calls.slice(1)).toEqual(['upload abab', 'push 1', 'pull -'])
    // Taken by the server and named by nothing waiting: the copy goes.
    expect(await loadPhoto(sha)).toBeUndefined()
    expect(await loadOutbox()).toEqual([])
  })

  it('pushes a photo the server refuses anyway, so the refusal reaches the user', async () => {
    const { server, loop } = harness()
    const sha = 'cd'.repeat(32)
    await savePhoto({ sha256: sha, blob: new Blob(['x']), type: 'image/jpeg', user_id: user.id, saved_at: Date.now(), uploaded: false })
    await write('bad photo', { attachments: [sha] })
    server.uploadErrors.set(sha, new ApiError(400, 'sha256: the body does not match', 'sha256'))
    server.answer = (m) => ({ mutation_id: m.mutation_id, status: 'rejected', reason: 'attachments[0]: no attachment cdcd…' })
    expect(await loop.request()).toBe('done')
    expect(server.calls).toEqual(['upload cdcd', 'push 1', 'pull -'])
    expect((await loadOutbox())[0]).toMatchObject({ status: 'rejected', reason: 'attachments[0]: no attachment cdcd…' })
  })

  it('sends at most 200 per push', async () => {
    const { server, loop } = harness()
    for (let i = 0; i < 450; i++) await write(`t${i}`)
    await loop.request()
    expect(server.calls).toEqual(['push 200', 'push 200', 'push 50', 'pull -'])
    expect(loop.status.outcome).toBe('done')
  })

  it('pulls while the server says more, and a tombstone drops the record', async () => {
    const { server, loop } = harness()
    await savePulled([hazardChange(7)], { user_id: user.id, cursor: 'c0', synced_at: 1 })
    server.pages = [
      { cursor: 'c1', changes: [hazardChange(12), hazardChange(13)], more: true },
      { cursor: 'c2', changes: [hazardChange(7, { deleted: true, fields: {} })], more: false },
    ]
    await loop.request()
    expect(server.cursors).toEqual(['c0', 'c1'])
    expect((await loadRecords('hazard')).map((r) => r.entity_id).sort()).toEqual(['12', '13'])
    expect((await loadMeta('pull'))?.cursor).toBe('c2')
  })

  it('a cursor the server cannot read: pull from scratch, and drop what that pull does not bring', async () => {
    const { server, loop } = harness()
    await savePulled([hazardChange(7), hazardChange(8)], { user_id: user.id, cursor: 'old', synced_at: 1 })
    server.pages = [new ApiError(400, 'cursor: not a cursor of this server', 'cursor'), { cursor: 'fresh', changes: [hazardChange(8)], more: false }]
    expect(await loop.request()).toBe('done')
    expect(server.cursors).toEqual(['old', null])
    expect((await loadRecords('hazard')).map((r) => r.entity_id)).toEqual(['8'])
    expect((await loadMeta('pull'))?.cursor).toBe('fresh')
  })

  it('a pull for another user starts from scratch', async () => {
    const { server, loop } = harness()
    await savePulled([], { user_id: user.id + 1, cursor: 'theirs', synced_at: 1 })
    await loop.request()
    expect(server.cursors).toEqual([null])
  })

  it('no answer to a push: back to waiting, tried again after 5, 15, 30, then 60 s', async () => {
    const { server, loop, timers } = harness()
    await write('a')
    server.pushError = new NetworkError('no answer')
    const delays: number[] = []
    for (let i = 0; i < 5; i++) {
      expect(await loop.request()).toBe('offline')
      delays.push(...timers.map((t) => t.ms))
    }
    expect(delays).toEqual([5_000, 15_000, 30_000, 60_000, 60_000])
    expect((await loadOutbox()).map((e) => e.status)).toEqual(['pending'])
    server.pushError = null
    await loop.request()
    expect(loop.status.failures).toBe(0)
    expect(timers).toEqual([])
  })

  it('makes no request while the browser knows it is offline, and tries again later', async () => {
    let offline = true
    const { server, loop, timers } = harness({ offline: () => offline })
    await write('a')
    expect(await loop.request()).toBe('offline')
    expect(server.calls).toEqual([])
    expect(timers.map((t) => t.ms)).toEqual([5_000])
    offline = false
    expect(await loop.request()).toBe('done')
    expect(server.calls).toEqual(['push 1', 'pull -'])
  })

  it('a 401 ends it without a retry', async () => {
    const { server, loop, timers } = harness()
    server.pages = [new ApiError(401, 'token expired')]
    expect(await loop.request()).toBe('signed_out')
    expect(timers).toEqual([])
  })
})

describe('one round at a time', () => {
  it('a trigger during a round runs one more round after it, never two at once', async () => {
    const { server, loop } = harness()
    await write('a')
    let open!: () => void
    server.gate = new Promise((resolve) => (open = resolve))
    const first = loop.request()
    await new Promise((r) => setTimeout(r, 20))
    expect(loop.status.running).toBe(true)
    await write('b')
    const second = loop.request()
    const third = loop.request()
    expect(second).toBe(first)
    expect(third).toBe(first)
    expect(server.calls).toEqual(['push 1'])
    server.gate = null
    open()
    await first
    // "b", written during the first push, goes in the same round; the triggers that came meanwhile make one more
    // round (a pull), not two.
    expect(server.calls).toEqual(['push 1', 'push 1', 'pull -', 'pull c0'])
    expect(await loadOutbox()).toEqual([])
  })

  it('tells a page waiting on a mutation how the server took it', async () => {
    const { server, loop } = harness()
    const ok = await write('ok')
    const no = await write('no')
    server.answer = (m) =>
      m.fields.title === 'no' ? { mutation_id: m.mutation_id, status: 'rejected', reason: 'not yours' } : { mutation_id: m.mutation_id, status: 'applied' }
    const waitOk = loop.settle(ok.mutation.mutation_id)
    const waitNo = loop.settle(no.mutation.mutation_id)
    await loop.request()
    expect(await waitOk).toEqual({ status: 'acked' })
    expect(await waitNo).toEqual({ status: 'rejected', reason: 'not yours' })

    const later = await write('later')
    server.pushError = new NetworkError('gone')
    const waitLater = loop.settle(later.mutation.mutation_id)
    await loop.request()
    expect(await waitLater).toEqual({ status: 'pending' })
  })

  it('answers a page at once when the round that carried its mutation already ended', async () => {
    const { server, loop } = harness()
    const sent = await write('sent')
    await loop.request()
    expect(await loop.settle(sent.mutation.mutation_id)).toEqual({ status: 'acked' })

    const stuck = await write('stuck')
    server.pushError = new NetworkError('gone')
    expect(await loop.request()).toBe('offline')
    // Without an answer now, the page would wait for the next retry or the 15 s timeout.
    expect(await loop.settle(stuck.mutation.mutation_id, 60_000)).toEqual({ status: 'pending' })
  })
})
