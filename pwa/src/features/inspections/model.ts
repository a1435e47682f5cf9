// Inspection rules without rendering: who may inspect, the checklist by section with its numbers, progress,
// what an answer asks for, the checks before signing, and the words around them. Pure.
import { ApiError, NetworkError } from '../../platform/http'
import { formatDate, label, t, type Lang } from '../../platform/i18n'
import type { Role } from '../../platform/wire'
import type { ItemView, SaveState } from './device-answers'
import type { ChecklistItem, Inspection, InspectionDetail } from './types'

/** Who inspects (server/inspections/service.py INSPECTORS): grid inspectors, operator staff, regulators, admins. */
export const INSPECTORS: readonly Role[] = ['admin', 'operator', 'inspector', 'regulator']

export function canInspect(role: Role | undefined): boolean {
  return role !== undefined && INSPECTORS.includes(role)
}

/** The server takes a signature of 1 to 60 characters (server/inspections/schemas.py CompleteIn). */
export const SIGNATURE_MAX = 60

// ---- The checklist ----

export interface NumberedItem {
  item: ChecklistItem
  /** 1-based, across the whole checklist, as printed on paper forms. */
  number: number
}

export interface Section {
  /** As the checklist names it (Chinese); "" for items without one. */
  name: string
  items: NumberedItem[]
}

/**
 * Items grouped by section in the order the sections first appear, numbered 1, 2, 3 … down the page as shown (a
 * checklist that extends another may add items to the parent's sections: their numbers follow on, never jump
 * back). The server numbers them alike (server/inspections/findings.py numbers).
 */
export function sectionsOf(items: readonly ChecklistItem[]): Section[] {
  const sections = new Map<string, Section>()
  for (const item of items) {
    const name = item.section.trim()
    let section = sections.get(name)
    if (!section) {
      section = { name, items: [] }
      sections.set(name, section)
    }
    section.items.push({ item, number: 0 })
  }
  let number = 0
  for (const section of sections.values()) for (const n of section.items) n.number = ++number
  return [...sections.values()]
}

/** A section's name in the page's language (the checklist files name sections in Chinese only). */
export function sectionName(name: string, lang?: Lang): string {
  return name ? label('checklist_section', name, lang) : t('inspection.section_other', undefined, lang)
}

/** An item's words in the page's language, the Chinese when there are none. */
export function itemText(item: Pick<ChecklistItem, 'text'>, lang: Lang): string {
  return item.text[lang] || item.text['zh-CN']
}

export interface Progress {
  answered: number
  total: number
  pass: number
  fail: number
  na: number
}

type Views = Readonly<Record<string, Pick<ItemView, 'answer'>>>

export function progressOf(items: readonly ChecklistItem[], views: Views): Progress {
  const progress: Progress = { answered: 0, total: items.length, pass: 0, fail: 0, na: 0 }
  for (const item of items) {
    const answer = views[item.key]?.answer
    if (!answer) continue
    progress.answered++
    progress[answer]++
  }
  return progress
}

/** The next item without an answer after `afterKey` (from the top when none), wrapping round; null when all are. */
export function nextUnanswered(items: readonly ChecklistItem[], views: Views, afterKey?: string): string | null {
  const start = afterKey === undefined ? 0 : items.findIndex((i) => i.key === afterKey) + 1
  for (let n = 0; n < items.length; n++) {
    const item = items[(start + n) % items.length]
    if (item && !views[item.key]?.answer) return item.key
  }
  return null
}

/** The DOM id of an item's card, for "下一项未答" and the links in the signing checks. */
export function itemAnchor(key: string): string {
  return `item-${key}`
}

// ---- One item ----

/** What a 不合格 asks for: a note (it becomes the hazard's description), and photos, required or suggested. */
export function failHints(item: Pick<ChecklistItem, 'photo' | 'major'>, lang?: Lang): string[] {
  const hints = [t('inspection.fail_note_hint', undefined, lang)]
  hints.push(t(item.photo ? 'inspection.photo_wanted' : 'inspection.photo_suggested', undefined, lang))
  hints.push(t(item.major ? 'inspection.becomes_major' : 'inspection.becomes_general', undefined, lang))
  return hints
}

/**
 * A failed item with no note whose checklist gives no failure wording: the hazard it becomes would not say what
 * is wrong. With a failure wording (findings.ts) the note is the inspector's own words, welcome but not needed.
 */
export function needsNote(view: Pick<ItemView, 'answer' | 'note'>, item?: Pick<ChecklistItem, 'finding'>): boolean {
  return view.answer === 'fail' && view.note.trim() === '' && !item?.finding?.['zh-CN']
}

/** The save state in words, e.g. "已保存", "保存中…", "未保存：…". */
export function saveStateText(view: Pick<ItemView, 'state' | 'error'>, lang?: Lang): string {
  const state: SaveState = view.state
  if (state === 'rejected') return t('inspection.state_rejected', { error: view.error || '—' }, lang)
  if (state === 'failed' && view.error) return t('inspection.state_failed_detail', { error: view.error }, lang)
  return t(`inspection.state_${state}`, undefined, lang)
}

export type SyncState = 'saved' | 'waiting' | 'saving' | 'failed' | 'rejected'

export interface SyncSummary {
  state: SyncState
  /** Items in that state (for failed and rejected: how many are not on the server). */
  count: number
}

/**
 * The whole checklist's save state for the bar at the bottom, the most pressing first: answers that got no
 * answer from the server, then refused ones, then those on their way, then waiting ones.
 */
export function syncSummary(views: Readonly<Record<string, Pick<ItemView, 'state'>>>): SyncSummary {
  const count = (state: SaveState) => Object.values(views).filter((v) => v.state === state).length
  const failed = count('failed')
  if (failed > 0) return { state: 'failed', count: failed }
  const rejected = count('rejected')
  if (rejected > 0) return { state: 'rejected', count: rejected }
  const sending = count('sending')
  if (sending > 0) return { state: 'saving', count: sending }
  const waiting = count('waiting')
  if (waiting > 0) return { state: 'waiting', count: waiting }
  return { state: 'saved', count: count('saved') }
}

export function syncText(summary: SyncSummary, lang?: Lang): string {
  return t(`inspection.sync_${summary.state}`, { count: summary.count }, lang)
}

// ---- Signing ----

export interface SignCheck {
  /** Words under the 签名 field; null when it is fine. */
  signature: string | null
  unanswered: string[]
  /** Failed items without a note. */
  noNote: string[]
  /** Items the server does not have as shown (waiting, failed, refused). */
  unsaved: string[]
}

export function signCheck(
  items: readonly ChecklistItem[],
  views: Readonly<Record<string, Pick<ItemView, 'answer' | 'note'>>>,
  unsaved: readonly string[],
  signedBy: string,
  lang?: Lang,
): SignCheck {
  const name = signedBy.trim()
  const signature = !name
    ? t('inspection.error_signature', undefined, lang)
    : name.length > SIGNATURE_MAX
      ? t('hazard.error_too_long', { max: SIGNATURE_MAX }, lang)
      : null
  const unanswered = items.filter((i) => !views[i.key]?.answer).map((i) => i.key)
  const noNote = items.filter((i) => {
    const view = views[i.key]
    return view !== undefined && needsNote(view, i)
  }).map((i) => i.key)
  return { signature, unanswered, noNote, unsaved: [...unsaved] }
}

export function signReady(check: SignCheck): boolean {
  return !check.signature && check.unanswered.length === 0 && check.noNote.length === 0 && check.unsaved.length === 0
}

/** The question before signing: how many items failed, and what happens to them. */
export function confirmText(failed: number, lang?: Lang): string {
  if (failed === 0) return t('inspection.confirm_none', undefined, lang)
  return t('inspection.confirm_failed', { count: failed }, lang)
}

export interface MadeHazard {
  id: number
  /** The failed item it came from, when the numbers line up. */
  title: string | null
}

/**
 * The hazards a signed inspection made, with the item each came from: the server (and a phone, findings.ts) makes
 * them in the order the checklist shows them, so the ids in order pair with the failed items in that order.
 */
export function madeHazards(detail: Pick<InspectionDetail, 'items' | 'answers' | 'hazard_ids'>, lang: Lang): MadeHazard[] {
  const answers = new Map(detail.answers.map((a) => [a.key, a.answer]))
  const failed = sectionsOf(detail.items).flatMap((s) => s.items.map((n) => n.item)).filter((i) => answers.get(i.key) === 'fail')
  const ids = [...detail.hazard_ids].sort((a, b) => a - b)
  const paired = failed.length === ids.length
  return ids.map((id, i) => {
    const item = failed[i]
    return { id, title: paired && item ? itemText(item, lang) : null }
  })
}

// ---- The list of a site's inspections ----

/** "合格/不适用 38 · 不合格 2" once signed; "已完成 12/40 · 不合格 1" while under way. */
export function countsText(inspection: Pick<Inspection, 'state' | 'answered' | 'total' | 'failed'>, lang?: Lang): string {
  if (inspection.state === 'completed') {
    return t('inspection.counts_done', { ok: inspection.answered - inspection.failed, failed: inspection.failed }, lang)
  }
  return t('inspection.counts_open', { answered: inspection.answered, total: inspection.total, failed: inspection.failed }, lang)
}

/** The date the list shows: when it was signed, else when it started. */
export function dateText(inspection: Pick<Inspection, 'started_at' | 'completed_at'>, lang?: Lang): string {
  return formatDate((inspection.completed_at ?? inspection.started_at) * 1000, lang)
}

/** Newest first, those under way before signed ones of the same day (the server's order is by start). */
export function sortInspections<T extends Pick<Inspection, 'id' | 'started_at'>>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => b.started_at - a.started_at || b.id - a.id)
}

// ---- Refusals ----

/** A refused or unanswered request in words. */
export function refusalText(error: unknown, lang?: Lang): string {
  if (error instanceof NetworkError) return t('inspection.no_answer', undefined, lang)
  if (!(error instanceof ApiError)) return String(error)
  if (error.status === 403) return t('inspection.forbidden', { detail: error.detail }, lang)
  if (error.status === 404) return t('inspection.not_found', undefined, lang)
  if (error.status === 409) return t('inspection.conflict', { detail: error.detail }, lang)
  return error.detail
}
