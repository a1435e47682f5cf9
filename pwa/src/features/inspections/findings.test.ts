import { describe, expect, it } from 'vitest'
import { item, saved } from '../../test/inspections'
import { entry } from '../../test/sync'
import { localHazards, localInspection } from '../sync/overlay'
import { findingHazards, hazardDescription, hazardTitle, itemNumbers } from './findings'
import { noticeRows } from './NoticePage'

const BOARD = item('board_clear', {
  text: { 'zh-CN': '配电箱（柜）前 0.8 m 内无杂物、可燃物堆放', en: 'Nothing stored in front of the board' },
  finding: { 'zh-CN': '配电箱（柜）前 0.8 m 内堆放杂物、可燃物', en: 'Things stored in front of the board' },
})
// A checklist that extends another adds items to the parent's section (智慧用电) after its own sections.
const ITEMS = [
  BOARD,
  item('monitor_online', { section: '智慧用电', finding: { 'zh-CN': '探测器离线' } }),
  item('no_overload', { section: '插座与用电设备', finding: { 'zh-CN': '插线板串接，过载使用' } }),
  item('arc_coverage', { section: '智慧用电', major: true, finding: { 'zh-CN': '回路未设故障电弧探测' } }),
]

describe('a failed item in words', () => {
  it('is titled with what was found: the failure wording, or the first line of the inspector’s note', () => {
    expect(hazardTitle(BOARD, '')).toBe('配电箱（柜）前 0.8 m 内堆放杂物、可燃物')
    expect(hazardTitle(BOARD, '  收银台后堆满纸箱\n另见照片')).toBe('收银台后堆满纸箱')
    expect(hazardTitle(item('old'), '')).toBe('检查项 old') // a checklist without findings: the requirement
    expect(hazardTitle(BOARD, 'x'.repeat(150))).toHaveLength(100)
  })

  it('describes the note, then the requirement with its number', () => {
    expect(hazardDescription(BOARD, '', 1)).toBe('检查项 1：配电箱（柜）前 0.8 m 内无杂物、可燃物堆放')
    expect(hazardDescription(BOARD, '纸箱', 3)).toBe('纸箱\n检查项 3：配电箱（柜）前 0.8 m 内无杂物、可燃物堆放')
  })

  it('numbers items down the page, sections kept: a section’s later items follow on', () => {
    expect([...itemNumbers(ITEMS)]).toEqual([['board_clear', 1], ['monitor_online', 2], ['arc_coverage', 3], ['no_overload', 4]])
  })
})

describe('hazards made on the phone when an inspection is signed', () => {
  const answers = [
    saved('board_clear', { answer: 'fail' }),
    saved('monitor_online'),
    saved('no_overload', { answer: 'fail', note: '三个插线板串接', attachments: ['a'.repeat(64)] }),
    saved('arc_coverage', { answer: 'fail' }),
  ]
  const visit = { entity_id: 'v-1', site_id: 4, items: ITEMS, answers }

  it('makes one per failed item in checklist order, assigned to the owner, due by severity', () => {
    const made = findingHazards(visit, 9, 1_800_000_000)
    expect(made.map((h) => [h.item, h.title, h.severity, h.due - 1_800_000_000])).toEqual([
      ['board_clear', '配电箱（柜）前 0.8 m 内堆放杂物、可燃物', 'general', 7 * 86400],
      ['arc_coverage', '回路未设故障电弧探测', 'major', 3 * 86400],
      ['no_overload', '三个插线板串接', 'general', 7 * 86400],
    ])
    expect(made.every((h) => h.assignee_id === 9 && h.inspection_id === 'v-1' && h.source === 'inspection')).toBe(true)
    expect(made[2]?.attachments).toEqual(['a'.repeat(64)])
    expect(findingHazards(visit, null, 0)[0]).not.toHaveProperty('assignee_id')
  })

  it('shows them on the device at once, pending, on the inspection and among the hazards', () => {
    const [first] = findingHazards(visit, 9, 1_800_000_000)
    const create = entry('hazard', 'h-1', 'create', { ...first }, { about: { title: first?.title, site_id: 4, site_name: '市场', assignee: '场所负责人' } })
    const start = entry('inspection', 'v-1', 'create', { site_id: 4, template_id: 'inspection-market' }, {
      about: { site_name: '市场', actor: '李娟', checklist: { template_id: 'inspection-market', template_version: 1, title: { 'zh-CN': '巡检', en: 'Inspection' }, items: ITEMS } },
    })
    const answer = entry('checklist_answer', 'a-1', 'append', { inspection_id: 'v-1', key: 'board_clear', answer: 'fail', note: '', attachments: [] })
    const sign = entry('inspection', 'v-1', 'transition', { to: 'completed', signed_by: '李娟', summary: '' })
    const ack = entry('inspection', 'v-1', 'transition', { to: 'acknowledged', signed_by: '王店主', signature: 'ab'.repeat(32) })
    const view = localInspection(undefined, [start, answer, create, sign, ack], new Set(), 'v-1')
    expect(view).toMatchObject({ state: 'completed', start_pending: true, sign_pending: true, site_name: '市场', failed: 1 })
    expect(view?.local_hazards).toEqual([{ entity_id: 'h-1', item: 'board_clear', title: '配电箱（柜）前 0.8 m 内堆放杂物、可燃物', pending: true }])
    expect(view).toMatchObject({ unit_signed_by: '王店主', unit_signature: 'ab'.repeat(32), unit_sign_pending: true })
    const [hazard] = localHazards([], [create])
    expect(hazard).toMatchObject({ title: '配电箱（柜）前 0.8 m 内堆放杂物、可燃物', state: 'assigned', assignee: '场所负责人', pending: 1 })
    // The notice lists the finding with its number and due date.
    expect(view && noticeRows(view, 'zh-CN').map((r) => [r.number, r.title])).toEqual([[1, '配电箱（柜）前 0.8 m 内堆放杂物、可燃物']])
  })
})
