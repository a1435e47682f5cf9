// Scan a wired bus from the site box and pick the units to register. The scan runs on the box; the screen follows
// it every POLL_MS (bus-scan.ts) with a progress bar and a cancel button. The scan's id is in the address
// (?via=wired&scan=), so a reload follows it again while the box keeps it.
import { useEffect, useReducer, useState } from 'preact/hooks'
import { ApiError, NetworkError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { isOnline, onOnlineChange } from '../../platform/online'
import { useExternal, useLoad } from '../../ui/hooks'
import { busFormOf, busLink, DEFAULT_BUS, type BusField, type BusForm } from './bus-link'
import { IDLE, isPolling, mayStart, POLL_MS, progressOf, scanReducer, type ScanModel } from './bus-scan'
import { BusFormFields, type BusFieldErrors } from './BusForm'
import { FoundUnitCard } from './FoundUnitCard'
import { withoutPath } from './refusal'
import { cancelBusScan, getBusScan, getModels, startBusScan } from './wired-api'
import { fieldOf } from './wired'

const FIELDS: readonly BusField[] = ['port', 'baud', 'parity', 'address', 'first', 'last']

/** A refusal in words: no site box (503), no answer, else the server's own. */
function scanFailureText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 503 ? t('wired.no_box') : error.detail
  if (error instanceof NetworkError) return t('wired.no_answer')
  return String(error)
}

// A 409 of POST /bus-scans: "bus scan 3 is running on this bus: follow it (…) or cancel it first".
const RUNNING = /^bus scan (\d+) is running/

function ScanStatus({ model, onCancel, onResume }: { model: ScanModel; onCancel: () => void; onResume: () => void }) {
  const scan = model.scan
  if (model.phase === 'starting') {
    return (
      <p class="step-running" role="status" aria-busy="true" data-testid="bus-scan-progress" data-state="starting">
        <span class="spinner" aria-hidden="true" />
        {t('wired.starting')}
      </p>
    )
  }
  if (!scan) return null
  const progress = progressOf(scan)
  const words = { done: progress.done, total: progress.total, found: progress.found }
  const text =
    model.phase === 'done'
      ? t('wired.done', words)
      : model.phase === 'cancelled'
        ? t('wired.cancelled', words)
        : model.phase === 'failed'
          ? t('wired.failed', { error: scan.error ?? '' })
          : t('wired.progress', words)
  const running = isPolling(model) || model.phase === 'lost'
  return (
    <div
      class="scan-progress"
      role="status"
      aria-busy={running}
      data-testid="bus-scan-progress"
      data-state={model.phase}
      data-done={String(progress.done)}
      data-total={String(progress.total)}
      data-found={String(progress.found)}
    >
      <span data-testid="bus-scan-text" class={model.phase === 'failed' ? 'form-error' : ''}>
        {text}
      </span>
      <span
        class="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.done}
      >
        <span class="progress-fill" style={{ width: `${Math.round(progress.ratio * 100)}%` }} />
      </span>
      {model.phase === 'lost' && (
        <p class="form-error" role="alert">
          {t('wired.lost')}{' '}
          <button type="button" class="link-button" data-testid="bus-scan-resume" onClick={onResume}>
            {t('wired.resume')}
          </button>
        </p>
      )}
      {running && (
        <button
          type="button"
          class="ack-button secondary"
          data-testid="bus-scan-cancel"
          disabled={model.phase === 'cancelling'}
          onClick={onCancel}
        >
          {model.phase === 'cancelling' ? t('wired.cancelling') : t('wired.cancel')}
        </button>
      )}
    </div>
  )
}

interface Props {
  siteId: number
  /** The scan named in the address, to follow after a reload. */
  scanId: number | null
  /** A scan started: put its id in the address. */
  onScan: (scanId: number) => void
}

export function WiredScan({ siteId, scanId, onScan }: Props) {
  const [form, setForm] = useState<BusForm>(DEFAULT_BUS)
  const [tried, setTried] = useState(false)
  const [serverErrors, setServerErrors] = useState<BusFieldErrors>({})
  const [error, setError] = useState('')
  const [model, dispatch] = useReducer(scanReducer, IDLE)
  const [models] = useLoad(getModels, 'models')
  const online = useExternal(onOnlineChange, isOnline)

  // A scan named in the address (a reload, the way back from a device): follow it while the box keeps it.
  useEffect(() => {
    if (scanId === null || model.scan?.id === scanId) return
    let live = true
    dispatch({ type: 'start' })
    getBusScan(scanId).then(
      (scan) => {
        if (!live) return
        setForm(busFormOf(scan.link, scan.first ?? 1, scan.last ?? scan.total) ?? DEFAULT_BUS)
        dispatch({ type: 'answer', scan })
      },
      (e: unknown) => {
        if (!live) return
        dispatch({ type: 'refused' })
        // A scan the box no longer keeps (restarted, or long ago) is simply gone: start again.
        if (!(e instanceof ApiError && e.status === 404)) setError(scanFailureText(e))
      },
    )
    return () => {
      live = false
    }
  }, [scanId])

  // Follow the running scan; the reducer decides when to stop.
  useEffect(() => {
    if (!isPolling(model)) return
    const id = model.scan!.id
    let live = true
    const timer = setTimeout(() => {
      getBusScan(id).then(
        (scan) => live && dispatch({ type: 'answer', scan }),
        (e: unknown) => {
          if (!live) return
          if (e instanceof ApiError) setError(scanFailureText(e))
          dispatch({ type: 'miss', final: e instanceof ApiError })
        },
      )
    }, POLL_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [model])

  const built = busLink(form)
  const shown: BusFieldErrors = { ...serverErrors }
  if (tried && !built.ok) for (const [field, key] of Object.entries(built.errors)) shown[field as BusField] ??= t(key)

  async function startScan() {
    setTried(true)
    if (!built.ok) return
    setError('')
    setServerErrors({})
    dispatch({ type: 'start' })
    try {
      const started = await startBusScan(siteId, { link: built.link, first: built.first, last: built.last })
      dispatch({ type: 'answer', scan: started })
      onScan(started.id)
    } catch (e) {
      dispatch({ type: 'refused' })
      const field = e instanceof ApiError && e.status === 400 ? (e.field === 'link' ? (form.kind === 'serial' ? 'port' : 'address') : fieldOf(FIELDS, e.field)) : null
      const running = e instanceof ApiError && e.status === 409 ? RUNNING.exec(e.detail) : null
      if (field && e instanceof ApiError) setServerErrors({ [field]: withoutPath(e.detail, e.field) })
      else if (running?.[1]) {
        // Someone (or this phone before a reload) is scanning this bus: follow that scan instead.
        setError(t('wired.already_running'))
        onScan(Number(running[1]))
      } else setError(scanFailureText(e))
    }
  }

  async function cancel() {
    const id = model.scan?.id
    if (id === undefined) return
    dispatch({ type: 'cancel' })
    try {
      await cancelBusScan(id)
    } catch (e) {
      dispatch({ type: 'cancel_failed' })
      setError(scanFailureText(e))
    }
  }

  const { scan } = model
  const modelList = models.state === 'ready' ? models.value : []
  return (
    <section class="wired-scan">
      <p class="muted">{t('wired.hint')}</p>
      {!online && (
        <p class="banner banner-offline" role="status" data-testid="bus-offline">
          {t('wired.offline')}
        </p>
      )}
      <BusFormFields
        form={form}
        errors={shown}
        disabled={!mayStart(model)}
        onChange={(next) => {
          setForm(next)
          setServerErrors({})
        }}
      />
      <button type="button" class="primary" data-testid="bus-scan" disabled={!mayStart(model)} onClick={() => void startScan()}>
        {scan ? t('wired.scan_again') : t('wired.scan')}
      </button>
      <ScanStatus model={model} onCancel={() => void cancel()} onResume={() => dispatch({ type: 'resume' })} />
      {error && (
        <p class="form-error" role="alert" data-testid="bus-scan-error">
          {error}
        </p>
      )}
      {scan && model.phase !== 'starting' && (
        <>
          {!isPolling(model) && (
            <p class="muted" data-testid="bus-count">
              {scan.found.length === 0 ? t('wired.empty') : t('wired.found', { count: scan.found.length })}
            </p>
          )}
          <ul class="ble-results">
            {scan.found.map((found) => (
              <FoundUnitCard key={`${scan.id}/${found.unit}`} siteId={siteId} bus={scan.link} found={found} models={modelList} />
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
