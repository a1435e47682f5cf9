import { describe, expect, it } from 'vitest'
import { entry } from '../../test/sync'
import { describeEntry, syncStateOf, syncStateText, type SyncFacts } from './words'

const at1032 = new Date(2025, 10, 23, 10, 32).getTime()
const facts = (overrides: Partial<SyncFacts> = {}): SyncFacts => ({
  online: true,
  running: false,
  progress: null,
  pending: 0,
  rejected: 0,
  syncedAt: at1032,
  ...overrides,
})

describe('the sync state in the header', () => {
  it.each([
    [facts(), 'synced', '已同步 · 10:32', 'Synced · 10:32 AM'],
    [facts({ syncedAt: null }), 'synced', '尚未同步', 'Not synced yet'],
    [facts({ pending: 3 }), 'pending', '待同步 3 项', '3 changes to sync'],
    [facts({ pending: 1 }), 'pending', '待同步 1 项', '1 change to sync'],
    [facts({ running: true, pending: 40, progress: { pushed: 12, total: 40, photosUp: 0, photosTotal: 0 } }), 'syncing', '同步中 12/40', 'Syncing 12/40'],
    [
      facts({ running: true, progress: { pushed: 0, total: 41, photosUp: 3, photosTotal: 10 } }),
      'syncing',
      '同步中 0/41 · 照片 3/10',
      'Syncing 0/41 · photos 3/10',
    ],
    [facts({ running: true, progress: { pushed: 0, total: 0, photosUp: 0, photosTotal: 0 } }), 'syncing', '同步中…', 'Syncing…'],
    [facts({ online: false, pending: 3 }), 'offline', '离线 · 3 项待同步', 'Offline · 3 changes to sync'],
    [facts({ online: false }), 'offline', '离线', 'Offline'],
    [facts({ online: false, running: true }), 'offline', '离线', 'Offline'],
    [facts({ rejected: 1, pending: 2 }), 'rejected', '1 项未被接受', '1 change not accepted'],
    [facts({ rejected: 2, online: false }), 'rejected', '2 项未被接受', '2 changes not accepted'],
  ] as const)('%j → %s, %s', (f, state, zh, en) => {
    expect(syncStateOf(f)).toBe(state)
    expect(syncStateText(f, 'zh-CN')).toBe(zh)
    expect(syncStateText(f, 'en')).toBe(en)
  })
})

describe('what a change was', () => {
  it.each([
    [entry('hazard', '12', 'transition', { to: 'verified' }), '隐患 #12：验收通过', 'Hazard #12: Passed the check'],
    [entry('hazard', '12', 'transition', { to: 'rejected', note: 'x' }), '隐患 #12：验收不通过', null],
    [entry('hazard', '12', 'update', { title: 'a', description: 'b' }), '隐患 #12：修改标题、说明', 'Hazard #12: changed title, description'],
    [entry('hazard_comment', 'c', 'append', { hazard_id: '12', text: '已联系电工' }), '隐患 #12：留言「已联系电工」', null],
    [
      entry('hazard', 'u', 'create', { title: '配电箱门损坏' }, { about: { title: '配电箱门损坏', server_id: null } }),
      '上报隐患「配电箱门损坏」',
      'Reported hazard “配电箱门损坏”',
    ],
    [
      entry('hazard', 'u', 'transition', { to: 'closed' }, { about: { title: '配电箱门损坏', server_id: null } }),
      '隐患 「配电箱门损坏」：关闭隐患',
      null,
    ],
    [
      entry('checklist_answer', 'a', 'append', { key: 'rcd_test', answer: 'fail' }, { about: { server_id: 5, item: '漏电保护器试验正常' } }),
      '巡检 #5：漏电保护器试验正常 — 不合格',
      'Inspection #5: 漏电保护器试验正常 — Fail',
    ],
    [entry('inspection', '5', 'transition', { to: 'completed' }, { about: { server_id: 5 } }), '巡检 #5：签名提交', 'Inspection #5: signed'],
  ] as const)('%#: %s', (e, zh, en) => {
    expect(describeEntry(e, 'zh-CN')).toBe(zh)
    if (en) expect(describeEntry(e, 'en')).toBe(en)
  })
})
