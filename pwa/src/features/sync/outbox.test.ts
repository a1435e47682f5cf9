import { beforeEach, describe, expect, it } from 'vitest'
import { loadMeta, loadOutbox, loadPhoto } from '../../platform/db'
import { startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { onSyncChange, type SyncChange } from './changes'
import { compare, parse } from './hlc'
import { forgetIdentity } from './identity'
import { countsOf, dismiss, enqueue, myOutbox, NotSignedIn } from './outbox'
import { answerItem, signInspection } from './writes'

useFakeServer()

beforeEach(() => forgetIdentity())

const signIn = () => startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
const INSPECTION = { entity_id: '5', id: 5, title: '用电安全检查' }

describe('the outbox', () => {
  it('writes a mutation with ids made here and a stamp of this device’s clock, and says so', async () => {
    await signIn()
    const heard: SyncChange[] = []
    const stop = onSyncChange((c) => heard.push(c))
    const photo = { sha256: 'ab'.repeat(32), blob: new Blob(['x']), type: 'image/jpeg', user_id: user.id, saved_at: 1, uploaded: false }
    const first = await enqueue({ entity: 'hazard', entity_id: '12', op: 'transition', fields: { to: 'verified' }, about: { server_id: 12 }, photos: [photo] })
    const second = await enqueue({ entity: 'hazard', entity_id: '12', op: 'transition', fields: { to: 'closed' }, about: {} })
    stop()

    const client = await loadMeta('client')
    expect(client?.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(client?.node).toBe(client?.client_id.replace(/-/g, ''))
    expect(first.mutation.mutation_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(parse(first.mutation.hlc).node).toBe(client?.node)
    expect(compare(parse(first.mutation.hlc), parse(second.mutation.hlc))).toBeLessThan(0)
    expect(await loadMeta('clock')).toBe(second.mutation.hlc)
    expect(first.about).toMatchObject({ actor: user.display_name, actor_role: user.role, server_id: 12 })
    expect((await loadOutbox()).map((e) => [e.seq, e.status, e.mutation.fields.to])).toEqual([
      [first.seq, 'pending', 'verified'],
      [second.seq, 'pending', 'closed'],
    ])
    expect(await loadPhoto(photo.sha256)).toMatchObject({ type: 'image/jpeg', uploaded: false })
    expect(heard).toEqual(['written', 'written'])
  })

  it('keeps stamping after the last one kept, even when the phone’s clock goes back', async () => {
    await signIn()
    const late = await enqueue({ entity: 'hazard', entity_id: '1', op: 'update', fields: { title: 'a' }, about: {} }, 1_900_000_000_000)
    forgetIdentity() // a restart
    const early = await enqueue({ entity: 'hazard', entity_id: '1', op: 'update', fields: { title: 'b' }, about: {} }, 1_800_000_000_000)
    expect(early.mutation.hlc > late.mutation.hlc).toBe(true)
  })

  it('replaces an answer to the same item that has not gone yet, not one in flight or another item’s', async () => {
    await signIn()
    const a = await answerItem(INSPECTION, 'rcd_test', '漏电保护', { answer: 'pass', note: '', attachments: [] })
    await answerItem(INSPECTION, 'board_clear', '配电箱', { answer: 'pass', note: '', attachments: [] })
    const b = await answerItem(INSPECTION, 'rcd_test', '漏电保护', { answer: 'fail', note: '不跳闸', attachments: ['cd'] })
    expect((await myOutbox()).map((e) => [e.mutation.fields.key, e.mutation.fields.answer])).toEqual([
      ['board_clear', 'pass'],
      ['rcd_test', 'fail'],
    ])
    expect(a.mutation.entity_id).not.toBe(b.mutation.entity_id)
    expect(b.mutation.fields).toEqual({ inspection_id: '5', key: 'rcd_test', answer: 'fail', note: '不跳闸', attachments: ['cd'] })
    await signInspection(INSPECTION, '李娟', '')
    expect((await myOutbox()).at(-1)?.mutation).toMatchObject({ entity: 'inspection', entity_id: '5', op: 'transition', fields: { to: 'completed', signed_by: '李娟', summary: '' } })
  })

  it('drops an entry only when dismissed, and counts what waits and what was refused', async () => {
    await signIn()
    const e = await enqueue({ entity: 'hazard', entity_id: '1', op: 'update', fields: { title: 'a' }, about: {} })
    expect(countsOf([{ status: 'pending' }, { status: 'sending' }, { status: 'acked' }, { status: 'rejected' }])).toEqual({ pending: 2, rejected: 1 })
    await dismiss([e.seq as number])
    expect(await myOutbox()).toEqual([])
  })

  it('writes nothing for nobody', async () => {
    await expect(enqueue({ entity: 'hazard', entity_id: '1', op: 'update', fields: {}, about: {} })).rejects.toBeInstanceOf(NotSignedIn)
    expect(await myOutbox()).toEqual([])
  })
})
