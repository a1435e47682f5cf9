import { useEffect, useMemo } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { label, t } from '../../platform/i18n'
import { onRetry } from '../../platform/online'
import { getSession } from '../../platform/session'
import { commissionPath, reportPath } from '../../shell/router'
import { describeError, ErrorMessage, Loading, OfflineBanner } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { AlarmBanner, AlarmList, canAcknowledge } from '../alarms/AlarmList'
import { bannerOf, siteStatusOf } from '../alarms/model'
import { canCommission } from '../devices/commission'
import { canControl } from '../devices/control'
import { withSwitches } from '../devices/switch'
import type { Channel } from '../devices/types'
import { canSeeGateways } from '../gateways/commands'
import { SiteGateways } from '../gateways/SiteGateways'
import { SiteHazards } from '../hazards/SiteHazards'
import { canInspect } from '../inspections/model'
import { SiteInspections } from '../inspections/SiteInspections'
import { useSiteLive } from '../live/use-site-live'
import { forgetSite, readSite } from './data'
import { DeviceCard } from './DeviceCard'
import { useSingleSite } from './landing'
import { LastAlarm, LiveValues, SiteSummary } from './SiteOverview'
import type { SiteDetail } from './types'

/** The site's facts for those who look them up (address, region, venue type, what it must have). */
function SiteFacts({ site }: { site: SiteDetail }) {
  return (
    <dl class="facts">
      <dt>{t('site.address')}</dt>
      <dd>{site.address}</dd>
      <dt>{t('site.region')}</dt>
      <dd>{site.region_name}</dd>
      <dt>{t('site.venue_type')}</dt>
      <dd data-testid="site-venue-type">{label('venue_type', site.venue_type)}</dd>
      <dt>{t('site.required')}</dt>
      <dd data-testid="site-required">
        {site.required_capabilities.length === 0
          ? t('common.none')
          : site.required_capabilities.map((c) => (
              <span key={c} class="chip">
                {label('capability', c)}
              </span>
            ))}
      </dd>
    </dl>
  )
}

function showAlarmList(): void {
  document.getElementById('alarms')?.scrollIntoView({ behavior: 'smooth', block: 'start' })
}

/**
 * One site, what matters first: the alarm banner, the status in a sentence with the capability line, the live
 * values (the last known ones at once), the last alarm, open hazards; then the alarm list; the devices with their
 * thresholds, commissioning and remote control one tap away under 设置与设备 (open at once for installers and
 * operators). GET /api/v1/sites/{id}, /alarms, /live. Offline, the saved site and alarm list with the banner.
 */
export function SitePage({ id }: { id: number }) {
  const [load, reload] = useLoad(() => readSite(id), id)
  useEffect(() => onRetry(reload), [])
  const notFound = load.state === 'failed' && load.error instanceof ApiError && load.error.status === 404
  useEffect(() => {
    if (notFound) void forgetSite(id)
  }, [notFound, id])
  useEffect(() => {
    const name = load.state === 'ready' ? load.value.data.name : t('sites.title')
    document.title = `${name} · ${t('app.name')}`
  })
  const site = load.state === 'ready' ? load.value.data : undefined
  const [live, view] = useSiteLive(id, site)
  // The stream opened again after a break: breaker changes sent meanwhile are not replayed, so read the site.
  const opens = view?.opens ?? 0
  useEffect(() => {
    if (opens > 1) reload()
  }, [opens])
  const switches = view?.switches
  const devices = useMemo(
    () => (site && switches ? withSwitches(site.devices, switches) : (site?.devices ?? [])),
    [site, switches],
  )
  const channels = useMemo(() => {
    const byId = new Map<number, Channel>()
    for (const device of site?.devices ?? []) for (const c of device.channels) byId.set(c.id, c)
    return byId
  }, [site])

  // An owner with one site lands here from "/": a link back to a list of one would only bring them back.
  const single = useSingleSite(id)
  const back = single ? null : (
    <a href="/" class="back">
      {t('common.back')}
    </a>
  )
  if (load.state === 'loading') return <main class="page">{back}<Loading /></main>
  if (load.state === 'failed' || !site) {
    const error = load.state === 'failed' ? load.error : undefined
    return (
      <main class="page">
        {back}
        {notFound ? (
          <ErrorMessage text={t('site.not_found')} />
        ) : (
          <ErrorMessage text={describeError(error)} onRetry={reload} />
        )}
      </main>
    )
  }

  const { fetchedAt, offline } = load.value
  const alarms = view?.alarms
  const banner = alarms ? bannerOf(alarms) : null
  // The status follows the alarm list and the breakers as they change; the server's until the list is read.
  const status = alarms ? siteStatusOf(alarms, devices) : site.status
  const role = getSession()?.user.role
  const manager = canCommission(role)
  return (
    <main class="page">
      {back}
      {offline && <OfflineBanner fetchedAt={fetchedAt} onRetry={reload} />}
      {banner && <AlarmBanner banner={banner} channels={channels} onShow={showAlarmList} />}
      <SiteSummary site={site} status={status} alarms={alarms ?? []} devices={devices}
        live={offline ? undefined : view?.state} />
      <LiveValues devices={devices} store={live?.series} />
      <LastAlarm alarms={alarms} devices={devices} />
      <SiteHazards siteId={site.id} />
      <p class="site-links">
        <a href={reportPath(site.id)} class="button-link" data-testid="site-report-link">
          {t('report.link')}
        </a>
      </p>
      {alarms && live && (
        <AlarmList
          alarms={alarms}
          channels={channels}
          mayAck={canAcknowledge(role)}
          onAcknowledge={(alarmId, note) => live.acknowledge(alarmId, note)}
        />
      )}
      {canInspect(role) && <SiteInspections siteId={site.id} />}
      <details class="card site-settings" data-testid="site-settings" open={manager}>
        <summary data-testid="site-settings-toggle">
          <strong>{t('overview.settings')}</strong> <span class="muted">{t('overview.settings_hint')}</span>
        </summary>
        <SiteFacts site={site} />
        <div class="section-head">
          <h2>
            {t('site.devices')} <span class="muted">({site.devices.length})</span>
          </h2>
          {manager && (
            <a href={commissionPath(site.id)} class="button-link" data-testid="commission-start">
              {t('commission.start')}
            </a>
          )}
        </div>
        {site.devices.length === 0 && <p class="muted">{t('site.no_devices')}</p>}
        {devices.map((d) => (
          <DeviceCard
            key={d.id}
            device={d}
            alarms={alarms ?? []}
            store={live?.series}
            mayControl={canControl(role)}
            onSwitch={live ? (deviceId, state) => live.setSwitch(deviceId, state) : undefined}
            onRenamed={manager && !offline ? reload : undefined}
          />
        ))}
        {canSeeGateways(role) && !offline && <SiteGateways siteId={site.id} />}
      </details>
    </main>
  )
}
