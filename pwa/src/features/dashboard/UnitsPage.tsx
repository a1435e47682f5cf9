// The units behind a dashboard number (/dashboard/units?region=&sector=&compliant=false): each with its venue
// type, what it lacks, its open and overdue hazards and this month's grade, and one tap to its page, its hazards
// and its health-check report. The filters are in the address, so the back button returns to the dashboard.
import { useEffect, useState } from 'preact/hooks'
import { NetworkError } from '../../platform/http'
import { getLanguage, label, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { reportPath } from '../../shell/router'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { listPath } from '../hazards/model'
import { getReference, getUnits, UNITS_PAGE } from './api'
import { missingText, parseUnitsSearch, unitsQuery, type UnitsView } from './drill'
import './drill.css'
import { ExportButtons } from './ExportButtons'
import { dashboardPath, sectorName } from './filters'
import type { Reference, UnitRow } from './types'

function title(view: UnitsView, reference: Reference | undefined): string {
  const lang = getLanguage()
  const parts: string[] = []
  if (view.region) parts.push(reference?.regions.find((r) => r.code === view.region)?.name ?? view.region)
  if (view.sector) parts.push(sectorName(view.sector, view.sector, reference?.departments ?? [], lang))
  const what =
    view.compliant === false
      ? t('drill.units_noncompliant')
      : view.compliant === true
        ? t('drill.units_compliant')
        : view.covered === false
          ? t('drill.units_uncovered')
          : t('drill.units_all')
  return [...parts, what].join(' · ')
}

function UnitItem({ unit }: { unit: UnitRow }) {
  const lang = getLanguage()
  const lacks = missingText(unit, (code, zh) => (lang === 'en' ? label('capability', code) : zh))
  return (
    <li class="card unit-item" data-testid="unit-item" data-site-id={String(unit.site_id)} data-compliant={String(unit.compliant)}>
      <div class="unit-head">
        <a href={`/sites/${unit.site_id}`} class="unit-name" data-testid="unit-link">
          <strong>{unit.name}</strong>
        </a>
        <span class={`unit-grade grade-${unit.grade ?? 'none'}`} data-testid="unit-grade" data-grade={unit.grade ?? ''}>
          {unit.grade ? t('drill.grade', { grade: unit.grade, score: unit.score ?? 0 }) : t('drill.no_grade')}
        </span>
      </div>
      <p class="muted">
        {unit.district_name} · {lang === 'en' ? label('venue_type', unit.venue_type) : unit.venue_type_name}
        {unit.address ? ` · ${unit.address}` : ''}
      </p>
      <p class={unit.compliant ? 'unit-ok' : 'unit-lacks'} data-testid="unit-compliance">
        {unit.compliant ? `✓ ${t('drill.equipped')}` : `✗ ${t('drill.lacks', { missing: lacks })}`}
        {!unit.covered && <span class="muted"> · {t('drill.not_covered')}</span>}
      </p>
      <p class="unit-links">
        <a href={listPath({ filter: 'all', siteId: unit.site_id })} data-testid="unit-hazards" data-open={String(unit.open_hazards)}>
          {unit.open_hazards > 0 ? t('drill.hazards', { count: unit.open_hazards }) : t('drill.no_hazards')}
          {unit.overdue_hazards > 0 && <span class="overdue"> · {t('drill.overdue', { count: unit.overdue_hazards })}</span>}
        </a>
        <a href={reportPath(unit.site_id)} data-testid="unit-report">
          {t('drill.report')}
        </a>
      </p>
    </li>
  )
}

export function UnitsPage({ search }: { search: string }) {
  const view = parseUnitsSearch(search)
  const key = unitsQuery(view).toString()
  const [reference] = useLoad(getReference, 'reference')
  const [first, reload] = useLoad(() => getUnits(view), key)
  const [more, setMore] = useState<{ key: string; rows: UnitRow[]; loading: boolean; error?: string }>({ key, rows: [], loading: false })
  useEffect(() => onRetry(reload), [])
  const ref = reference.state === 'ready' ? reference.value : undefined
  const heading = title(view, ref)
  useEffect(() => {
    document.title = `${heading} · ${t('app.name')}`
  })
  const extra = more.key === key ? more : { key, rows: [], loading: false }

  async function loadMore(offset: number) {
    setMore({ ...extra, loading: true })
    try {
      const page = await getUnits(view, offset, UNITS_PAGE)
      setMore({ key, rows: [...extra.rows, ...page.rows], loading: false })
    } catch (error) {
      setMore({ ...extra, loading: false, error: describeError(error) })
    }
  }

  const back = dashboardPath({ ...(view.region ? { region: view.region } : {}), ...(view.sector ? { sector: view.sector } : {}) })
  return (
    <main class="page dash-units">
      <a href={back} class="back" data-testid="units-back">
        {t('drill.back')}
      </a>
      <h1 data-testid="units-title">{heading}</h1>
      {first.state === 'loading' && <Loading />}
      {first.state === 'failed' && (
        <ErrorMessage text={first.error instanceof NetworkError ? t('dash.offline') : describeError(first.error)} onRetry={reload} />
      )}
      {first.state === 'ready' && (
        <>
          <div class="section-head">
            <p class="muted" data-testid="units-total" data-total={String(first.value.total)}>
              {t('drill.units_count', { count: first.value.total })}
            </p>
            <ExportButtons table="units" params={unitsQuery(view)} />
          </div>
          {first.value.total === 0 ? (
            <p class="muted" data-testid="units-empty">
              {t('drill.empty')}
            </p>
          ) : (
            <ul class="unit-list" data-testid="unit-list">
              {[...first.value.rows, ...extra.rows].map((unit) => (
                <UnitItem key={unit.site_id} unit={unit} />
              ))}
            </ul>
          )}
          {first.value.rows.length + extra.rows.length < first.value.total && (
            <button
              type="button"
              class="link-button"
              disabled={extra.loading}
              data-testid="units-more"
              onClick={() => void loadMore(first.value.rows.length + extra.rows.length)}
            >
              {extra.loading ? t('common.loading') : t('drill.more')}
            </button>
          )}
          {extra.error && <p role="alert">{extra.error}</p>}
        </>
      )}
    </main>
  )
}
