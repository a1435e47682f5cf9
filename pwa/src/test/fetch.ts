// The browser's fetch is the boundary of the app: tests queue the server's answers here; everything
// behind fetch (api, session, store, data) runs for real, IndexedDB via fake-indexeddb.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, vi } from 'vitest'
import { closeDb } from '../platform/db'
import { reportReachable } from '../platform/online'
import { restoreSession } from '../platform/session'

export type Answer = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | Error

export const server = {
  answers: [] as Answer[],
  calls: [] as { url: string; init: RequestInit }[],
}

export function json(status: number, body?: unknown): Answer {
  return { status, body }
}

export const noNetwork = (): Answer => new TypeError('Failed to fetch')

/** Call at the top of a test file: a fresh IndexedDB, no session, and fetch answered from `server`. */
export function useFakeServer(): void {
  beforeEach(async () => {
    await closeDb()
    globalThis.indexedDB = new IDBFactory()
    await restoreSession()
    reportReachable(true) // an earlier test's dead network is not this one's
    server.answers = []
    server.calls = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      server.calls.push({ url, init })
      const answer = server.answers.shift()
      if (!answer) throw new Error(`no answer queued for ${url}`)
      if (answer instanceof Error) throw answer
      const text = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body))
      return new Response(answer.status === 204 ? null : text, {
        status: answer.status,
        headers: { 'Content-Type': answer.text === undefined ? 'application/json' : 'text/plain', ...answer.headers },
      })
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })
}
