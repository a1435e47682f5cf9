// Hazards (/hazards), for every role: those of the sites the user sees, unfinished first, soonest due first,
// with filters (全部 / 待处理 / 待验收 / 已逾期 / 我负责的 / 已关闭) and optionally one site (?site=). Read from the
// device (the synced hazards with the user's changes not yet synced on top), so it opens offline.
import { useEffect } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { navigate } from '../../shell/router'
import { ErrorMessage, Loading } from '../../ui/feedback'
import { hasPulled, readHazards } from '../sync/local'
import { requestSync } from '../sync/start'
import { useLocalView } from '../sync/use-local'
import { HazardItem } from './HazardItem'
import { FILTERS, isOverdue, LIST_LIMIT, listPath, matchesView, newHazardPath, parseListSearch, sortHazards } from './model'

export function HazardsPage({ search }: { search: string }) {
  const view = parseListSearch(search)
  const me = getSession()?.user.id
  // Nothing synced yet is "not yet", not "none": wait for the first pull.
  const load = useLocalView(async () => ((await hasPulled()) ? readHazards() : null), 'hazards')
  useEffect(() => {
    document.title = `${t('hazards.title')} · ${t('app.name')}`
  })
  const now = Date.now()
  const list =
    load.state === 'ready'
      ? sortHazards(load.value.map((h) => ({ ...h, overdue: isOverdue(h, now) })).filter((h) => matchesView(h, view, me, now)))
      : undefined
  const siteName = list?.[0]?.site_name ?? t('subs.site_number', { id: String(view.siteId ?? '') })

  return (
    <main class="page hazards-page">
      <a href="/" class="back">
        {t('common.back')}
      </a>
      <div class="list-head">
        <h1>{t('hazards.title')}</h1>
        <a href={newHazardPath(view.siteId)} class="button-link" data-testid="hazard-report">
          {t('hazards.report')}
        </a>
      </div>
      {view.siteId !== undefined && (
        <p class="site-scope" data-testid="hazard-site-scope" data-site-id={String(view.siteId)}>
          {t('hazards.only_site', { name: siteName })}{' '}
          <a href={listPath({ filter: view.filter })} data-testid="hazard-all-sites">
            {t('hazards.all_sites')}
          </a>
        </p>
      )}
      <div class="filters" role="group" aria-label={t('hazards.filter')}>
        {FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            class="filter-chip"
            aria-pressed={f === view.filter}
            data-testid={`hazard-filter-${f}`}
            onClick={() => navigate(listPath({ ...view, filter: f }), { replace: true })}
          >
            {t(`hazards.filter_${f}`)}
          </button>
        ))}
      </div>
      {load.state === 'loading' && <Loading />}
      {load.state === 'missing' && <ErrorMessage text={t('hazards.not_synced')} onRetry={() => void requestSync()} />}
      {list && (
        <p class="muted" data-testid="hazard-count">
          {list.length >= LIST_LIMIT ? t('hazards.limited', { count: list.length }) : t('hazards.count', { count: list.length })}
        </p>
      )}
      {list && list.length === 0 && (
        <p class="muted" data-testid="hazard-empty">
          {t(`hazards.empty_${view.filter}`)}
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="hazard-list" data-testid="hazard-list" data-filter={view.filter}>
          {list.map((h) => (
            <HazardItem key={h.entity_id} hazard={h} showSite={view.siteId === undefined} />
          ))}
        </ul>
      )}
    </main>
  )
}
