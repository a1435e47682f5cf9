import { beforeEach, describe, expect, it } from 'vitest'
import { startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { inspection, ITEMS, saved } from '../../test/inspections'
import { entry, record } from '../../test/sync'
import { forgetIdentity } from '../sync/identity'
import { myOutbox } from '../sync/outbox'
import { localInspection } from '../sync/overlay'
import { ChecklistWriter, itemViews, NOTE_DEBOUNCE_MS, refusedKeys, type ItemView } from './device-answers'

useFakeServer()

beforeEach(async () => {
  forgetIdentity()
  await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
})

describe('itemViews', () => {
  it('says for each item where its answer is: synced, on the device, sending, refused', () => {
    const base = record('5', inspection(5, { answers: [saved('board_clear'), saved('rcd_test', { answer: 'na' })] }))
    const answer = (key: string, a: string, overrides = {}) =>
      entry('checklist_answer', `x-${key}`, 'append', { inspection_id: '5', key, answer: a, note: '烧痕', attachments: ['p1'] }, overrides)
    const detail = localInspection(base, [
      answer('board_no_burn', 'fail'),
      answer('stall_sockets', 'pass', { status: 'sending' }),
      answer('rcd_test', 'fail', { status: 'rejected', reason: 'fields.key: no such item' }),
    ])
    const views = itemViews(detail!)
    expect(Object.fromEntries(Object.entries(views).map(([k, v]) => [k, [v.answer, v.state, v.error]]))).toEqual({
      board_clear: ['pass', 'saved', null],
      board_no_burn: ['fail', 'waiting', null],
      rcd_test: ['na', 'rejected', 'fields.key: no such item'],
      stall_sockets: ['pass', 'sending', null],
    })
    expect(views.board_no_burn).toMatchObject({ note: '烧痕', kept: ['p1'], attachments: ['p1'] })
    expect(refusedKeys(views)).toEqual(['rcd_test'])
  })
})

describe('ChecklistWriter', () => {
  const REF = { entity_id: '5', id: 5, title: '用电安全检查' }
  function writer(views: Record<string, ItemView> = {}) {
    return new ChecklistWriter(REF, ITEMS, (item) => item.text['zh-CN'], () => views)
  }
  const fields = async () => (await myOutbox()).map((e) => e.mutation.fields)

  it('writes each answer at once, with the item’s note and photos, named for the refused list', async () => {
    const w = writer()
    await w.answer('board_no_burn', 'fail', '箱门内侧有烧痕')
    await w.addPhotos('board_no_burn', ['p1', 'p2'])
    expect(await fields()).toEqual([
      { inspection_id: '5', key: 'board_no_burn', answer: 'fail', note: '箱门内侧有烧痕', attachments: ['p1', 'p2'] },
    ])
    expect((await myOutbox())[0]?.about).toMatchObject({ server_id: 5, item: '箱内无烧蚀发黑痕迹', title: '用电安全检查' })
  })

  it('a note is written once typing pauses; one typed before the answer goes with it', async () => {
    const w = writer()
    w.note('rcd_test', '按钮')
    w.note('rcd_test', '按钮无反应')
    await new Promise((r) => setTimeout(r, NOTE_DEBOUNCE_MS + 100))
    expect(await fields()).toEqual([]) // no answer yet: nothing to send
    await w.answer('rcd_test', 'fail')
    w.note('board_clear', '正常')
    await w.answer('board_clear', 'pass')
    expect(await fields()).toEqual([
      { inspection_id: '5', key: 'rcd_test', answer: 'fail', note: '按钮无反应', attachments: [] },
      { inspection_id: '5', key: 'board_clear', answer: 'pass', note: '正常', attachments: [] },
    ])
  })

  it('flush writes the notes still being typed', async () => {
    const views: Record<string, ItemView> = { stall_sockets: { answer: 'pass', note: '', kept: [], attachments: [], state: 'saved', error: null } }
    const w = writer(views)
    w.note('stall_sockets', '3 号摊位插座松动')
    await w.flush()
    expect(await fields()).toEqual([{ inspection_id: '5', key: 'stall_sockets', answer: 'pass', note: '3 号摊位插座松动', attachments: [] }])
  })

  it('removing a photo sends the answer without it', async () => {
    const views: Record<string, ItemView> = { board_clear: { answer: 'pass', note: '', kept: ['p1', 'p2'], attachments: ['p1', 'p2'], state: 'saved', error: null } }
    await writer(views).removePhoto('board_clear', 'p1')
    expect((await fields())[0]?.attachments).toEqual(['p2'])
  })
})
