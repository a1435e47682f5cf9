// What push makes of the answers beyond the shared vectors (idempotency.test.ts runs those), and which photos a
// batch must upload first.
import { describe, expect, it } from 'vitest'
import { photosNamed, settle } from './push'

describe('push', () => {
  const e = (fields: Record<string, unknown>) => ({ mutation: { mutation_id: 'm', hlc: 'h', entity: 'hazard' as const, entity_id: '1', op: 'transition' as const, fields } })

  it('sends again what the answer left out, and keeps a merge’s reason', () => {
    expect(settle(4, undefined)).toEqual({ seq: 4, status: 'pending' })
    expect(settle(5, { mutation_id: 'm', status: 'merged', reason: 'fields.title: newer kept' })).toEqual({
      seq: 5,
      status: 'acked',
      result: 'merged',
      reason: 'fields.title: newer kept',
    })
    expect(settle(6, { mutation_id: 'm', status: 'rejected' })).toMatchObject({ status: 'rejected', reason: '—' })
  })

  it('finds the photos a batch names, each once', () => {
    expect(photosNamed([e({ attachments: ['a', 'b'] }), e({ attachments: ['b', 3] }), e({ to: 'closed' })])).toEqual(['a', 'b'])
  })

  it('uploads a drawn signature before the acknowledgement that names it', () => {
    const ack = e({ to: 'acknowledged', signed_by: '王店主', signature: 'c' })
    expect(photosNamed([e({ attachments: ['a'] }), ack, e({ to: 'acknowledged', signed_by: 'x', signature: null })])).toEqual(['a', 'c'])
  })
})
