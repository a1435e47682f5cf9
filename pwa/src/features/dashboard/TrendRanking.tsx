// The dashboard's month-over-month trend (alarms, hazards found and closed, coverage; a uPlot chart with the
// figures in a table under it) and the districts ranked by a chosen measure, each district leading to its units.
import { useRef } from 'preact/hooks'
import type uPlot from 'uplot'
import { formatPercent, getLanguage, t } from '../../platform/i18n'
import { useUPlot } from '../../ui/uplot'
import { filterParams, monthChange, monthLabel, RANK_BY, trendColumns, unitsPath, type RankBy, type TrendColumns } from './drill'
import { ExportButtons } from './ExportButtons'
import type { DistrictRank, StatsFilter, TrendOut } from './types'

const HEIGHT = 220
const FONT = '11px system-ui, sans-serif'
/** Alarms in the alarm red, hazards found in amber, closed in green, coverage in the theme's blue. */
const COLOURS = { alarms: '#c92a2a', found: '#b86e00', closed: '#1f8a4c', coverage: '#0e5aa7' }

function options(columns: TrendColumns, width: number): uPlot.Options {
  const month = (i: number) => monthLabel(columns.labels, Math.round(i))
  const line = (label: string, stroke: string, scale = 'n') => ({ label, stroke, scale, width: 2, points: { show: true, size: 5 } })
  return {
    width,
    height: HEIGHT,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, n: { range: (_u, _min, max) => [0, Math.max(4, max)] }, pct: { range: [0, 100] } },
    axes: [
      { values: (_u, splits) => splits.map(month), font: FONT, size: 28, space: 40 },
      { scale: 'n', font: FONT, size: 36, label: t('drill.trend_count'), labelSize: 16, labelFont: FONT },
      { scale: 'pct', side: 1, font: FONT, size: 36, grid: { show: false }, label: t('drill.trend_coverage'), labelSize: 16, labelFont: FONT },
    ],
    series: [
      { label: t('drill.trend_month'), value: (_u, v) => (v === null ? '—' : (columns.labels[v] ?? '')) },
      line(t('drill.trend_alarms'), COLOURS.alarms),
      line(t('drill.trend_found'), COLOURS.found),
      line(t('drill.trend_closed'), COLOURS.closed),
      { ...line(t('drill.trend_coverage'), COLOURS.coverage, 'pct'), dash: [6, 4] },
    ],
  }
}

function TrendChart({ columns }: { columns: TrendColumns }) {
  const box = useRef<HTMLDivElement>(null)
  const lang = getLanguage()
  const { failed } = useUPlot(
    box,
    HEIGHT,
    (_UPlot, width) => [options(columns, width), [columns.x, columns.alarms, columns.hazardsFound, columns.hazardsClosed, columns.coverage]],
    [columns, lang],
  )
  if (failed) return <p class="muted">{t('chart.failed')}</p>
  return <div class="chart" ref={box} data-testid="dash-trend-chart" data-months={String(columns.x.length)} />
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}

export function TrendSection({ out, filter }: { out: TrendOut; filter: StatsFilter }) {
  const columns = trendColumns(out.months)
  const last = out.months[out.months.length - 1]
  const change = monthChange(out.months, 'alarms')
  return (
    <section class="card" data-testid="dash-trend">
      <div class="section-head">
        <h2>{t('drill.trend_title')}</h2>
        <ExportButtons table="trend" params={filterParams(filter)} />
      </div>
      {last && (
        <p class="muted" data-testid="dash-trend-summary">
          {t('drill.trend_change', { alarms: last.alarms, change: change === null ? '—' : signed(change), found: last.hazards_found, closed: last.hazards_closed })}
        </p>
      )}
      <TrendChart columns={columns} />
      <details>
        <summary>{t('drill.trend_show_table')}</summary>
        <div class="table-scroll">
          <table class="dash-table" data-testid="dash-trend-table">
            <thead>
              <tr>
                <th scope="col">{t('drill.trend_month')}</th>
                <th scope="col">{t('drill.trend_alarms')}</th>
                <th scope="col">{t('drill.trend_found')}</th>
                <th scope="col">{t('drill.trend_closed')}</th>
                <th scope="col">{t('drill.col_coverage')}</th>
              </tr>
            </thead>
            <tbody>
              {out.months.map((m) => (
                <tr key={m.month} data-month={m.month}>
                  <th scope="row">{m.month}</th>
                  <td>{m.alarms}</td>
                  <td>{m.hazards_found}</td>
                  <td>{m.hazards_closed}</td>
                  <td>
                    {formatPercent(m.coverage)} <small class="muted">({m.covered}/{m.sites})</small>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  )
}

export function RankingSection({
  rows,
  by,
  onBy,
  filter,
}: {
  rows: readonly DistrictRank[]
  by: RankBy
  onBy: (by: RankBy) => void
  filter: StatsFilter
}) {
  return (
    <section class="card" data-testid="dash-ranking" data-by={by}>
      <div class="section-head">
        <h2>{t('drill.rank_title')}</h2>
        <ExportButtons table="districts" params={filterParams(filter, { by })} />
      </div>
      <label class="dash-rank-by">
        <span>{t('drill.rank_by')}</span>{' '}
        <select value={by} data-testid="dash-rank-by" onChange={(e) => onBy(e.currentTarget.value as RankBy)}>
          {RANK_BY.map((b) => (
            <option key={b} value={b}>
              {t(`drill.rank_by_${b}`)}
            </option>
          ))}
        </select>
      </label>
      {rows.length === 0 ? (
        <p class="muted">{t('dash.no_sites')}</p>
      ) : (
        <div class="table-scroll">
          <table class="dash-table" data-testid="dash-rank-table">
            <thead>
              <tr>
                <th scope="col">{t('drill.col_rank')}</th>
                <th scope="col">{t('dash.district')}</th>
                <th scope="col">{t('drill.col_sites')}</th>
                <th scope="col">{t('drill.col_coverage')}</th>
                <th scope="col">{t('drill.col_compliance')}</th>
                <th scope="col">{t('drill.col_open')}</th>
                <th scope="col">{t('drill.col_overdue')}</th>
                <th scope="col">{t('drill.col_alarms')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.district} data-testid="dash-rank-row" data-district={r.district} data-rank={String(r.rank)}>
                  <td>{r.rank}</td>
                  <th scope="row">
                    <a href={unitsPath({ ...filter, region: r.district })}>{r.district_name}</a>
                  </th>
                  <td>{r.sites}</td>
                  <td>{formatPercent(r.coverage)}</td>
                  <td>{formatPercent(r.compliance)}</td>
                  <td>{r.open_hazards}</td>
                  <td class={r.overdue_hazards > 0 ? 'overdue' : ''}>{r.overdue_hazards}</td>
                  <td>{r.alarms_30d}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
