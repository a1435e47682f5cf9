// Reporting a hazard (/hazards/new, or /hazards/new?site= from a site page). Once it is on the device (online or
// not), the page becomes the new hazard's page, found by the id it was made with.
import { useEffect } from 'preact/hooks'
import { t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { HAZARDS_PATH, hazardPath, navigate } from '../../shell/router'
import { useLoad } from '../../ui/hooks'
import { readSites } from '../sites/data'
import { HazardForm } from './HazardForm'
import { parseListSearch } from './model'
import { mayAssign } from './workflow'

export function HazardNewPage({ search }: { search: string }) {
  const siteId = parseListSearch(search).siteId ?? null
  // Words to start from (the alarm page's "上报隐患" passes the alarm's).
  const params = new URLSearchParams(search)
  const initial = { title: params.get('title') ?? '', description: params.get('description') ?? '' }
  // For the site choice and the fixed site's name; the saved copy when offline.
  const [sitesLoad] = useLoad(readSites, 'sites')
  useEffect(() => {
    document.title = `${t('hazards.report')} · ${t('app.name')}`
  })
  const sites = sitesLoad.state === 'ready' ? sitesLoad.value.data : undefined
  return (
    <main class="page hazard-new-page">
      <a href={siteId === null ? HAZARDS_PATH : `/sites/${siteId}`} class="back" data-testid="hazard-new-back">
        {siteId === null ? t('hazard.back_list') : t('alarm.back_site')}
      </a>
      <h1>{t('hazards.report')}</h1>
      <HazardForm
        key={siteId ?? 0}
        sites={sites}
        siteId={siteId}
        initial={initial}
        mayAssign={mayAssign(getSession()?.user.role)}
        onCreated={(entityId) => navigate(hazardPath(entityId), { replace: true })}
      />
    </main>
  )
}
