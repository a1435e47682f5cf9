// A site's monthly health-check report (/sites/{id}/report?period=YYYY-MM), for everyone who sees the site: the
// grade and score with every factor, monitoring, alarms, trends, hazards and recommendations, and the PDF.
// The month is in the address, so a reload or a shared link shows the same report.
import { useEffect, useMemo } from 'preact/hooks'
import { formatDateTime, getLanguage, label, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { navigate, reportPath } from '../../shell/router'
import { ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { readSite } from '../sites/data'
import { getReport } from './api'
import { parsePeriod, periodLabel, periodOptions, reportErrorText, trendGroups } from './model'
import { PdfButton } from './PdfButton'
import {
  AlarmsByCause,
  AlarmsByHour,
  FactorTable,
  GradeCard,
  Monitoring,
  Recommendations,
  ReportHazards,
} from './ReportSections'
import { TrendChart } from './TrendChart'
import type { Report } from './types'

function Trends({ report }: { report: Report }) {
  const groups = useMemo(() => trendGroups(report.trends, undefined, report.start, report.end), [report])
  return (
    <section class="card" data-testid="report-trends" data-count={String(report.trends.length)}>
      <h2>{t('report.trends')}</h2>
      <p class="muted">{t('report.trends_hint')}</p>
      {groups.length === 0 && <p class="muted">{t('report.no_trends')}</p>}
      {groups.map((group) => (
        <figure key={group.unit} class="chart-box">
          <figcaption class="muted">{t('report.trend_unit', { unit: label('unit', group.unit) })}</figcaption>
          <TrendChart group={group} />
        </figure>
      ))}
    </section>
  )
}

export function ReportPage({ siteId, search }: { siteId: number; search: string }) {
  const lang = getLanguage()
  const period = parsePeriod(search)
  const [load, reload] = useLoad(() => getReport(siteId, period, lang), `${siteId}/${period}/${lang}`)
  // The site's creation month bounds the picker; the saved copy will do when offline.
  const [site] = useLoad(() => readSite(siteId), siteId)
  useEffect(() => onRetry(reload), [])
  const report = load.state === 'ready' ? load.value : undefined
  useEffect(() => {
    document.title = `${t('report.title')} · ${report?.site.name ?? ''} · ${t('app.name')}`
  })
  const months = periodOptions(site.state === 'ready' ? site.value.data.created_at : null)
  if (!months.includes(period)) months.push(period) // an older month from a link stays selectable

  return (
    <main class="page report-page">
      <a href={`/sites/${siteId}`} class="back" data-testid="report-back">
        {t('report.back_site')}
      </a>
      <div class="list-head">
        <h1>{t('report.title')}</h1>
        <label class="report-period">
          <span class="visually-hidden">{t('report.month')}</span>
          <select
            value={period}
            data-testid="report-period"
            onChange={(e) => navigate(reportPath(siteId, e.currentTarget.value), { replace: true })}
          >
            {months.map((m) => (
              <option key={m} value={m}>
                {periodLabel(m)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {report && (
        <p class="report-site" data-testid="report-site" data-period={report.period}>
          <strong>{report.site.name}</strong>
          <span class="muted">
            {' '}
            · {report.site.venue_type_name} · {report.site.region_name}
          </span>
        </p>
      )}
      <PdfButton siteId={siteId} period={period} lang={lang} />
      {load.state === 'loading' && <Loading />}
      {load.state === 'failed' && <ErrorMessage text={reportErrorText(load.error)} onRetry={reload} />}
      {report && (
        <div class="report" data-testid="report" data-period={report.period} data-grade={report.grade}>
          <GradeCard report={report} />
          <Recommendations report={report} />
          <FactorTable report={report} />
          <Monitoring report={report} />
          <AlarmsByCause report={report} />
          <AlarmsByHour report={report} />
          <Trends report={report} />
          <ReportHazards report={report} />
          <p class="muted report-generated">
            {t('report.generated', { time: formatDateTime(report.generated_at * 1000), period: periodLabel(report.period) })}
          </p>
        </div>
      )}
    </main>
  )
}
