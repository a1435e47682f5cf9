// The dashboard's summary cards: units, covered, compliant (leading to the units lacking something) and each
// target category against its target; a category with no units is neither met nor failing.
import { formatPercent, label, t } from '../../platform/i18n'
import { unitsPath } from './drill'
import type { Summary } from './heat'
import type { StatsFilter } from './types'

export function SummaryCards({ summary, filter }: { summary: Summary; filter: StatsFilter }) {
  return (
    <section class="dash-cards" data-testid="dash-summary">
      <div class="card dash-card" data-testid="dash-card-sites" data-value={String(summary.sites)}>
        <span class="dash-card-label">{t('dash.sites')}</span>
        <strong class="dash-card-value">{summary.sites}</strong>
        <a href={unitsPath(filter)} data-testid="dash-all-units">
          {t('drill.view_all_units')}
        </a>
      </div>
      <div class="card dash-card" data-testid="dash-card-covered" data-rate={String(summary.coverage)}>
        <span class="dash-card-label">{t('dash.covered')}</span>
        <strong class="dash-card-value">{formatPercent(summary.coverage)}</strong>
        <span class="muted">{t('dash.of_sites', { part: summary.covered, whole: summary.sites })}</span>
        {summary.covered < summary.sites && (
          <a href={unitsPath({ ...filter, covered: false })} data-testid="dash-uncovered-link">
            {t('drill.view_uncovered', { count: summary.sites - summary.covered })}
          </a>
        )}
      </div>
      <div class="card dash-card" data-testid="dash-card-compliant" data-rate={String(summary.compliance)}>
        <span class="dash-card-label">{t('dash.compliant')}</span>
        <strong class="dash-card-value">{formatPercent(summary.compliance)}</strong>
        {summary.notCompliant > 0 ? (
          <a href={unitsPath({ ...filter, compliant: false })} data-testid="dash-noncompliant-link" data-count={String(summary.notCompliant)}>
            {t('drill.view_noncompliant', { count: summary.notCompliant })}
          </a>
        ) : (
          <span class="muted">{t('dash.not_compliant', { count: 0 })}</span>
        )}
      </div>
      {summary.categories.map((c) => {
        // A category with no units (0/0) is neither met nor failing: "无此类单位", in a neutral colour.
        const none = c.sites === 0 || c.status === 'no_units'
        return (
          <div
            key={c.category}
            class={`card dash-card dash-category ${none ? 'none' : c.target_met ? 'met' : 'not-met'}`}
            data-testid="dash-category"
            data-category={c.category}
            data-rate={String(c.coverage)}
            data-target={String(c.target)}
            data-met={String(c.target_met)}
            data-status={none ? 'no_units' : c.target_met ? 'met' : 'not_met'}
          >
            <span class="dash-card-label">{label('category', c.category)}</span>
            <strong class="dash-card-value">{none ? '—' : formatPercent(c.coverage)}</strong>
            <span class="dash-target">
              {t('dash.target', { target: formatPercent(c.target) })} ·{' '}
              <strong>{none ? t('drill.no_units_category') : c.target_met ? t('dash.met') : t('dash.not_met')}</strong>
            </span>
            {!none && <span class="muted">{t('dash.of_sites', { part: c.covered, whole: c.sites })}</span>}
          </div>
        )
      })}
    </section>
  )
}
