// The health-check report: as JSON for the page, as PDF for printing. Errors as in platform/http.ts; the PDF
// answers 503 when the server has no Chinese font (docs/reports.md), 400 naming "period" for a month that has not
// begun.
import { request, requestFile, type FileAnswer } from '../../platform/http'
import type { Lang } from '../../platform/i18n'
import type { Report } from './types'

/**
 * Making a PDF embeds a subset of a CJK font and can take a few seconds on a small server; a month's report
 * is tens of kB. 30 s leaves room for both over a weak link before it counts as unanswered.
 */
export const PDF_TIMEOUT_MS = 30_000

export function reportApiPath(siteId: number, period: string, format: 'json' | 'pdf', lang: Lang): string {
  const params = new URLSearchParams({ period, format, lang })
  return `/api/v1/sites/${siteId}/report?${params}`
}

export function getReport(siteId: number, period: string, lang: Lang): Promise<Report> {
  return request<Report>('GET', reportApiPath(siteId, period, 'json', lang))
}

/** The PDF's bytes and the name the server gives it (Content-Disposition); the request needs the token. */
export function getReportPdf(siteId: number, period: string, lang: Lang): Promise<FileAnswer> {
  return requestFile('GET', reportApiPath(siteId, period, 'pdf', lang), { timeoutMs: PDF_TIMEOUT_MS })
}
