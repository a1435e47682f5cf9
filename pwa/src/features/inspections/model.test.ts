import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { en } from '../../platform/i18n/en'
import { zhCN } from '../../platform/i18n/zh-CN'
import { inspection, item, ITEMS, saved } from '../../test/inspections'
import type { ItemView } from './device-answers'
import {
  canInspect,
  confirmText,
  countsText,
  failHints,
  itemText,
  madeHazards,
  needsNote,
  nextUnanswered,
  progressOf,
  refusalText,
  saveStateText,
  sectionName,
  sectionsOf,
  signCheck,
  signReady,
  sortInspections,
  syncSummary,
  syncText,
} from './model'

function view(answer: ItemView['answer'], overrides: Partial<ItemView> = {}): ItemView {
  return { answer, note: '', kept: [], attachments: [], state: answer ? 'saved' : 'none', error: null, ...overrides }
}

describe('canInspect', () => {
  it.each([
    ['inspector', true],
    ['operator', true],
    ['regulator', true],
    ['admin', true],
    ['owner', false],
    ['installer', false],
    [undefined, false],
  ] as const)('%s → %s', (role, expected) => {
    expect(canInspect(role)).toBe(expected)
  })
})

describe('sectionsOf', () => {
  it('groups by section in first-appearance order and numbers down the page, never back within a section', () => {
    const items = [item('a', { section: '线路' }), item('b', { section: '管理' }), item('c', { section: '线路' }), item('d', { section: '' })]
    expect(sectionsOf(items).map((s) => [s.name, s.items.map((n) => `${n.number}:${n.item.key}`)])).toEqual([
      ['线路', ['1:a', '2:c']],
      ['管理', ['3:b']],
      ['', ['4:d']],
    ])
  })

  it('names sections in both languages, "其他" for none', () => {
    expect(sectionName('配电箱（柜）', 'zh-CN')).toBe('配电箱（柜）')
    expect(sectionName('配电箱（柜）', 'en')).toBe('Distribution boards')
    expect(sectionName('', 'zh-CN')).toBe('其他')
    expect(sectionName('新的分组', 'en')).toBe('新的分组')
  })

  it("has words for every section of the server's checklists", () => {
    // The checklist files name sections in Chinese only; the English page needs a word for each.
    const dir = join(__dirname, '../../../../server/reference/checklists')
    const sections = new Set<string>()
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.toml'))) {
      for (const match of readFileSync(join(dir, file), 'utf-8').matchAll(/^section\s*=\s*"([^"]+)"/gm)) {
        if (match[1]) sections.add(match[1])
      }
    }
    expect(sections.size).toBeGreaterThan(10)
    for (const section of sections) {
      expect(en.labels.checklist_section, section).toHaveProperty([section])
      expect(zhCN.labels.checklist_section, section).toHaveProperty([section])
    }
  })

  it("gives an item's words in the page's language, the Chinese when there are none", () => {
    expect(itemText(ITEMS[1] ?? item('x'), 'en')).toBe('No scorch marks inside the board')
    expect(itemText(ITEMS[3] ?? item('x'), 'en')).toBe('摊位插座无烧焦')
  })
})

describe('progress', () => {
  const views = {
    board_clear: view('pass'),
    board_no_burn: view('fail'),
    rcd_test: view('na'),
    stall_sockets: view(null),
  }

  it('counts answers by kind', () => {
    expect(progressOf(ITEMS, views)).toEqual({ answered: 3, total: 4, pass: 1, fail: 1, na: 1 })
    expect(progressOf(ITEMS, {})).toEqual({ answered: 0, total: 4, pass: 0, fail: 0, na: 0 })
  })

  it('finds the next unanswered item after the last one shown, wrapping round', () => {
    const two = { ...views, board_clear: view(null) }
    expect(nextUnanswered(ITEMS, two)).toBe('board_clear')
    expect(nextUnanswered(ITEMS, two, 'board_clear')).toBe('stall_sockets')
    expect(nextUnanswered(ITEMS, two, 'stall_sockets')).toBe('board_clear')
    expect(nextUnanswered(ITEMS, { ...views, stall_sockets: view('pass') })).toBeNull()
  })
})

describe('one item', () => {
  it('asks a failed item for a note, and for a photo when the checklist wants one', () => {
    expect(failHints({ photo: true, major: true }, 'zh-CN')).toEqual([
      '写明发现的问题（位置、现象），整改人才知道要改什么。',
      '此项要求拍照：请拍下问题部位。',
      '提交后生成一条重大隐患，须 3 天内整改。',
    ])
    expect(failHints({ photo: false, major: false }, 'zh-CN').slice(1)).toEqual([
      '建议拍一张问题部位的照片。',
      '提交后生成一条一般隐患，须 7 天内整改。',
    ])
    expect(needsNote(view('fail'))).toBe(true)
    expect(needsNote(view('fail', { note: '  ' }))).toBe(true)
    expect(needsNote(view('fail', { note: '烧痕' }))).toBe(false)
    expect(needsNote(view('pass'))).toBe(false)
    // A failure wording says what was found: the note is then the inspector's own words, not required.
    expect(needsNote(view('fail'), { finding: { 'zh-CN': '配电箱前堆放杂物' } })).toBe(false)
  })

  it.each([
    [{ state: 'saved', error: null }, 'zh-CN', '✓ 已同步'],
    [{ state: 'sending', error: null }, 'zh-CN', '同步中…'],
    [{ state: 'waiting', error: null }, 'zh-CN', '已存本机，待同步'],
    [{ state: 'waiting', error: null }, 'en', 'Saved on this device, waiting to sync'],
    [{ state: 'failed', error: null }, 'zh-CN', '未能保存在本机（存储空间已满或被禁用）'],
    [{ state: 'failed', error: 'QuotaExceededError' }, 'zh-CN', '未能保存在本机：QuotaExceededError'],
    [{ state: 'rejected', error: 'no item' }, 'zh-CN', '服务器拒绝了这一项：no item'],
  ] as const)('save state %j in %s → %s', (state, lang, text) => {
    expect(saveStateText(state, lang)).toBe(text)
  })
})

describe('syncSummary', () => {
  it.each([
    [['saved', 'saved', 'none'], { state: 'saved', count: 2 }, '已全部同步'],
    [['saved', 'waiting', 'waiting'], { state: 'waiting', count: 2 }, '2 项已存本机，待同步'],
    [['sending', 'waiting'], { state: 'saving', count: 1 }, '正在同步 1 项…'],
    [['rejected', 'sending'], { state: 'rejected', count: 1 }, '1 项被服务器拒绝'],
    [['rejected', 'failed', 'failed'], { state: 'failed', count: 2 }, '2 项未能保存在本机'],
  ] as const)('%j → %j', (states, summary, text) => {
    const views = Object.fromEntries(states.map((state, i) => [`k${i}`, { state }]))
    expect(syncSummary(views)).toEqual(summary)
    expect(syncText(syncSummary(views), 'zh-CN')).toBe(text)
  })
})

describe('signing', () => {
  const all = {
    board_clear: view('pass'),
    board_no_burn: view('fail', { note: '有烧痕' }),
    rcd_test: view('na'),
    stall_sockets: view('pass'),
  }

  it('is ready with a name, every item answered, failed ones explained, all saved', () => {
    const check = signCheck(ITEMS, all, [], ' 李娟 ')
    expect(check).toEqual({ signature: null, unanswered: [], noNote: [], unsaved: [] })
    expect(signReady(check)).toBe(true)
  })

  it('says what stops it', () => {
    const check = signCheck(ITEMS, { ...all, board_no_burn: view('fail'), rcd_test: view(null) }, ['board_clear'], '  ', 'zh-CN')
    expect(check).toEqual({
      signature: '请签名：填写您的姓名',
      unanswered: ['rcd_test'],
      noNote: ['board_no_burn'],
      unsaved: ['board_clear'],
    })
    expect(signReady(check)).toBe(false)
    expect(signCheck(ITEMS, all, [], 'x'.repeat(61), 'zh-CN').signature).toBe('最多 60 个字')
  })

  it('asks with the number of failed items and what becomes of them', () => {
    expect(confirmText(2, 'zh-CN')).toBe(
      '共 2 项不合格。提交后将生成 2 条隐患，指派给场所业主限期整改，业主会收到通知。提交后不能再修改。确认提交？',
    )
    expect(confirmText(1, 'en')).toContain('1 item failed. Submitting makes 1 hazard, assigned to the site’s owner')
    expect(confirmText(0, 'zh-CN')).toBe('没有不合格项，不会生成隐患。提交后不能再修改。确认提交？')
  })

  it('pairs the hazards made with the failed items, in checklist order', () => {
    const detail = inspection(5, {
      state: 'completed',
      answers: [saved('stall_sockets', { answer: 'fail' }), saved('board_no_burn', { answer: 'fail' }), saved('board_clear')],
      hazard_ids: [42, 41],
    })
    expect(madeHazards(detail, 'zh-CN')).toEqual([
      { id: 41, title: '箱内无烧蚀发黑痕迹' },
      { id: 42, title: '摊位插座无烧焦' },
    ])
    // Numbers that do not line up: the ids alone.
    expect(madeHazards({ ...detail, hazard_ids: [41] }, 'en')).toEqual([{ id: 41, title: null }])
  })
})

describe('the list of inspections', () => {
  it.each([
    [{ state: 'completed', answered: 40, total: 40, failed: 2 }, 'zh-CN', '合格/不适用 38 项 · 不合格 2 项'],
    [{ state: 'in_progress', answered: 12, total: 40, failed: 1 }, 'zh-CN', '已完成 12/40 · 不合格 1 项'],
    [{ state: 'completed', answered: 27, total: 27, failed: 0 }, 'en', 'Passed/not applicable 27 · failed 0'],
  ] as const)('%j in %s → %s', (i, lang, text) => {
    expect(countsText(i, lang)).toBe(text)
  })

  it('puts the newest first', () => {
    const list = [
      { id: 1, started_at: 100 },
      { id: 3, started_at: 300 },
      { id: 2, started_at: 300 },
    ]
    expect(sortInspections(list).map((i) => i.id)).toEqual([3, 2, 1])
  })
})

describe('refusalText', () => {
  it.each([
    [new NetworkError('x'), '没有收到服务器的回答，可能没有提交成功。请恢复网络后刷新页面查看，再决定是否重试。'],
    [new ApiError(403, 'only admin, operator, inspector, regulator may inspect sites'), '您无权执行此操作：only admin, operator, inspector, regulator may inspect sites'],
    [new ApiError(404, 'no inspection 9'), '巡检记录不存在，或您无权查看'],
    [new ApiError(409, 'this inspection is already signed'), '这次巡检已经签名提交，页面已刷新：this inspection is already signed'],
    [new ApiError(400, 'answers: 39 items not answered yet', 'answers'), 'answers: 39 items not answered yet'],
  ])('%s', (error, text) => {
    expect(refusalText(error, 'zh-CN')).toBe(text)
  })
})
