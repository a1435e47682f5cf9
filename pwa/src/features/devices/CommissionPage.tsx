// Adding a device to a site (story 2, the installer): over Bluetooth (scan, pick a device, then the steps; the
// commissioning's id is in the URL, /sites/{site}/commission/{id}, so a reload or a dropped phone resumes it) or on
// a wired bus (?via=wired: WiredScan, then the wired steps).
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { label, t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { commissionPath, navigate, wiredScanPath } from '../../shell/router'
import { describeError, ErrorMessage, Loading, OfflineBanner } from '../../ui/feedback'
import { useLoad } from '../../ui/hooks'
import { BleScan } from './BleScan'
import { canCommission, isDone, STEPS } from './commission'
import { CommissionSteps } from './CommissionSteps'
import { loadCommissionDraft, readCommissioning } from './drafts'
import type { CommissionDraft } from './types'
import type { Commissioning } from './types'
import { WiredScan } from './WiredScan'

function DeviceSummary({ commissioning }: { commissioning: Commissioning }) {
  const done = STEPS.filter((s) => isDone(commissioning, s)).length
  return (
    <section class="card" data-testid="commission-device" data-state={commissioning.state}>
      <div class="device-head">
        <h2 class="commission-model">{commissioning.model_name || commissioning.model}</h2>
        <span class={`pill state-${commissioning.state === 'commissioned' ? 'commissioned' : 'registered'}`}>
          {t('commission.progress', { done, total: STEPS.length })}
        </span>
      </div>
      <div class="muted">{label('device_kind', commissioning.kind)}</div>
      <dl class="facts">
        <dt>{t('device.model')}</dt>
        <dd>{commissioning.model}</dd>
        <dt>{t('commission.address')}</dt>
        <dd class="mono">{commissioning.address}</dd>
        <dt>{t('device.serial')}</dt>
        <dd class="mono" data-testid="commission-serial">
          {commissioning.serial ?? <span class="muted">{t('commission.serial_pending')}</span>}
        </dd>
      </dl>
    </section>
  )
}

/** One commissioning under way (or finished), read back from the server, or from the device with no network. */
function Resume({ id }: { id: number }) {
  const [load, reload] = useLoad(async () => {
    const read = await readCommissioning(id)
    return { ...read, draft: await loadCommissionDraft(id) }
  }, id)
  // The copy the steps update; the read fills it (again after a reload).
  const [current, setCurrent] = useState<Commissioning>()
  const [draft, setDraft] = useState<CommissionDraft>()
  useEffect(() => {
    if (load.state === 'ready') {
      setCurrent(load.value.commissioning)
      setDraft(load.value.draft)
    }
  }, [load])

  if (load.state === 'failed') {
    const missing = load.error instanceof ApiError && load.error.status === 404
    return missing ? (
      <ErrorMessage text={t('commission.not_found')} />
    ) : (
      <ErrorMessage text={describeError(load.error)} onRetry={reload} />
    )
  }
  if (!current || current.id !== id || load.state !== 'ready') return <Loading />
  return (
    <>
      {load.value.offline && <OfflineBanner fetchedAt={load.value.savedAt} onRetry={reload} />}
      <DeviceSummary commissioning={current} />
      <CommissionSteps
        key={current.id}
        commissioning={current}
        signer={getSession()?.user.display_name ?? ''}
        draft={draft}
        onChange={setCurrent}
        onSubmitted={reload}
      />
    </>
  )
}

type Via = 'ble' | 'wired'

const VIAS: readonly [Via, 'commission.via_ble' | 'commission.via_wired'][] = [
  ['ble', 'commission.via_ble'],
  ['wired', 'commission.via_wired'],
]

/** A new device: the choice between a Bluetooth scan and a wired bus, kept in the address (?via=wired). */
function NewDevice({ siteId, search }: { siteId: number; search: string }) {
  const query = new URLSearchParams(search)
  const via: Via = query.get('via') === 'wired' ? 'wired' : 'ble'
  const scan = Number(query.get('scan'))
  return (
    <>
      <div class="choices commission-via" role="group" aria-label={t('commission.via')}>
        {VIAS.map(([choice, words]) => (
          <button
            key={choice}
            type="button"
            class="choice"
            aria-pressed={via === choice}
            data-testid={`commission-via-${choice}`}
            onClick={() => navigate(choice === 'wired' ? wiredScanPath(siteId) : commissionPath(siteId), { replace: true })}
          >
            {t(words)}
          </button>
        ))}
      </div>
      {via === 'ble' ? (
        <BleScan siteId={siteId} onStarted={(c) => navigate(commissionPath(siteId, c.id))} />
      ) : (
        <WiredScan
          siteId={siteId}
          scanId={Number.isInteger(scan) && scan > 0 ? scan : null}
          onScan={(id) => navigate(wiredScanPath(siteId, id), { replace: true })}
        />
      )}
    </>
  )
}

export function CommissionPage({ siteId, id, search = '' }: { siteId: number; id: number | null; search?: string }) {
  useEffect(() => {
    document.title = `${t('commission.title')} · ${t('app.name')}`
  })
  const role = getSession()?.user.role
  return (
    <main class="page commission-page">
      <a href={`/sites/${siteId}`} class="back" data-testid="commission-site-link">
        {t('commission.back_site')}
      </a>
      <h1>{t('commission.title')}</h1>
      {!canCommission(role) ? (
        <ErrorMessage text={t('commission.forbidden')} />
      ) : id === null ? (
        <NewDevice siteId={siteId} search={search} />
      ) : (
        <Resume key={id} id={id} />
      )}
    </main>
  )
}
