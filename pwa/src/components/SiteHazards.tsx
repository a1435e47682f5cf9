// A site's unfinished hazards on the site page, with "上报隐患" and a link to all of them.
import { useEffect } from 'preact/hooks'
import { NetworkError } from '../api'
import { getHazards } from '../hazards/api'
import { listPath, newHazardPath, sortHazards, UNFINISHED } from '../hazards/model'
import { useLoad } from '../hooks'
import { t } from '../i18n'
import { onRetry } from '../online'
import { describeError } from './bits'
import { HazardItem } from './HazardBits'

export function SiteHazards({ siteId }: { siteId: number }) {
  const [load, reload] = useLoad(() => getHazards({ site_id: siteId, states: UNFINISHED }), siteId)
  useEffect(() => onRetry(reload), [])
  const list = load.state === 'ready' ? sortHazards(load.value) : undefined
  return (
    <section class="hazard-section" id="hazards" data-testid="site-hazards">
      <div class="section-head">
        <h2>
          {t('hazards.site_title')}
          {list && <span class="muted"> ({list.length})</span>}
        </h2>
        <a href={newHazardPath(siteId)} class="button-link" data-testid="hazard-report">
          {t('hazards.report')}
        </a>
      </div>
      {load.state === 'loading' && <p class="muted">{t('common.loading')}</p>}
      {load.state === 'failed' && (
        <p class="muted" data-testid="site-hazards-error">
          {load.error instanceof NetworkError ? t('hazard.offline') : describeError(load.error)}
        </p>
      )}
      {list && list.length === 0 && (
        <p class="muted" data-testid="site-hazards-empty">
          {t('hazards.site_empty')}
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="hazard-list" data-testid="site-hazard-list">
          {list.map((h) => (
            <HazardItem key={h.id} hazard={h} showSite={false} />
          ))}
        </ul>
      )}
      <a href={listPath({ filter: 'all', siteId })} class="alarm-details-link" data-testid="site-hazards-all">
        {t('hazards.all')} ›
      </a>
    </section>
  )
}
