// Hazards (/hazards), for every role: those of the sites the user sees, unfinished first, soonest due first,
// with filters (全部 / 待处理 / 待验收 / 已逾期 / 我负责的 / 已关闭) and optionally one site (?site=).
import { useEffect } from 'preact/hooks'
import { NetworkError } from '../api'
import { describeError, ErrorMessage, Loading } from '../components/bits'
import { HazardItem } from '../components/HazardBits'
import { getHazards } from '../hazards/api'
import { FILTERS, LIST_LIMIT, listPath, newHazardPath, parseListSearch, queryOf, sortHazards } from '../hazards/model'
import { useLoad } from '../hooks'
import { t } from '../i18n'
import { onRetry } from '../online'
import { navigate } from '../router'

export function HazardsPage({ search }: { search: string }) {
  const view = parseListSearch(search)
  const path = listPath(view)
  const [load, reload] = useLoad(() => getHazards({ ...queryOf(view.filter, view.siteId), limit: LIST_LIMIT }), path)
  useEffect(() => onRetry(reload), [])
  useEffect(() => {
    document.title = `${t('hazards.title')} · ${t('app.name')}`
  })
  const list = load.state === 'ready' ? sortHazards(load.value) : undefined
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
      {load.state === 'failed' && (
        <ErrorMessage
          text={load.error instanceof NetworkError ? t('hazard.offline') : describeError(load.error)}
          onRetry={reload}
        />
      )}
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
            <HazardItem key={h.id} hazard={h} showSite={view.siteId === undefined} />
          ))}
        </ul>
      )}
    </main>
  )
}
