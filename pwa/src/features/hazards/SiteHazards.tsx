// A site's unfinished hazards on the site page, with "上报隐患" and a link to all of them; from the device, as the
// hazard list.
import { t } from '../../platform/i18n'
import { hasPulled, readHazards } from '../sync/local'
import { useLocalView } from '../sync/use-local'
import { HazardItem } from './HazardItem'
import { isOverdue, listPath, newHazardPath, sortHazards, UNFINISHED } from './model'

export function SiteHazards({ siteId }: { siteId: number }) {
  const load = useLocalView(async () => ((await hasPulled()) ? readHazards(undefined, siteId) : null), `site-hazards/${siteId}`)
  const now = Date.now()
  const list =
    load.state === 'ready'
      ? sortHazards(
          load.value
            .filter((h) => h.site_id === siteId && UNFINISHED.includes(h.state))
            .map((h) => ({ ...h, overdue: isOverdue(h, now) })),
        )
      : undefined
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
      {load.state === 'missing' && (
        <p class="muted" data-testid="site-hazards-error">
          {t('hazards.not_synced')}
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
            <HazardItem key={h.entity_id} hazard={h} showSite={false} />
          ))}
        </ul>
      )}
      <a href={listPath({ filter: 'all', siteId })} class="alarm-details-link" data-testid="site-hazards-all">
        {t('hazards.all')} ›
      </a>
    </section>
  )
}
