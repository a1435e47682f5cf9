// Hazard list rules without rendering: the filters and their queries, the order, due dates and overdue days
// in words, the default time to fix, the assignee groups, and a refused request in words. Pure.
import { ApiError, NetworkError } from '../../platform/http'
import { formatDate, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { Assignee, Hazard, HazardQuery, HazardState, Severity } from './types'

export const STATES: readonly HazardState[] = ['open', 'assigned', 'rectified', 'verified', 'closed']

/** Not yet closed: something is still to be done by someone (fix, check or close). */
export const UNFINISHED: readonly HazardState[] = ['open', 'assigned', 'rectified', 'verified']

/** Default time to fix (server/hazards/workflow.py SEVERITY_DUE_S): a major hazard within 3 days, a general one 7. */
export const SEVERITY_DUE_S: Readonly<Record<Severity, number>> = { major: 3 * 86400, general: 7 * 86400 }

export const SEVERITIES: readonly Severity[] = ['major', 'general']

const DAY_MS = 86_400_000

// ---- The list's filters ----

/** The server's default page (GET /api/v1/hazards limit); a full page says the filters should narrow it. */
export const LIST_LIMIT = 200

export type HazardFilter = 'all' | 'todo' | 'review' | 'overdue' | 'mine' | 'closed'

export const FILTERS: readonly HazardFilter[] = ['all', 'todo', 'review', 'overdue', 'mine', 'closed']

const FILTER_QUERY: Record<HazardFilter, HazardQuery> = {
  all: {},
  todo: { states: ['open', 'assigned'] },
  review: { states: ['rectified'] },
  overdue: { overdue: true },
  mine: { mine: true },
  closed: { states: ['closed'] },
}

/** The server's query for a filter, for one site or all the caller sees. */
export function queryOf(filter: HazardFilter, siteId?: number): HazardQuery {
  return siteId === undefined ? { ...FILTER_QUERY[filter] } : { ...FILTER_QUERY[filter], site_id: siteId }
}

export interface ListView {
  filter: HazardFilter
  siteId?: number
}

function isFilter(value: string | null): value is HazardFilter {
  return value !== null && (FILTERS as readonly string[]).includes(value)
}

/** The list's filter and site from its address ("/hazards?f=review&site=3"); anything unknown is ignored. */
export function parseListSearch(search: string): ListView {
  const params = new URLSearchParams(search)
  const f = params.get('f')
  const site = Number(params.get('site'))
  const view: ListView = { filter: isFilter(f) ? f : 'all' }
  if (Number.isInteger(site) && site > 0) view.siteId = site
  return view
}

/** The list's address for a filter and site (the inverse of parseListSearch). */
export function listPath(view: ListView): string {
  const params = new URLSearchParams()
  if (view.filter !== 'all') params.set('f', view.filter)
  if (view.siteId !== undefined) params.set('site', String(view.siteId))
  const text = params.toString()
  return text ? `/hazards?${text}` : '/hazards'
}

/** Open or assigned and past its due date, by this device's clock (a copy synced yesterday is not stale). */
export function isOverdue(h: Pick<Hazard, 'state' | 'due_at'>, now: number = Date.now()): boolean {
  return (h.state === 'open' || h.state === 'assigned') && h.due_at * 1000 < now
}

/** The list's filter and site applied on the device to the synced hazards, as the server's query would. */
export function matchesView(
  h: Pick<Hazard, 'state' | 'due_at' | 'assignee_id' | 'site_id'>,
  view: ListView,
  meId: number | undefined,
  now: number = Date.now(),
): boolean {
  if (view.siteId !== undefined && h.site_id !== view.siteId) return false
  const query = FILTER_QUERY[view.filter]
  if (query.states && !query.states.includes(h.state)) return false
  if (query.overdue && !isOverdue(h, now)) return false
  if (query.mine && (meId === undefined || h.assignee_id !== meId)) return false
  return true
}

/** The report form's address, with the site chosen when it starts from a site page. */
export function newHazardPath(siteId?: number): string {
  return siteId === undefined ? '/hazards/new' : `/hazards/new?site=${siteId}`
}

/** The server's order, for a list changed here: not closed first, soonest due first, then oldest. */
export function sortHazards<T extends Pick<Hazard, 'id' | 'state' | 'due_at'>>(list: readonly T[]): T[] {
  const closed = (h: T) => (h.state === 'closed' ? 1 : 0)
  return [...list].sort((a, b) => closed(a) - closed(b) || a.due_at - b.due_at || a.id - b.id)
}

// ---- Due dates ----

/** Whole days past due, counting a started day ("已逾期 1 天" two hours after); 0 when not overdue. */
export function overdueDays(hazard: Pick<Hazard, 'overdue' | 'due_at'>, now: number = Date.now()): number {
  if (!hazard.overdue) return 0
  return Math.max(1, Math.ceil((now - hazard.due_at * 1000) / DAY_MS))
}

export interface DueText {
  text: string
  overdue: boolean
}

/** The hazard's date in words: when it must be fixed, how late it is, or when it was finished. */
export function dueText(
  hazard: Pick<Hazard, 'state' | 'overdue' | 'due_at' | 'rectified_at' | 'verified_at' | 'closed_at'>,
  now: number = Date.now(),
  lang?: Lang,
): DueText {
  const date = (s: number | null) => formatDate((s ?? 0) * 1000, lang)
  if (hazard.state === 'closed') return { text: t('hazard.closed_on', { date: date(hazard.closed_at) }, lang), overdue: false }
  if (hazard.state === 'verified') {
    return { text: t('hazard.verified_on', { date: date(hazard.verified_at) }, lang), overdue: false }
  }
  if (hazard.state === 'rectified') {
    return { text: t('hazard.rectified_on', { date: date(hazard.rectified_at) }, lang), overdue: false }
  }
  if (hazard.overdue) return { text: t('hazard.overdue_days', { count: overdueDays(hazard, now) }, lang), overdue: true }
  return { text: t('hazard.due_by', { date: date(hazard.due_at) }, lang), overdue: false }
}

/** When a new hazard of this severity is due if nobody picks a date (the server's default). */
export function defaultDue(severity: Severity, now: number = Date.now()): number {
  return now + SEVERITY_DUE_S[severity] * 1000
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A moment as <input type="date"> takes it, in local time: "2025-11-26". */
export function dateInputValue(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** The end of the chosen local day in Unix seconds (due "on the 26th" means by that evening); null if not a date. */
export function dueFromDateInput(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return null
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  const end = new Date(y, m - 1, d, 23, 59, 0)
  if (end.getFullYear() !== y || end.getMonth() !== m - 1 || end.getDate() !== d) return null
  return Math.floor(end.getTime() / 1000)
}

/** "重大隐患默认 3 天内整改（2025年11月26日前）". */
export function defaultDueText(severity: Severity, now: number = Date.now(), lang?: Lang): string {
  const key: MessageKey = severity === 'major' ? 'hazard.default_due_major' : 'hazard.default_due_general'
  return t(key, { date: formatDate(defaultDue(severity, now), lang) }, lang)
}

// ---- Assignees ----

export interface AssigneeGroup {
  tier: number
  people: Assignee[]
}

/** The people who may take the site's hazard, by tier: owner, operator company, grid inspectors. */
export function groupAssignees(list: readonly Assignee[]): AssigneeGroup[] {
  const groups = new Map<number, Assignee[]>()
  for (const a of [...list].sort((x, y) => x.tier - y.tier)) {
    const people = groups.get(a.tier) ?? []
    people.push(a)
    groups.set(a.tier, people)
  }
  return [...groups].map(([tier, people]) => ({ tier, people }))
}

// ---- Refusals ----

/** A refused or unanswered request in words: the server's detail, with what it means for this page. */
export function refusalText(error: unknown, lang?: Lang): string {
  if (error instanceof NetworkError) return t('hazard.no_answer', undefined, lang)
  if (!(error instanceof ApiError)) return String(error)
  if (error.status === 403) return t('hazard.forbidden', { detail: error.detail }, lang)
  if (error.status === 409) return t('hazard.conflict', { detail: error.detail }, lang)
  if (error.status === 404) return t('hazard.not_found', undefined, lang)
  if (error.status === 413) return t('photo.too_big', undefined, lang)
  return error.detail
}
