// What a failed checklist item becomes on the phone, as the server makes it (server/inspections/findings.py):
// the hazard's title (what was found: the inspector's own words, else the item's failure wording) and
// description (the note, then "检查项 N：requirement"), and the hazard mutations made when an inspection is
// signed, so its failures are hazards on the device at once, offline too. Pure.
import { SEVERITY_DUE_S } from '../hazards/model'
import type { Severity } from '../hazards/types'
import { sectionsOf } from './model'
import type { ChecklistItem, SavedAnswer } from './types'

/** The server takes titles of at most 100 characters (server/hazards/schemas.py HazardCreate). */
export const TITLE_MAX = 100

/** Each item's number as the checklist shows it (model.ts sectionsOf). */
export function itemNumbers(items: readonly ChecklistItem[]): Map<string, number> {
  return new Map(sectionsOf(items).flatMap((s) => s.items.map((n) => [n.item.key, n.number] as const)))
}

/** The first line of the note, when the inspector wrote one; else the failure wording; else the requirement. */
export function hazardTitle(item: Pick<ChecklistItem, 'text' | 'finding'>, note: string): string {
  const own = note.trim() ? (note.trim().split('\n')[0] ?? '').trim() : ''
  const words = own || item.finding?.['zh-CN'] || item.text['zh-CN']
  return words.slice(0, TITLE_MAX)
}

export function hazardDescription(item: Pick<ChecklistItem, 'text'>, note: string, number: number): string {
  const line = `检查项 ${number}：${item.text['zh-CN']}`
  return note.trim() ? `${note.trim()}\n${line}` : line
}

/** The fields of a `hazard` `create` mutation for one failed item (docs/sync.md). */
export interface FindingHazard {
  site_id: number
  title: string
  description: string
  severity: Severity
  source: 'inspection'
  inspection_id: string
  item: string
  attachments: string[]
  assignee_id?: number
  due: number
}

/**
 * One hazard per failed item, in checklist order: assigned to the site's owner (when the device knows who that
 * is) and due by the severity's time from `now` (Unix seconds). The server makes the same from its own answers.
 */
export function findingHazards(
  inspection: { entity_id: string; site_id: number; items: readonly ChecklistItem[]; answers: readonly Pick<SavedAnswer, 'key' | 'answer' | 'note' | 'attachments'>[] },
  ownerId: number | null,
  now: number,
): FindingHazard[] {
  const numbers = itemNumbers(inspection.items)
  const answers = new Map(inspection.answers.map((a) => [a.key, a]))
  const ordered = [...inspection.items].sort((a, b) => (numbers.get(a.key) ?? 0) - (numbers.get(b.key) ?? 0))
  return ordered.flatMap((item) => {
    const answer = answers.get(item.key)
    if (answer?.answer !== 'fail') return []
    const severity: Severity = item.major ? 'major' : 'general'
    const hazard: FindingHazard = {
      site_id: inspection.site_id,
      title: hazardTitle(item, answer.note),
      description: hazardDescription(item, answer.note, numbers.get(item.key) ?? 0),
      severity,
      source: 'inspection',
      inspection_id: inspection.entity_id,
      item: item.key,
      attachments: [...answer.attachments],
      due: now + SEVERITY_DUE_S[severity],
    }
    if (ownerId !== null) hazard.assignee_id = ownerId
    return [hazard]
  })
}
