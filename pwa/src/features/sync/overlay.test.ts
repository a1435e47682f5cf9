import { describe, expect, it } from 'vitest'
import { event, hazardDetail } from '../../test/hazards'
import { inspection, saved } from '../../test/inspections'
import { entry, record } from '../../test/sync'
import { localHazard, localHazards, localInspection } from './overlay'

const H = '12'
const rectified = () => record(H, hazardDetail(12, { state: 'rectified', rectified_by: '王老板', events: [event(1)] }))

describe('a hazard with this device’s changes on top', () => {
  it('shows a pending move as its target state, with the event at the end marked pending', () => {
    const verify = entry('hazard', H, 'transition', { to: 'verified', note: '现场已复查' })
    const h = localHazard(rectified(), H, [verify])
    expect(h?.state).toBe('verified')
    expect(h?.verified_by).toBe('李娟')
    expect(h?.pending).toBe(1)
    expect(h?.pendingFields).toEqual(['state'])
    expect(h?.events.at(-1)).toMatchObject({ kind: 'verified', state: 'verified', note: '现场已复查', actor: '李娟', pending: true })
  })

  it('leaves out a move the shown state does not allow (the server will refuse it), and rejected ones', () => {
    const closeTooEarly = entry('hazard', H, 'transition', { to: 'closed' })
    const refused = entry('hazard', H, 'transition', { to: 'verified' }, { status: 'rejected', reason: 'fields.to: …' })
    const h = localHazard(rectified(), H, [closeTooEarly, refused])
    expect(h?.state).toBe('rectified')
    expect(h?.events).toHaveLength(1)
  })

  it('chains moves: verify then close', () => {
    const h = localHazard(rectified(), H, [entry('hazard', H, 'transition', { to: 'verified' }), entry('hazard', H, 'transition', { to: 'closed' })])
    expect(h?.state).toBe('closed')
    expect(h?.events.map((e) => e.kind)).toEqual(['created', 'verified', 'closed'])
  })

  it('a rejection sends it back to assigned; an assignment names the assignee given', () => {
    const back = localHazard(rectified(), H, [entry('hazard', H, 'transition', { to: 'rejected', note: '插座仍松动' })])
    expect(back?.state).toBe('assigned')
    const open = record(H, hazardDetail(12, { state: 'open', assignee_id: null, assignee: null }))
    const assigned = localHazard(open, H, [entry('hazard', H, 'transition', { to: 'assigned', assignee_id: 4, due: 1_764_000_000 }, { about: { assignee: '王老板' } })])
    expect(assigned).toMatchObject({ state: 'assigned', assignee_id: 4, assignee: '王老板', due_at: 1_764_000_000 })
  })

  it('appends a comment at the end of the thread, marked pending, and acked ones unmarked', () => {
    const comment = entry('hazard_comment', 'c1', 'append', { hazard_id: H, text: '已联系电工', attachments: ['ab'] })
    const acked = entry('hazard_comment', 'c2', 'append', { hazard_id: H, text: '电工明天到' }, { status: 'acked' })
    const h = localHazard(rectified(), H, [comment, acked])
    expect(h?.events.slice(-2).map((e) => [e.kind, e.note, e.pending, e.attachments])).toEqual([
      ['comment', '已联系电工', true, ['ab']],
      ['comment', '电工明天到', false, []],
    ])
    expect(h?.pending).toBe(1)
  })

  it('an edit sets only its fields', () => {
    const h = localHazard(rectified(), H, [entry('hazard', H, 'update', { title: '插座面板烧蚀' })])
    expect(h?.title).toBe('插座面板烧蚀')
    expect(h?.description).toBe(hazardDetail(12).description)
    expect(h?.pendingFields).toEqual(['title'])
  })

  it('a hazard reported here shows before the server has it; without record or report there is none', () => {
    const create = entry('hazard', 'u-1', 'create', { site_id: 3, title: '配电箱门损坏', severity: 'major', assignee_id: 4 }, { about: { site_name: '惠民超市', assignee: '王老板', actor: '李娟' } })
    const h = localHazard(undefined, 'u-1', [create])
    expect(h).toMatchObject({ id: 0, entity_id: 'u-1', site_id: 3, site_name: '惠民超市', state: 'assigned', severity: 'major', assignee: '王老板', created_by: '李娟', pending: 1 })
    expect(h?.due_at).toBe(Math.floor(create.created_at / 1000) + 3 * 86400)
    expect(h?.events.map((e) => e.kind)).toEqual(['created', 'assigned'])
    expect(localHazard(undefined, 'u-2', [create])).toBeNull()
  })

  it('holds back what a page waits on the server for', () => {
    const verify = entry('hazard', H, 'transition', { to: 'verified' })
    expect(localHazard(rectified(), H, [verify], new Set([verify.mutation.mutation_id]))?.state).toBe('rectified')
  })

  it('lists pulled hazards and those reported here', () => {
    const list = localHazards(
      [rectified(), record('13', hazardDetail(13))],
      [entry('hazard', 'u-9', 'create', { site_id: 1, title: '新隐患' }), entry('hazard', '13', 'update', { title: '改了' })],
    )
    expect(list.map((h) => [h.entity_id, h.title])).toEqual([
      ['12', '插座烧焦发黑'],
      ['13', '改了'],
      ['u-9', '新隐患'],
    ])
  })
})

describe('an inspection with this device’s answers on top', () => {
  const I = '5'
  const base = () => record(I, inspection(5, { answers: [saved('board_clear'), saved('rcd_test', { answer: 'na' })] }))
  const answer = (key: string, a: string, overrides = {}) =>
    entry('checklist_answer', `a-${key}-${a}`, 'append', { inspection_id: I, key, answer: a, note: a === 'fail' ? '有烧痕' : '', attachments: [] }, overrides)

  it('replaces answers by key, newest stamp wins, with each item’s state', () => {
    const older = answer('board_no_burn', 'pass')
    const newer = answer('board_no_burn', 'fail', { status: 'sending' })
    // Written in the other order: the stamps decide.
    const view = localInspection(base(), [newer, older, answer('board_clear', 'na', { status: 'acked' })])
    expect(view?.answers.map((a) => [a.key, a.answer])).toEqual([
      ['board_clear', 'na'],
      ['board_no_burn', 'fail'],
      ['rcd_test', 'na'],
    ])
    expect(view?.items_state).toEqual({
      board_clear: { state: 'synced', reason: null },
      board_no_burn: { state: 'sending', reason: null },
      rcd_test: { state: 'synced', reason: null },
    })
    expect(view).toMatchObject({ answered: 3, failed: 1, pending: 2 })
  })

  it('an item whose newest answer was refused keeps the server’s answer and says why', () => {
    const view = localInspection(base(), [answer('rcd_test', 'fail', { status: 'rejected', reason: 'key: no such item' })])
    expect(view?.answers.find((a) => a.key === 'rcd_test')?.answer).toBe('na')
    expect(view?.items_state.rcd_test).toEqual({ state: 'rejected', reason: 'key: no such item' })
    // Answered again afterwards: the new answer counts.
    const again = localInspection(base(), [answer('rcd_test', 'fail', { status: 'rejected', reason: 'x' }), answer('rcd_test', 'pass')])
    expect(again?.items_state.rcd_test).toEqual({ state: 'device', reason: null })
  })

  it('signing shows it completed, pending; a refused signing says why', () => {
    const sign = entry('inspection', I, 'transition', { to: 'completed', signed_by: '李娟', summary: '良好' })
    const view = localInspection(base(), [sign])
    expect(view).toMatchObject({ state: 'completed', signed_by: '李娟', summary: '良好', sign_pending: true, sign_rejected: null })
    const refused = localInspection(base(), [{ ...sign, status: 'rejected', reason: 'answers: 2 items unanswered' }])
    expect(refused).toMatchObject({ state: 'in_progress', sign_rejected: 'answers: 2 items unanswered' })
    expect(localInspection(undefined, [sign])).toBeNull()
  })
})
