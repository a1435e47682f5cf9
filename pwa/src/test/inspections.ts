// Checklist and inspection shapes as the server sends them (GET /api/v1/inspections/{id}), for tests.
import type { ChecklistItem, InspectionDetail, SavedAnswer } from '../features/inspections/types'

export function item(key: string, overrides: Partial<ChecklistItem> = {}): ChecklistItem {
  return {
    key,
    text: { 'zh-CN': `检查项 ${key}`, en: `Item ${key}` },
    section: '配电箱（柜）',
    major: false,
    photo: false,
    ...overrides,
  }
}

export const ITEMS: ChecklistItem[] = [
  item('board_clear'),
  item('board_no_burn', { major: true, photo: true, text: { 'zh-CN': '箱内无烧蚀发黑痕迹', en: 'No scorch marks inside the board' } }),
  item('rcd_test', { section: '保护装置' }),
  item('stall_sockets', { section: '摊位用电', text: { 'zh-CN': '摊位插座无烧焦', en: '' } }),
]

export function saved(key: string, overrides: Partial<SavedAnswer> = {}): SavedAnswer {
  return { key, answer: 'pass', note: '', attachments: [], answered_at: 1_795_448_000, answered_by: '李娟', ...overrides }
}

export function inspection(id: number, overrides: Partial<InspectionDetail> = {}): InspectionDetail {
  return {
    id,
    site_id: 1,
    site_name: '桃花仑综合市场 12号摊位',
    template_id: 'inspection-market',
    template_version: 1,
    title: { 'zh-CN': '用电安全检查（集贸市场、商场、超市）', en: 'Electrical fire-safety inspection (markets)' },
    state: 'in_progress',
    inspector: '赫山街道网格员 李娟',
    started_at: 1_795_448_000,
    completed_at: null,
    signed_by: null,
    answered: 0,
    total: ITEMS.length,
    failed: 0,
    summary: '',
    items: ITEMS,
    answers: [],
    hazard_ids: [],
    ...overrides,
  }
}
