// The parts of the regulators' dashboard (its summary cards are in SummaryCards.tsx): the district × sector heat
// table (tap a cell for its numbers and its units), the cells below target, hazards by department, alarm hot spots
// by hour × district, and the sites offline. Tables and colours come from heat.ts.
import { useState } from 'preact/hooks'
import { formatPercent, formatRecent, label, t } from '../../platform/i18n'
import {
  belowTarget,
  cellKey,
  coverageColour,
  hazardBars,
  hotColour,
  hotGrid,
  type HeatTable as Table,
} from './heat'
import { filterParams, unitsPath } from './drill'
import './drill.css'
import { ExportButtons } from './ExportButtons'
import type { CoverageRow, HazardRow, HotspotsOut, OfflineSite, StatsFilter } from './types'

type SectorName = (code: string, serverName: string) => string



function CellDetail({ row, sectorName, onClose }: { row: CoverageRow; sectorName: SectorName; onClose: () => void }) {
  return (
    <div class="card heat-detail" role="region" aria-live="polite" data-testid="heat-detail" data-district={row.district} data-sector={row.sector}>
      <div class="section-head">
        <h3>
          {row.district_name} · {sectorName(row.sector, row.sector_name)}
        </h3>
        <button type="button" class="link-button" data-testid="heat-detail-close" onClick={onClose}>
          {t('photo.close')}
        </button>
      </div>
      <dl class="facts">
        <dt>{t('dash.category')}</dt>
        <dd>{label('category', row.category)}</dd>
        <dt>{t('dash.sites')}</dt>
        <dd data-testid="heat-detail-sites">{row.sites}</dd>
        <dt>{t('dash.covered')}</dt>
        <dd data-testid="heat-detail-covered">
          {t('dash.rate_of', { rate: formatPercent(row.coverage), part: row.covered, whole: row.sites })}
        </dd>
        <dt>{t('dash.target_label')}</dt>
        <dd data-testid="heat-detail-target" data-met={String(row.target_met)} class={row.target_met ? 'met' : 'not-met'}>
          {formatPercent(row.target)} · {row.target_met ? t('dash.met') : t('dash.not_met_by', { gap: formatPercent(row.target - row.coverage) })}
        </dd>
        <dt>{t('dash.compliant')}</dt>
        <dd data-testid="heat-detail-compliant">
          {t('dash.rate_of', { rate: formatPercent(row.compliance), part: row.compliant, whole: row.sites })}
        </dd>
      </dl>
      <p class="heat-detail-links">
        <a href={unitsPath({ region: row.district, sector: row.sector })} class="heat-detail-units" data-testid="heat-detail-units">
          {t('drill.view_units', { count: row.sites })}
        </a>
        {row.compliant < row.sites && (
          <a href={unitsPath({ region: row.district, sector: row.sector, compliant: false })} class="heat-detail-units" data-testid="heat-detail-noncompliant">
            {t('drill.view_noncompliant', { count: row.sites - row.compliant })}
          </a>
        )}
      </p>
    </div>
  )
}

/** Districts down, sectors across; each cell's colour is its coverage, ✗ marks a cell below its target. */
export function HeatTable({
  table,
  rows,
  sectorName,
  filter,
}: {
  table: Table
  rows: readonly CoverageRow[]
  sectorName: SectorName
  filter: StatsFilter
}) {
  const [selected, setSelected] = useState<string | null>(null)
  const chosen = selected ? table.cells.get(selected) : undefined
  const below = belowTarget(rows)
  return (
    <section class="card dash-heat" data-testid="dash-heat">
      <div class="section-head">
        <h2>{t('dash.heat_title')}</h2>
        <ExportButtons table="coverage" params={filterParams(filter)} />
      </div>
      <p class="muted">{t('dash.heat_hint')}</p>
      <div class="heat-legend" aria-hidden="true">
        <span>0%</span>
        <span class="heat-legend-bar" />
        <span>100%</span>
        <span class="heat-legend-miss">✗ {t('dash.not_met')}</span>
      </div>
      {table.districts.length === 0 ? (
        <p class="muted" data-testid="heat-empty">
          {t('dash.no_sites')}
        </p>
      ) : (
        <div class="table-scroll">
          <table class="heat-table" data-testid="heat-table">
            <thead>
              <tr>
                <th scope="col" class="heat-corner">
                  {t('dash.district')} \ {t('dash.sector')}
                </th>
                {table.sectors.map((s) => (
                  <th key={s.code} scope="col" data-sector={s.code}>
                    {s.name}
                  </th>
                ))}
                <th scope="col" class="heat-total">
                  {t('dash.total')}
                </th>
              </tr>
            </thead>
            <tbody>
              {table.districts.map((d) => (
                <tr key={d.code} data-testid="heat-row" data-district={d.code}>
                  <th scope="row">{d.name}</th>
                  {table.sectors.map((s) => {
                    const key = cellKey(d.code, s.code)
                    const cell = table.cells.get(key)
                    if (!cell) return <td key={s.code} class="heat-none">—</td>
                    const colour = coverageColour(cell.coverage)
                    return (
                      <td key={s.code}>
                        <button
                          type="button"
                          class={`heat-cell${cell.target_met ? '' : ' below'}`}
                          style={{ background: colour.background, color: colour.text }}
                          aria-pressed={selected === key}
                          aria-label={t('dash.cell_label', {
                            district: d.name,
                            sector: s.name,
                            rate: formatPercent(cell.coverage),
                            target: formatPercent(cell.target),
                          })}
                          data-testid="heat-cell"
                          data-district={d.code}
                          data-sector={s.code}
                          data-coverage={String(cell.coverage)}
                          data-compliance={String(cell.compliance)}
                          data-target={String(cell.target)}
                          data-met={String(cell.target_met)}
                          data-sites={String(cell.sites)}
                          onClick={() => setSelected(selected === key ? null : key)}
                        >
                          <strong data-testid="heat-cell-coverage">{formatPercent(cell.coverage)}</strong>
                          <small data-testid="heat-cell-compliance">{t('dash.cell_compliant', { rate: formatPercent(cell.compliance) })}</small>
                          <small>
                            {cell.target_met ? '✓' : '✗'} {t('dash.cell_target', { rate: formatPercent(cell.target) })}
                          </small>
                        </button>
                      </td>
                    )
                  })}
                  <td class="heat-total">
                    <strong>{formatPercent(d.totals.coverage)}</strong>
                    <small>{t('dash.cell_compliant', { rate: formatPercent(d.totals.compliance) })}</small>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('dash.total')}</th>
                {table.sectors.map((s) => (
                  <td key={s.code} class="heat-total">
                    <strong>{formatPercent(s.totals.coverage)}</strong>
                    <small>{t('dash.cell_compliant', { rate: formatPercent(s.totals.compliance) })}</small>
                  </td>
                ))}
                <td class="heat-total">
                  <strong>{formatPercent(table.totals.coverage)}</strong>
                  <small>{t('dash.cell_compliant', { rate: formatPercent(table.totals.compliance) })}</small>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {chosen && <CellDetail row={chosen} sectorName={sectorName} onClose={() => setSelected(null)} />}
      {below.length > 0 && (
        <div class="dash-below" data-testid="dash-below" data-count={String(below.length)}>
          <h3>{t('dash.below_title', { count: below.length })}</h3>
          <ul>
            {below.map((r) => (
              <li key={cellKey(r.district, r.sector)} data-testid="dash-below-item" data-district={r.district} data-sector={r.sector}>
                <button type="button" class="link-button" onClick={() => setSelected(cellKey(r.district, r.sector))}>
                  {r.district_name} · {sectorName(r.sector, r.sector_name)}
                </button>{' '}
                {t('dash.below_line', { rate: formatPercent(r.coverage), target: formatPercent(r.target), sites: r.sites })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}

export function HazardsByDepartment({ rows, sectorName, filter }: { rows: readonly HazardRow[]; sectorName: SectorName; filter: StatsFilter }) {
  const bars = hazardBars(rows)
  return (
    <section class="card" data-testid="dash-hazards">
      <div class="section-head">
        <h2>{t('dash.hazards_title')}</h2>
        <ExportButtons table="hazards" params={filterParams(filter)} />
      </div>
      {bars.length === 0 ? (
        <p class="muted" data-testid="dash-hazards-empty">
          {t('dash.no_hazards')}
        </p>
      ) : (
        <ul class="dash-bars">
          {bars.map((b) => (
            <li
              key={b.sector}
              data-testid="dash-hazard-row"
              data-sector={b.sector}
              data-open={String(b.open)}
              data-overdue={String(b.overdue)}
              data-major={String(b.major_open)}
            >
              <div class="dash-bar-head">
                <a href={unitsPath({ ...filter, sector: b.sector })} data-testid="dash-hazard-units">
                  <strong>{sectorName(b.sector, b.sector_name)}</strong>
                </a>
                <span>
                  {t('dash.hazards_open', { count: b.open })}
                  {b.overdue > 0 && <span class="overdue"> · {t('dash.hazards_overdue', { count: b.overdue })}</span>}
                  {b.major_open > 0 && <span class="muted"> · {t('dash.hazards_major', { count: b.major_open })}</span>}
                </span>
              </div>
              <span class="dash-bar" aria-hidden="true">
                <span class="dash-bar-open" style={{ width: `${b.openShare * 100}%` }} />
                <span class="dash-bar-overdue" style={{ width: `${b.overdueShare * 100}%` }} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** Alarm-level alarms by local hour × district: darker is more; the busiest hours are named above. */
export function Hotspots({ out }: { out: HotspotsOut }) {
  const grid = hotGrid(out)
  return (
    <section class="card" data-testid="dash-hotspots" data-total={String(grid.total)}>
      <h2>{t('dash.hot_title', { days: out.days })}</h2>
      {grid.total === 0 ? (
        <p class="muted" data-testid="dash-hotspots-empty">
          {t('dash.no_alarms', { days: out.days })}
        </p>
      ) : (
        <>
          <p class="muted" data-testid="dash-peak">
            {t('dash.peak', { hours: grid.peakHours.map((h) => `${h}:00`).join('、'), total: grid.total })}
          </p>
          <div class="table-scroll">
            <table class="hot-table" data-testid="hot-table">
              <thead>
                <tr>
                  <th scope="col">{t('dash.district')}</th>
                  {grid.hours.map((_, h) => (
                    <th key={h} scope="col" class="hot-hour">
                      {h}
                    </th>
                  ))}
                  <th scope="col">{t('dash.total')}</th>
                </tr>
              </thead>
              <tbody>
                {grid.rows.map((row) => (
                  <tr key={row.district} data-testid="hot-row" data-district={row.district}>
                    <th scope="row">{row.name}</th>
                    {row.cells.map((c) => {
                      const colour = hotColour(c.level)
                      return (
                        <td
                          key={c.hour}
                          class="hot-cell"
                          style={{ background: colour.background, color: colour.text }}
                          title={t('dash.hot_cell', { district: row.name, hour: c.hour, count: c.count })}
                          data-testid="hot-cell"
                          data-hour={String(c.hour)}
                          data-count={String(c.count)}
                        >
                          {c.count > 0 ? c.count : ''}
                        </td>
                      )
                    })}
                    <td class="heat-total">{row.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}

export function OfflineSites({ sites, filter }: { sites: readonly OfflineSite[]; filter: StatsFilter }) {
  return (
    <section class="card" data-testid="dash-offline" data-count={String(sites.length)}>
      <div class="section-head">
        <h2>
          {t('dash.offline_title')} <span class="muted">({sites.length})</span>
        </h2>
        <ExportButtons table="offline" params={filterParams(filter)} />
      </div>
      {sites.length === 0 ? (
        <p class="muted" data-testid="dash-offline-empty">
          {t('dash.no_offline')}
        </p>
      ) : (
        <ul class="dash-offline-list">
          {sites.map((s) => (
            <li key={s.site_id}>
              <a href={`/sites/${s.site_id}`} data-testid="dash-offline-item" data-site-id={String(s.site_id)}>
                <strong>{s.name}</strong>
                <span class="muted">
                  {' '}
                  · {s.district_name} · {t('dash.offline_devices', { count: s.devices })} ·{' '}
                  {t('dash.offline_since', { time: formatRecent(s.since * 1000) })}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
