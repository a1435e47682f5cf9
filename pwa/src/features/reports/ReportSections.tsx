// The parts of the health-check report page: the grade and score, the factors, monitoring, alarms by cause
// and by hour, hazards, and recommendations. The numbers come from reports/model.ts.
import { formatDate, formatNumber, formatPercent, label, t } from '../../platform/i18n'
import { hazardPath } from '../../shell/router'
import { SeverityBadge, StateChip } from '../hazards/HazardBadges'
import type { HazardState, Severity } from '../hazards/types'
import {
  causeRows,
  factorValueText,
  gradeText,
  gradeTone,
  hourBars,
  peakHours,
  pointsShare,
  pointsText,
} from './model'
import type { Report } from './types'

export function GradeCard({ report }: { report: Report }) {
  const tone = gradeTone(report.grade)
  return (
    <section class={`card report-grade-card grade-${tone}`} data-testid="report-score-card">
      <div class={`report-grade grade-${tone}`} data-testid="report-grade" data-grade={report.grade} aria-label={t('report.grade_label', { grade: report.grade })}>
        {report.grade}
      </div>
      <div class="report-score-text">
        <p class="report-score" data-testid="report-score" data-score={String(report.score)}>
          {t('report.score', { score: report.score })}
        </p>
        <p class="report-grade-words">{gradeText(report.grade)}</p>
        {report.grade_note && (
          <p class="report-grade-note" data-testid="report-grade-note">
            {report.grade_note}
          </p>
        )}
        <p class="muted report-scale">{t('report.scale')}</p>
      </div>
    </section>
  )
}

export function FactorTable({ report }: { report: Report }) {
  return (
    <section class="card" data-testid="report-factors">
      <h2>{t('report.factors')}</h2>
      <p class="muted">{t('report.factors_hint')}</p>
      <div class="table-scroll">
        <table class="report-table">
          <thead>
            <tr>
              <th scope="col">{t('report.factor')}</th>
              <th scope="col" class="num">{t('report.measured')}</th>
              <th scope="col" class="num">{t('report.points')}</th>
              <th scope="col" class="num">{t('report.cap')}</th>
            </tr>
          </thead>
          <tbody>
            {report.factors.map((f) => (
              <tr key={f.key} class={f.points > 0 ? 'lost' : ''} data-testid="report-factor" data-key={f.key} data-points={String(f.points)}>
                <th scope="row">
                  {f.name}
                  <span class="points-bar" aria-hidden="true">
                    <span style={{ width: `${pointsShare(f) * 100}%` }} />
                  </span>
                </th>
                <td class="num">{factorValueText(f)}</td>
                <td class="num points">{pointsText(f.points)}</td>
                <td class="num muted">{formatNumber(f.cap)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

export function Monitoring({ report }: { report: Report }) {
  return (
    <section class="card report-monitoring">
      <h2>{t('report.monitoring')}</h2>
      <dl class="facts">
        <dt>{t('report.devices')}</dt>
        <dd data-testid="report-devices">{t('sites.devices', { count: report.devices })}</dd>
        <dt>{t('report.online_rate')}</dt>
        <dd data-testid="report-online" data-rate={String(report.online_rate)}>
          <strong>{formatPercent(report.online_rate)}</strong>
        </dd>
        <dt>{t('report.alarms_total')}</dt>
        <dd data-testid="report-alarms-total">{t('report.value_times', { count: report.alarms_total })}</dd>
      </dl>
    </section>
  )
}

export function AlarmsByCause({ report }: { report: Report }) {
  const rows = causeRows(report.alarms_by_cause)
  return (
    <section class="card" data-testid="report-causes">
      <h2>{t('report.by_cause')}</h2>
      {rows.length === 0 ? (
        <p class="muted" data-testid="report-causes-empty">
          {t('report.no_alarms')}
        </p>
      ) : (
        <div class="table-scroll">
          <table class="report-table">
            <thead>
              <tr>
                <th scope="col">{t('report.cause')}</th>
                <th scope="col" class="num">{label('status', 'alarm')}</th>
                <th scope="col" class="num">{label('status', 'prealarm')}</th>
                <th scope="col" class="num">{label('status', 'fault')}</th>
                <th scope="col" class="num">{label('status', 'offline')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.cause} data-testid="report-cause" data-cause={r.cause} data-total={String(r.total)}>
                  <th scope="row">{r.name}</th>
                  <td class={`num${r.alarm > 0 ? ' alarm-count' : ''}`}>{r.alarm}</td>
                  <td class="num">{r.prealarm}</td>
                  <td class="num">{r.fault}</td>
                  <td class="num">{r.offline}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** Alarm-level alarms by hour of day: 24 CSS bars, the busiest full height. */
export function AlarmsByHour({ report }: { report: Report }) {
  const bars = hourBars(report.alarms_by_hour)
  const peaks = peakHours(report.alarms_by_hour)
  const total = bars.reduce((n, b) => n + b.count, 0)
  return (
    <section class="card" data-testid="report-hours" data-total={String(total)}>
      <h2>{t('report.by_hour')}</h2>
      {total === 0 ? (
        <p class="muted">{t('report.no_alarm_level')}</p>
      ) : (
        <>
          <p class="muted" data-testid="report-peak">
            {t('report.peak', { hours: peaks.map((h) => `${h}:00`).join('、') })}
          </p>
          <div class="hour-bars" role="img" aria-label={t('report.by_hour')}>
            {bars.map((b) => (
              <span key={b.hour} class="hour-bar" title={t('report.hour_count', { hour: b.hour, count: b.count })} data-count={String(b.count)}>
                <span class="hour-bar-fill" style={{ height: `${b.share * 100}%` }} />
                {b.count > 0 && <span class="hour-bar-count">{b.count}</span>}
              </span>
            ))}
          </div>
          <div class="hour-axis" aria-hidden="true">
            {[0, 6, 12, 18, 23].map((h) => (
              <span key={h} style={{ left: `${(h / 24) * 100 + 100 / 48}%` }}>
                {h}
              </span>
            ))}
          </div>
        </>
      )}
    </section>
  )
}

export function ReportHazards({ report }: { report: Report }) {
  const h = report.hazards
  return (
    <section class="card" data-testid="report-hazards" data-open={String(h.open)} data-overdue={String(h.overdue)}>
      <h2>{t('report.hazards')}</h2>
      <dl class="report-figures">
        <div>
          <dt>{t('report.found')}</dt>
          <dd data-testid="report-hazards-found">{h.found}</dd>
        </div>
        <div>
          <dt>{t('report.rectified')}</dt>
          <dd data-testid="report-hazards-rectified">{h.rectified}</dd>
        </div>
        <div>
          <dt>{t('report.mean_days')}</dt>
          <dd>{h.mean_days_to_rectify === null ? '—' : t('report.value_days', { value: formatNumber(h.mean_days_to_rectify) })}</dd>
        </div>
        <div class={h.open > 0 ? 'warn' : ''}>
          <dt>{t('report.open')}</dt>
          <dd data-testid="report-hazards-open">{h.open}</dd>
        </div>
        <div class={h.overdue > 0 ? 'bad' : ''}>
          <dt>{t('report.overdue')}</dt>
          <dd data-testid="report-hazards-overdue">{h.overdue}</dd>
        </div>
      </dl>
      {h.items.length > 0 && (
        <ul class="report-hazard-list">
          {h.items.map((item) => (
            <li key={item.id}>
              <a href={hazardPath(item.id)} class="report-hazard" data-testid="report-hazard" data-hazard-id={String(item.id)}>
                <span class="report-hazard-title">{item.title}</span>
                <span class="hazard-item-meta">
                  <SeverityBadge severity={item.severity as Severity} testid="report-hazard-severity" />
                  <StateChip state={item.state as HazardState} testid="report-hazard-state" />
                  <span>{t('report.found_on', { date: formatDate(item.created_at * 1000) })}</span>
                  {item.days_to_rectify !== null && (
                    <span>{t('report.took_days', { value: formatNumber(item.days_to_rectify) })}</span>
                  )}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function Recommendations({ report }: { report: Report }) {
  return (
    <section class="card report-recommendations" data-testid="report-recommendations">
      <h2>{t('report.recommendations')}</h2>
      <ol>
        {report.recommendations.map((text, i) => (
          <li key={i} data-testid="report-recommendation">
            {text}
          </li>
        ))}
      </ol>
    </section>
  )
}
