// The regulators' dashboard (/dashboard?region=&sector=): coverage and compliance against the targets by
// district × sector, hazards by department, when and where alarms cluster, and the sites offline, all scoped
// by the server to the signed-in person. The filters are in the address, so a reload keeps them.
import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { NetworkError } from '../../platform/http'
import { getLanguage, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { getSession } from '../../platform/session'
import { navigate } from '../../shell/router'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad, type LoadState } from '../../ui/hooks'
import { getCoverage, getDistricts, getHazardStats, getHotspots, getOfflineSites, getReference, getTrend } from './api'
import { HazardsByDepartment, HeatTable, Hotspots, OfflineSites } from './DashboardSections'
import type { RankBy } from './drill'
import { SummaryCards } from './SummaryCards'
import { RankingSection, TrendSection } from './TrendRanking'
import {
  canSeeDashboard,
  dashboardPath,
  districtOptions,
  landsOnDashboard,
  parseDashboardSearch,
  sectorName,
  sectorOptions,
  sectorValue,
} from './filters'
import { heatTable, summaryOf } from './heat'
import type { StatsFilter } from './types'

function failureText(error: unknown): string {
  return error instanceof NetworkError ? t('dash.offline') : describeError(error)
}

/** One section's read: loading, failed with retry, or the section. */
function Part<T>({ load, reload, children }: { load: LoadState<T>; reload: () => void; children: (value: T) => ComponentChildren }) {
  if (load.state === 'loading') return <Loading />
  if (load.state === 'failed') return <ErrorMessage text={failureText(load.error)} onRetry={reload} />
  return <>{children(load.value)}</>
}

export function DashboardPage({ search }: { search: string }) {
  const user = getSession()?.user
  const lang = getLanguage()
  const filter = parseDashboardSearch(search)
  const key = dashboardPath(filter)
  const [reference] = useLoad(getReference, 'reference')
  const [coverage, reloadCoverage] = useLoad(() => getCoverage(filter), key)
  const [hazards, reloadHazards] = useLoad(() => getHazardStats(filter), key)
  const [hotspots, reloadHotspots] = useLoad(() => getHotspots(filter), key)
  const [offline, reloadOffline] = useLoad(() => getOfflineSites(filter), key)
  const [trend, reloadTrend] = useLoad(() => getTrend(filter), key)
  const [by, setBy] = useState<RankBy>('coverage')
  const [ranking, reloadRanking] = useLoad(() => getDistricts(filter, by), `${key}|${by}`)
  useEffect(
    () =>
      onRetry(() => {
        reloadCoverage()
        reloadHazards()
        reloadHotspots()
        reloadOffline()
        reloadTrend()
        reloadRanking()
      }),
    [],
  )
  useEffect(() => {
    document.title = `${t('dash.title')} · ${t('app.name')}`
  })

  const ref = reference.state === 'ready' ? reference.value : undefined
  const departments = ref?.departments ?? []
  const districts = useMemo(() => (ref ? districtOptions(ref, user) : []), [ref, user])
  const sectors = useMemo(() => (ref ? sectorOptions(ref, user) : []), [ref, user])
  const nameOf = (code: string, serverName: string) => sectorName(code, serverName, departments, lang)
  const table = useMemo(
    () => (coverage.state === 'ready' ? heatTable(coverage.value.rows, departments.map((d) => d.code), nameOf) : undefined),
    [coverage, departments, lang],
  )

  function choose(change: StatsFilter) {
    const next: StatsFilter = { ...filter, ...change }
    if (!next.region) delete next.region
    if (!next.sector) delete next.sector
    navigate(dashboardPath(next), { replace: true })
  }

  if (!canSeeDashboard(user?.role)) {
    return (
      <main class="page">
        <a href="/" class="back">
          {t('common.back')}
        </a>
        <p class="muted" data-testid="dash-forbidden">
          {t('dash.forbidden')}
        </p>
      </main>
    )
  }

  return (
    <main class="page dash-page">
      {!landsOnDashboard(user?.role) && (
        <a href="/" class="back">
          {t('common.back')}
        </a>
      )}
      <h1>{t('dash.title')}</h1>
      <div class="dash-filters" role="group" aria-label={t('dash.filters')}>
        <label>
          <span>{t('dash.district')}</span>
          <select value={filter.region ?? ''} data-testid="dash-region" onChange={(e) => choose({ region: e.currentTarget.value })}>
            <option value="">{t('dash.all_districts')}</option>
            {districts.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('dash.sector')}</span>
          <select value={sectorValue(filter, sectors)} data-testid="dash-sector" onChange={(e) => choose({ sector: e.currentTarget.value })}>
            {sectors.length !== 1 && <option value="">{t('dash.all_sectors')}</option>}
            {sectors.map((d) => (
              <option key={d.code} value={d.code}>
                {nameOf(d.code, d.name_zh)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Part load={coverage} reload={reloadCoverage}>
        {(value) => (
          <>
            <SummaryCards summary={summaryOf(value)} filter={filter} />
            {table && <HeatTable table={table} rows={value.rows} sectorName={nameOf} filter={filter} />}
          </>
        )}
      </Part>
      <Part load={hazards} reload={reloadHazards}>
        {(rows) => <HazardsByDepartment rows={rows} sectorName={nameOf} filter={filter} />}
      </Part>
      <Part load={trend} reload={reloadTrend}>
        {(out) => <TrendSection out={out} filter={filter} />}
      </Part>
      <Part load={ranking} reload={reloadRanking}>
        {(rows) => <RankingSection rows={rows} by={by} onBy={setBy} filter={filter} />}
      </Part>
      <Part load={hotspots} reload={reloadHotspots}>
        {(out) => <Hotspots out={out} />}
      </Part>
      <Part load={offline} reload={reloadOffline}>
        {(sites) => <OfflineSites sites={sites} filter={filter} />}
      </Part>
    </main>
  )
}
