// A wired device registered earlier (a bus scan's 已登记 links here): read its live values again and set its own
// alarm levels, through the site box.
import { useEffect } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { getLanguage, label, t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { wiredScanPath } from '../../shell/router'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { canCommission } from './commission'
import { getDevice, getModels } from './wired-api'
import { modelName } from './wired'
import { WiredSteps } from './WiredSteps'

function Device({ siteId, deviceId }: { siteId: number; deviceId: number }) {
  const [load, reload] = useLoad(async () => {
    // The models only name the device and say which levels it keeps: a device without them still reads.
    const [device, models] = await Promise.all([getDevice(deviceId), getModels().catch(() => [])])
    return { device, models }
  }, deviceId)

  if (load.state === 'loading') return <Loading />
  if (load.state === 'failed') {
    const missing = load.error instanceof ApiError && load.error.status === 404
    return <ErrorMessage text={missing ? t('wired.not_found') : describeError(load.error)} onRetry={missing ? undefined : reload} />
  }
  const { device, models } = load.value
  if (device.site_id !== siteId) return <ErrorMessage text={t('wired.not_found')} />
  const wired = device.link?.startsWith('modbus-') ?? false
  return (
    <>
      <section class="card" data-testid="wired-summary" data-device-id={String(device.id)}>
        <div class="device-head">
          <h2>{device.name}</h2>
          <span class="pill">{label('device_state', device.state)}</span>
        </div>
        <div class="muted">
          {modelName(device.model, models, getLanguage())} · {label('device_kind', device.kind)}
        </div>
        <dl class="facts">
          <dt>{t('device.circuit')}</dt>
          <dd>{device.circuit}</dd>
          <dt>{t('device.serial')}</dt>
          <dd class="mono">{device.serial}</dd>
          <dt>{t('wired.link')}</dt>
          <dd class="mono">{device.link ?? '—'}</dd>
        </dl>
      </section>
      {wired ? <WiredSteps device={device} models={models} /> : <ErrorMessage text={t('wired.not_wired')} />}
    </>
  )
}

export function WiredDevicePage({ siteId, deviceId }: { siteId: number; deviceId: number }) {
  useEffect(() => {
    document.title = `${t('wired.device_title')} · ${t('app.name')}`
  })
  return (
    <main class="page commission-page">
      <div class="done-links">
        <a href={`/sites/${siteId}`} class="back" data-testid="commission-site-link">
          {t('commission.back_site')}
        </a>
        <a href={wiredScanPath(siteId)} class="back" data-testid="wired-back-scan">
          {t('wired.back_scan')}
        </a>
      </div>
      <h1>{t('wired.device_title')}</h1>
      {canCommission(getSession()?.user.role) ? (
        <Device key={deviceId} siteId={siteId} deviceId={deviceId} />
      ) : (
        <ErrorMessage text={t('commission.forbidden')} />
      )}
    </main>
  )
}
