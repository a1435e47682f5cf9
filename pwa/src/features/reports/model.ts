// The health-check report's rules without rendering: which months may be chosen, the grade's colour and words,
// each factor's value in words, alarms by cause and by hour, the trends lined up for a chart, and a PDF that
// could not be made in words. Pure.
import { ApiError, NetworkError } from '../../platform/http'
import { channelLabel, formatNumber, formatPercent, t, type Lang } from '../../platform/i18n'
import type { AlarmCount, Factor, Trend } from './types'

/** How far back the month picker goes at most; older months are still one address away (?period=). */
export const MONTHS_BACK = 12

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** The local month of a moment, "2026-11". */
export function periodOf(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`
}

/** The month before, "2026-01" → "2025-12". */
export function previousPeriod(period: string): string {
  const match = PERIOD.exec(period)
  if (!match) return period
  const year = Number(match[1])
  const month = Number(match[2])
  return month === 1 ? `${year - 1}-12` : `${year}-${pad(month - 1)}`
}

/**
 * The months the picker offers, newest first: this month back to the month the site was created, at most
 * MONTHS_BACK. Without a creation time (the site could not be read), MONTHS_BACK months.
 */
export function periodOptions(createdAtS: number | null, now: number = Date.now(), max: number = MONTHS_BACK): string[] {
  const first = createdAtS === null ? null : periodOf(createdAtS * 1000)
  const months: string[] = []
  let month = periodOf(now)
  while (months.length < max) {
    months.push(month)
    if (first !== null && month <= first) break
    month = previousPeriod(month)
  }
  return months
}

/** The month in the address (?period=YYYY-MM), this month when it is missing, malformed or still to come. */
export function parsePeriod(search: string, now: number = Date.now()): string {
  const value = new URLSearchParams(search).get('period') ?? ''
  const current = periodOf(now)
  return PERIOD.test(value) && value <= current ? value : current
}

/** "2026年11月" / "November 2026". */
export function periodLabel(period: string, lang?: Lang): string {
  const match = PERIOD.exec(period)
  if (!match) return period
  const date = new Date(Number(match[1]), Number(match[2]) - 1, 1)
  return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long' }).format(date)
}

// ---- Grade and score ----

export type GradeTone = 'a' | 'b' | 'c' | 'd'

/** The colour of a grade: A green, B blue, C amber, D red (server/reports/score.py: A ≥ 90, B ≥ 75, C ≥ 60). */
export function gradeTone(grade: string): GradeTone {
  const tone = grade.toLowerCase()
  return tone === 'a' || tone === 'b' || tone === 'c' ? tone : 'd'
}

/** What the grade means, in a few words. */
export function gradeText(grade: string, lang?: Lang): string {
  return t(`report.grade_${gradeTone(grade)}`, undefined, lang)
}

/**
 * A factor's measured value with its unit, e.g. "3 次", "98.5%", "缺 1 项", "2.5 天"; "—" when there was nothing
 * to measure (null). The same rule as the server's HTML and PDF (server/reports/words.py value_text).
 */
export function factorValueText(factor: Pick<Factor, 'key' | 'value'>, lang?: Lang): string {
  const v = factor.value
  if (v === null) return '—'
  switch (factor.key) {
    case 'alarms':
    case 'prealarms':
      return t('report.value_times', { count: v }, lang)
    case 'online':
      return formatPercent(v / 100, lang)
    case 'open_hazards':
    case 'overdue':
      return t('report.value_hazards', { count: v }, lang)
    case 'capabilities':
      return v === 0 ? t('report.value_none_missing', undefined, lang) : t('report.value_missing', { count: v }, lang)
    case 'rectification':
      return t('report.value_days', { value: formatNumber(v, lang) }, lang)
    default:
      return formatNumber(v, lang)
  }
}

/** Points taken off: "−10", or "0" when none. */
export function pointsText(points: number, lang?: Lang): string {
  return points > 0 ? `−${formatNumber(points, lang)}` : '0'
}

/** Points taken off out of the cap, 0..1, for the bar beside each factor. */
export function pointsShare(factor: Pick<Factor, 'points' | 'cap'>): number {
  return factor.cap > 0 ? Math.min(1, Math.max(0, factor.points / factor.cap)) : 0
}

// ---- Alarms ----

export interface CauseRow extends AlarmCount {
  total: number
}

/** Alarms by cause, the most first (the cause's words come from the server, in the language asked for). */
export function causeRows(list: readonly AlarmCount[]): CauseRow[] {
  return list
    .map((c) => ({ ...c, name: c.name || c.cause, total: c.alarm + c.prealarm + c.fault + c.offline }))
    .sort((a, b) => b.total - a.total || a.cause.localeCompare(b.cause))
}

export interface HourBar {
  hour: number
  count: number
  /** 0..1 of the busiest hour. */
  share: number
}

/** Alarm-level alarms by hour of day as bars (24 of them; missing hours count 0). */
export function hourBars(counts: readonly number[]): HourBar[] {
  const hours = Array.from({ length: 24 }, (_, h) => Math.max(0, counts[h] ?? 0))
  const max = Math.max(0, ...hours)
  return hours.map((count, hour) => ({ hour, count, share: max > 0 ? count / max : 0 }))
}

/** The hours with the most alarms (ties all named), empty when there were none. */
export function peakHours(counts: readonly number[]): number[] {
  const bars = hourBars(counts)
  const max = Math.max(0, ...bars.map((b) => b.count))
  return max === 0 ? [] : bars.filter((b) => b.count === max).map((b) => b.hour)
}

// ---- Trends ----

export interface TrendGroup {
  /** As the server sends it (mA, °C); one chart per unit so the scales mean something. */
  unit: string
  /** Days (Unix s, local midnight), the union over the group's channels, ascending. */
  x: number[]
  /** The time axis (Unix s, min < max): the report's period, so that a single day still has a month around it. */
  range: [number, number]
  series: { label: string; channelId: number; values: (number | null)[] }[]
}

const DAY_S = 86400

/**
 * The time axis of a period [start, end] (Unix s, `start` a midnight of the site's day, as the report's start and
 * its days are): every day's midnight in order, every n-th so that at most `most` are left. uPlot's time scale
 * counts seconds; these are its splits, so the labels are whole days, on the data's days whatever the browser's
 * time zone (China has no daylight saving: a day is 86 400 s).
 */
export function dayTicks(start: number, end: number, most: number): number[] {
  const count = Math.floor((end - start) / DAY_S) + 1
  const step = Math.max(1, Math.ceil(count / Math.max(1, most)))
  const ticks: number[] = []
  for (let k = 0; k < count; k += step) ticks.push(start + k * DAY_S)
  return ticks
}

/** The date a site's day is named by: the day that holds its noon, in any browser's time zone within ±12 h. */
export function dayOf(midnight: number): Date {
  return new Date((midnight + DAY_S / 2) * 1000)
}

/** The axis range: the period, widened to the data and to at least one day so the scale never collapses. */
function axisRange(x: readonly number[], start?: number, end?: number): [number, number] {
  const lo = Math.min(start ?? Infinity, x[0] ?? Infinity)
  const hi = Math.max(end ?? -Infinity, x[x.length - 1] ?? -Infinity)
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, DAY_S]
  return hi - lo >= DAY_S ? [lo, hi] : [lo, lo + DAY_S]
}

/**
 * The trends as charts: one per unit, each channel a line over the same days (null where it has no value), on
 * a time axis over the report's period [start, end] when given.
 */
export function trendGroups(trends: readonly Trend[], lang?: Lang, start?: number, end?: number): TrendGroup[] {
  const byUnit = new Map<string, Trend[]>()
  for (const trend of trends) byUnit.set(trend.unit, [...(byUnit.get(trend.unit) ?? []), trend])
  return [...byUnit].map(([unit, list]) => {
    const x = [...new Set(list.flatMap((tr) => tr.day))].sort((a, b) => a - b)
    const series = list.map((tr) => {
      const byDay = new Map(tr.day.map((d, i) => [d, tr.value[i] ?? null]))
      const name = channelLabel(tr.key, lang)
      return {
        label: tr.place ? `${tr.place} · ${name}` : name,
        channelId: tr.channel_id,
        values: x.map((d) => byDay.get(d) ?? null),
      }
    })
    return { unit, x, range: axisRange(x, start, end), series }
  })
}

// ---- PDF ----

/** The name to save the PDF under when the server gives none (the server's own pattern). */
export function pdfFallbackName(siteId: number, period: string): string {
  return `andian-report-${siteId}-${period}.pdf`
}

/** A PDF that could not be fetched, in words: 503 is the missing Chinese font (docs/reports.md). */
export function pdfErrorText(error: unknown, lang?: Lang): string {
  if (error instanceof NetworkError) return t('report.pdf_no_answer', undefined, lang)
  if (error instanceof ApiError && error.status === 503) return t('report.pdf_no_font', undefined, lang)
  if (error instanceof ApiError) return t('report.pdf_failed', { detail: error.detail }, lang)
  return String(error)
}

/** A report that could not be read, in words. */
export function reportErrorText(error: unknown, lang?: Lang): string {
  if (error instanceof NetworkError) return t('report.offline', undefined, lang)
  if (error instanceof ApiError && error.status === 404) return t('site.not_found', undefined, lang)
  if (error instanceof ApiError) return error.detail
  return String(error)
}
