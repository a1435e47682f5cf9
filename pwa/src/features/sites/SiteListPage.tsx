import { useEffect, useState } from 'preact/hooks'
import { label, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { describeError, ErrorMessage, Loading, OfflineBanner } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { STATUS_ORDER } from '../alarms/model'
import { getSession } from '../../platform/session'
import { navigate } from '../../shell/router'
import { readSites } from './data'
import { landingSite } from './landing'
import { StatusBadge } from './StatusBadge'
import type { Site } from './types'

function normalise(text: string): string {
  return text.toLocaleLowerCase().replace(/\s+/g, '')
}

/** Sites that match `query`, those that need attention first; the server's order is kept within a level. */
export function filterSites(sites: Site[], query: string): Site[] {
  const q = normalise(query)
  const matching = q ? sites.filter((s) => normalise(s.name).includes(q) || normalise(s.address).includes(q)) : sites
  return [...matching].sort((a, b) => (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9))
}

function SiteItem({ site }: { site: Site }) {
  return (
    <li>
      <a href={`/sites/${site.id}`} class="card site-item" data-testid="site-item" data-site-id={String(site.id)}>
        <div class="site-item-head">
          <strong class="site-item-name">{site.name}</strong>
          <StatusBadge status={site.status} />
        </div>
        <div class="muted">{site.address}</div>
        <div class="site-item-meta">
          <span>{site.region_name}</span>
          <span>{label('venue_type', site.venue_type)}</span>
          <span data-testid="site-device-count">{t('sites.devices', { count: site.device_count })}</span>
          {site.key_unit && <span class="flag">{t('site.key_unit')}</span>}
        </div>
      </a>
    </li>
  )
}

/** The sites this user may see (GET /api/v1/sites), from the saved copy when offline. */
export function SiteListPage() {
  const [query, setQuery] = useState('')
  const [load, reload] = useLoad(readSites, 'sites')
  useEffect(() => onRetry(reload), [])
  useEffect(() => {
    document.title = `${t('sites.title')} · ${t('app.name')}`
  })
  const landing = load.state === 'ready' ? landingSite(getSession()?.user.role, load.value.data) : null
  useEffect(() => {
    if (landing !== null) navigate(`/sites/${landing}`, { replace: true })
  }, [landing])

  if (load.state === 'loading' || landing !== null) return <main class="page"><Loading /></main>
  if (load.state === 'failed') {
    return (
      <main class="page">
        <ErrorMessage text={describeError(load.error)} onRetry={reload} />
      </main>
    )
  }

  const { data: sites, fetchedAt, offline } = load.value
  const shown = filterSites(sites, query)
  return (
    <main class="page">
      {offline && <OfflineBanner fetchedAt={fetchedAt} onRetry={reload} />}
      <div class="list-head">
        <h1>{t('sites.title')}</h1>
        <span class="muted" data-testid="site-count">
          {query
            ? t('sites.matching', { count: shown.length, total: sites.length })
            : t('sites.count', { count: sites.length })}
        </span>
      </div>
      <input
        type="search"
        class="filter"
        placeholder={t('sites.filter')}
        aria-label={t('sites.filter')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        data-testid="site-filter"
      />
      {sites.length === 0 && <p class="muted">{t('sites.empty')}</p>}
      {sites.length > 0 && shown.length === 0 && <p class="muted">{t('sites.no_match')}</p>}
      <ul class="site-list" data-testid="site-list">
        {shown.map((site) => (
          <SiteItem key={site.id} site={site} />
        ))}
      </ul>
    </main>
  )
}
