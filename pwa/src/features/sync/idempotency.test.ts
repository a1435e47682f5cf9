// The client half of offline_sync/vectors/idempotency.json: what the outbox makes of each answer a push can get
// (pytest runs the server half, the pushes themselves, against offline_sync/apply.py). A duplicate is settled by
// its first answer, so a phone whose first answer was lost still learns of a refusal.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { settle } from './push'
import type { MutationResult } from './types'

interface ClientCase {
  answer: Omit<MutationResult, 'mutation_id'>
  outbox: 'drop' | 'rejected'
}

const FILE = join(__dirname, '..', '..', '..', '..', 'offline_sync', 'vectors', 'idempotency.json')
const CASES = (JSON.parse(readFileSync(FILE, 'utf-8')) as { client: ClientCase[] }).client

describe('the outbox and the answers to a push (offline_sync/vectors/idempotency.json)', () => {
  it.each(CASES.map((c) => [`${c.answer.status}${c.answer.was ? ` (was ${c.answer.was})` : ''}`, c] as const))(
    '%s',
    (_name, c) => {
      const change = settle(3, { mutation_id: 'm', ...c.answer } as MutationResult)
      expect(change.seq).toBe(3)
      if (c.outbox === 'drop') {
        expect(change.status).toBe('acked')
      } else {
        expect(change).toMatchObject({ status: 'rejected', reason: c.answer.reason })
      }
    },
  )
})
