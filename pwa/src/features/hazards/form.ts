// The "report a hazard" form without rendering: its fields, the checks made before sending, the request body,
// and where a refusal belongs. Pure. The server is the judge (400 names the field in extra.field); the checks
// here catch only what the user can fix without a round trip.
import type { ApiError } from '../../platform/http'
import { t, type Lang } from '../../platform/i18n'
import { dueFromDateInput } from './model'
import type { HazardCreate, Severity } from './types'

/** The server's limits on a title and a description (server/hazards/schemas.py). */
export const TITLE_MAX = 100
export const TEXT_MAX = 2000

export interface ReportForm {
  siteId: number | null
  title: string
  description: string
  severity: Severity
  /** Only for those who may assign; null leaves the hazard open (待指派). */
  assigneeId: number | null
  /** "YYYY-MM-DD" from <input type="date">; "" for the default by severity. */
  dueDate: string
}

/** The inputs a refusal can be shown at; anything else goes above the submit button. */
export type ReportField = 'site_id' | 'title' | 'description' | 'severity' | 'assignee_id' | 'due' | 'attachments'

export type FieldErrors = Partial<Record<ReportField | 'note' | 'form', string>>

const FIELDS: ReadonlySet<string> = new Set<string>([
  'site_id',
  'title',
  'description',
  'severity',
  'assignee_id',
  'due',
  'attachments',
  'note',
  'text',
])

export function newReport(siteId: number | null = null): ReportForm {
  return { siteId, title: '', description: '', severity: 'general', assigneeId: null, dueDate: '' }
}

function length(text: string): number {
  return [...text.trim()].length
}

/** A chosen due date that is not a date, or is over already; null when none was chosen or it is fine. */
export function dueError(dueDate: string, now: number = Date.now(), lang?: Lang): string | null {
  if (!dueDate) return null
  const due = dueFromDateInput(dueDate)
  if (due === null) return t('hazard.error_due_invalid', undefined, lang)
  if (due * 1000 <= now) return t('hazard.error_due_past', undefined, lang)
  return null
}

export function checkReport(form: ReportForm, now: number = Date.now(), lang?: Lang): FieldErrors {
  const errors: FieldErrors = {}
  if (form.siteId === null) errors.site_id = t('hazard.error_site', undefined, lang)
  if (length(form.title) === 0) errors.title = t('hazard.error_title', undefined, lang)
  else if (length(form.title) > TITLE_MAX) errors.title = t('hazard.error_too_long', { max: TITLE_MAX }, lang)
  if (length(form.description) > TEXT_MAX) errors.description = t('hazard.error_too_long', { max: TEXT_MAX }, lang)
  const due = dueError(form.dueDate, now, lang)
  if (due) errors.due = due
  return errors
}

/** The body of POST /api/v1/hazards. Assignee and date only from those who may assign; photos by hash. */
export function reportBody(form: ReportForm, attachments: readonly string[], mayAssign: boolean): HazardCreate {
  const body: HazardCreate = {
    site_id: form.siteId ?? 0,
    title: form.title.trim(),
    severity: form.severity,
    source: 'inspection',
  }
  const description = form.description.trim()
  if (description) body.description = description
  if (mayAssign && form.assigneeId !== null) body.assignee_id = form.assigneeId
  const due = mayAssign ? dueFromDateInput(form.dueDate) : null
  if (due !== null) body.due = due
  if (attachments.length) body.attachments = [...attachments]
  return body
}

/**
 * Where the server's refusal goes: at the input it names ("attachments[1]" is the photos, "text" a comment's
 * words, shown at the note), else above the submit button.
 */
export function errorsOf(error: Pick<ApiError, 'field' | 'detail'>): FieldErrors {
  const base = error.field?.replace(/\[\d+\]$/, '') ?? null
  if (base && FIELDS.has(base)) return { [base === 'text' ? 'note' : base]: error.detail }
  return { form: error.detail }
}
