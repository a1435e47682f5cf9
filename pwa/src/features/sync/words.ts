// The sync in words: the state in the header ("待同步 3 项", "同步中 12/40", "已同步 · 10:32", "离线 · 3 项待同步",
// "1 项未被接受") and what a mutation was ("隐患 #12：验收通过"), for the list of refused ones. Pure.
import { label, t, formatTime, type Lang, type MessageKey } from '../../platform/i18n'
import type { RoundProgress } from './loop'
import type { OutboxEntry } from './records'

export type SyncStateName = 'synced' | 'pending' | 'syncing' | 'offline' | 'rejected'

export interface SyncFacts {
  online: boolean
  running: boolean
  progress: RoundProgress | null
  /** Mutations not yet taken by the server. */
  pending: number
  rejected: number
  /** ms since the epoch of the last pull that reached the end; null before the first. */
  syncedAt: number | null
}

/** The most useful thing to say: a round under way, then refusals to read, then no network, then waiting work. */
export function syncStateOf(f: SyncFacts): SyncStateName {
  if (f.running && f.online) return 'syncing'
  if (f.rejected > 0) return 'rejected'
  if (!f.online) return 'offline'
  if (f.pending > 0) return 'pending'
  return 'synced'
}

export function syncStateText(f: SyncFacts, lang?: Lang): string {
  const state = syncStateOf(f)
  if (state === 'syncing') {
    const p = f.progress
    if (!p || p.total === 0) return t('sync.state_pulling', undefined, lang)
    const done = Math.min(p.pushed, p.total)
    if (p.photosTotal > 0) {
      return t('sync.state_syncing_photos', { done: String(done), total: String(p.total), up: String(p.photosUp), photos: String(p.photosTotal) }, lang)
    }
    return t('sync.state_syncing', { done: String(done), total: String(p.total) }, lang)
  }
  if (state === 'rejected') return t('sync.state_rejected', { count: f.rejected }, lang)
  if (state === 'offline') {
    return f.pending > 0 ? t('sync.state_offline_pending', { count: f.pending }, lang) : t('sync.state_offline', undefined, lang)
  }
  if (state === 'pending') return t('sync.state_pending', { count: f.pending }, lang)
  if (f.syncedAt === null) return t('sync.state_never', undefined, lang)
  return t('sync.state_synced', { time: formatTime(f.syncedAt, lang) }, lang)
}

// ---- What a mutation was ----

const MOVE_ACTION: Record<string, MessageKey> = {
  assigned: 'hazard.action_assign',
  rectified: 'hazard.action_rectify',
  verified: 'hazard.action_verify',
  rejected: 'hazard.action_reject',
  closed: 'hazard.action_close',
}

const FIELD: Record<string, MessageKey> = {
  title: 'sync.field_title',
  description: 'sync.field_description',
  severity: 'sync.field_severity',
}

function shorten(text: string, max = 30): string {
  const chars = [...text.trim()]
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

/** "#12" when the server has given the record a number, else its title in quotes. */
function refOf(entry: Pick<OutboxEntry, 'about'>, lang?: Lang): string {
  const { server_id: id, title } = entry.about
  if (typeof id === 'number') return t('sync.ref_number', { id: String(id) }, lang)
  return t('sync.ref_title', { title: shorten(title ?? '') }, lang)
}

/** One line saying what the user did: "隐患 #12：验收通过", "巡检 #3：配电箱接地 — 不合格". */
export function describeEntry(entry: Pick<OutboxEntry, 'mutation' | 'about'>, lang?: Lang): string {
  const m = entry.mutation
  const f = m.fields
  const ref = refOf(entry, lang)
  if (m.entity === 'hazard' && m.op === 'create') {
    return t('sync.what_hazard_create', { title: shorten(typeof f.title === 'string' ? f.title : '') }, lang)
  }
  if (m.entity === 'hazard' && m.op === 'update') {
    const fields = Object.keys(f).map((name) => (FIELD[name] ? t(FIELD[name], undefined, lang) : name))
    return t('sync.what_hazard_update', { ref, fields: fields.join(t('sync.fields_join', undefined, lang)) }, lang)
  }
  if (m.entity === 'hazard' && m.op === 'transition') {
    const key = MOVE_ACTION[String(f.to)]
    return t('sync.what_hazard_move', { ref, action: key ? t(key, undefined, lang) : String(f.to) }, lang)
  }
  if (m.entity === 'hazard_comment') {
    return t('sync.what_hazard_comment', { ref, text: shorten(typeof f.text === 'string' ? f.text : '') }, lang)
  }
  if (m.entity === 'checklist_answer') {
    const item = entry.about.item ?? String(f.key)
    return t('sync.what_answer', { ref, item: shorten(item), answer: label('check_answer', String(f.answer), lang) }, lang)
  }
  if (m.entity === 'inspection' && m.op === 'transition') return t('sync.what_sign', { ref }, lang)
  return t('sync.what_other', { entity: m.entity, ref, op: m.op }, lang)
}
