import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { at, hazard, NOW } from '../../test/hazards'
import {
  dateInputValue,
  defaultDue,
  defaultDueText,
  dueFromDateInput,
  dueText,
  FILTERS,
  groupAssignees,
  listPath,
  newHazardPath,
  overdueDays,
  parseListSearch,
  queryOf,
  refusalText,
  sortHazards,
} from './model'

describe('queryOf', () => {
  it.each([
    ['all', undefined, {}],
    ['todo', undefined, { states: ['open', 'assigned'] }],
    ['review', undefined, { states: ['rectified'] }],
    ['overdue', undefined, { overdue: true }],
    ['mine', undefined, { mine: true }],
    ['closed', 3, { states: ['closed'], site_id: 3 }],
    ['all', 3, { site_id: 3 }],
  ] as const)('%s (site %s) → %j', (filter, site, query) => {
    expect(queryOf(filter, site)).toEqual(query)
  })
})

describe('list addresses', () => {
  it.each([
    ['', { filter: 'all' }, '/hazards'],
    ['?f=review', { filter: 'review' }, '/hazards?f=review'],
    ['?f=mine&site=3', { filter: 'mine', siteId: 3 }, '/hazards?f=mine&site=3'],
    ['?site=3', { filter: 'all', siteId: 3 }, '/hazards?site=3'],
    ['?f=bogus&site=x', { filter: 'all' }, '/hazards'],
    ['?site=-2', { filter: 'all' }, '/hazards'],
    ['?site=1.5', { filter: 'all' }, '/hazards'],
  ] as const)('%s ↔ %j', (search, view, path) => {
    expect(parseListSearch(search)).toEqual(view)
    expect(listPath(view)).toBe(path)
  })

  it('round-trips every filter', () => {
    for (const filter of FILTERS) {
      const path = listPath({ filter, siteId: 9 })
      expect(parseListSearch(path.slice(path.indexOf('?')))).toEqual({ filter, siteId: 9 })
    }
  })

  it('starts the report form with the site when there is one', () => {
    expect(newHazardPath()).toBe('/hazards/new')
    expect(newHazardPath(3)).toBe('/hazards/new?site=3')
    expect(parseListSearch('?site=3').siteId).toBe(3)
  })
})

describe('sortHazards', () => {
  it('puts closed ones last, then soonest due, then oldest', () => {
    const list = [
      hazard(1, { state: 'closed', due_at: at(20) }),
      hazard(2, { state: 'rectified', due_at: at(28) }),
      hazard(3, { state: 'assigned', due_at: at(22), overdue: true }),
      hazard(4, { state: 'open', due_at: at(28) }),
      hazard(5, { state: 'closed', due_at: at(19) }),
    ]
    expect(sortHazards(list).map((h) => h.id)).toEqual([3, 2, 4, 5, 1])
  })
})

describe('overdueDays', () => {
  it.each([
    [false, at(22), 0],
    [true, at(23, 7), 1], // two hours late is a started day
    [true, at(22, 9), 1],
    [true, at(20, 9), 3],
    [true, at(20, 8), 4],
  ] as const)('overdue %s, due %s → %s', (overdue, due, days) => {
    expect(overdueDays({ overdue, due_at: due }, NOW)).toBe(days)
  })
})

describe('dueText', () => {
  it.each([
    [hazard(1, { due_at: at(26) }), '2025年11月26日前整改', 'Due Nov 26, 2025', false],
    [hazard(1, { overdue: true, due_at: at(20, 9) }), '已逾期 3 天', '3 days overdue', true],
    [hazard(1, { state: 'open', overdue: true, due_at: at(23, 8) }), '已逾期 1 天', '1 day overdue', true],
    [hazard(1, { state: 'rectified', rectified_at: at(24) }), '2025年11月24日 整改完成', 'Fixed Nov 24, 2025', false],
    [hazard(1, { state: 'verified', verified_at: at(25) }), '2025年11月25日 验收通过', 'Checked Nov 25, 2025', false],
    [hazard(1, { state: 'closed', closed_at: at(26) }), '2025年11月26日 关闭', 'Closed Nov 26, 2025', false],
  ] as const)('%#: %s', (subject, zh, en, overdue) => {
    expect(dueText(subject, NOW, 'zh-CN')).toEqual({ text: zh, overdue })
    expect(dueText(subject, NOW, 'en')).toEqual({ text: en, overdue })
  })
})

describe('due dates', () => {
  it('defaults to 3 days for a major hazard and 7 for a general one', () => {
    expect(defaultDue('major', NOW)).toBe(NOW + 3 * 86_400_000)
    expect(defaultDue('general', NOW)).toBe(NOW + 7 * 86_400_000)
    expect(defaultDueText('major', NOW, 'zh-CN')).toBe('重大隐患默认 3 天内整改（2025年11月26日前）')
    expect(defaultDueText('general', NOW, 'en')).toBe('A general hazard is due within 7 days (Nov 30, 2025)')
  })

  it('reads and writes <input type="date"> values in local time', () => {
    expect(dateInputValue(NOW)).toBe('2025-11-23')
    expect(dateInputValue(new Date(2025, 0, 5, 23, 59).getTime())).toBe('2025-01-05')
    // Due on a day means by that evening.
    expect(dueFromDateInput('2025-11-26')).toBe(new Date(2025, 10, 26, 23, 59).getTime() / 1000)
    expect(dueFromDateInput('')).toBeNull()
    expect(dueFromDateInput('2025-02-30')).toBeNull()
    expect(dueFromDateInput('26/11/2025')).toBeNull()
  })
})

describe('groupAssignees', () => {
  it('groups by tier: owner, operator company, grid inspectors', () => {
    const groups = groupAssignees([
      { id: 6, display_name: '李娟', role: 'inspector', tier: 2 },
      { id: 2, display_name: '值班员', role: 'operator', tier: 1 },
      { id: 4, display_name: '王老板', role: 'owner', tier: 0 },
      { id: 3, display_name: '刘工', role: 'installer', tier: 1 },
    ])
    expect(groups.map((g) => [g.tier, g.people.map((p) => p.id)])).toEqual([
      [0, [4]],
      [1, [2, 3]],
      [2, [6]],
    ])
    expect(groupAssignees([])).toEqual([])
  })
})

describe('refusalText', () => {
  it.each([
    [new ApiError(403, 'role owner may not move a hazard to verified'), '您无权执行此操作：role owner may not move a hazard to verified'],
    [new ApiError(409, 'a hazard that is verified cannot go to verified'), '隐患的状态已经变化，页面已刷新：a hazard that is verified cannot go to verified'],
    [new ApiError(404, 'hazard 9 not found'), '隐患不存在，或您无权查看'],
    [new ApiError(400, 'due: the due date must be in the future', 'due'), 'due: the due date must be in the future'],
    [new NetworkError('no answer'), '没有收到服务器的回答，可能没有提交成功。请恢复网络后刷新页面查看，再决定是否重试。'],
  ] as const)('%s', (error, text) => {
    expect(refusalText(error, 'zh-CN')).toBe(text)
  })
})
