// A site's inspections on the site page (admin, operator, inspector, regulator): "开始巡检" with the venue
// type's checklist (online the server makes the visit; offline it starts on the device with the checklist kept
// by the last sync, inspections/offline.ts), and the visits so far on this device, each linking to its checklist.
import { useState } from 'preact/hooks'
import { getLanguage, label, t } from '../../platform/i18n'
import { inspectionPath, navigate } from '../../shell/router'
import { useLoad } from '../../ui/hooks'
import { hasPulled, readInspections } from '../sync/local'
import { requestSync } from '../sync/start'
import { useLocalView } from '../sync/use-local'
import { countsText, dateText, itemText, refusalText, sortInspections } from './model'
import { checklistFor, startAnywhere } from './offline'

/** The visits shown on the site page; older ones are rarely looked at from a phone. */
const SHOWN = 20

export function SiteInspections({ siteId }: { siteId: number }) {
  const load = useLocalView(async () => ((await hasPulled()) ? readInspections(siteId) : null), `site-inspections/${siteId}`)
  const [checklist] = useLoad(() => checklistFor(siteId), siteId)
  const [starting, setStarting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const lang = getLanguage()
  const template = checklist.state === 'ready' ? checklist.value : undefined
  const list = load.state === 'ready' ? sortInspections(load.value).slice(0, SHOWN) : undefined

  async function start() {
    setStarting(true)
    setError(null)
    try {
      // Online the server makes it; with no network it starts on this device with the kept checklist.
      const started = await startAnywhere(siteId, template)
      void requestSync() // brings it to the device (or sends it), so its checklist works offline from now on
      navigate(inspectionPath(started))
    } catch (caught) {
      setError(refusalText(caught))
      setStarting(false)
    }
  }

  return (
    <section class="insp-site-section" id="inspections" data-testid="site-inspections">
      <div class="section-head">
        <h2>
          {t('inspection.site_title')}
          {list && <span class="muted"> ({list.length})</span>}
        </h2>
        <button type="button" class="button-link" disabled={starting} data-testid="inspection-start" onClick={() => void start()}>
          {starting ? t('inspection.starting') : t('inspection.start')}
        </button>
      </div>
      {template && (
        <p class="muted insp-checklist-name" data-testid="inspection-checklist" data-template-id={template.id}>
          {t('inspection.checklist_is', { title: itemText({ text: template.title }, lang), count: template.items.length })}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="inspection-start-error">
          {error}
        </p>
      )}
      {load.state === 'loading' && <p class="muted">{t('common.loading')}</p>}
      {load.state === 'missing' && (
        <p class="muted" data-testid="site-inspections-error">
          {t('inspection.not_synced')}
        </p>
      )}
      {list && list.length === 0 && (
        <p class="muted" data-testid="inspection-empty">
          {t('inspection.site_empty')}
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="hazard-list" data-testid="inspection-list">
          {list.map((i) => (
            <li key={i.id}>
              <a
                href={inspectionPath(i.id)}
                class={`card insp-list-item${i.failed > 0 ? ' has-failed' : ''}`}
                data-testid="inspection-item"
                data-inspection-id={String(i.id)}
                data-state={i.state}
                data-failed={String(i.failed)}
              >
                <div class="hazard-item-head">
                  <strong data-testid="inspection-item-date">{dateText(i)}</strong>
                  <span class={`state-chip insp-state-${i.state}`} data-testid="inspection-item-state" data-state={i.state}>
                    {label('inspection_state', i.state)}
                  </span>
                </div>
                <div class="hazard-item-meta">
                  <span data-testid="inspection-item-inspector">{i.inspector}</span>
                  <span data-testid="inspection-item-counts">{countsText(i)}</span>
                </div>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
