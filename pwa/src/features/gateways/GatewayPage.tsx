// One GB/T 26875.3 transmission device (/gateways/:id; operators, installers, admins): name, site, address and
// protocol; connection, last frame and counters; the analogue-type mapping; 查岗, 校时, 初始化; recent events and
// commands. Read again every 5 s while the page is on screen.
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../platform/http'
import { t } from '../../platform/i18n'
import { describeError, ErrorMessage, Loading } from '../../ui/feedback'
import { getSite } from '../sites/api'
import { getEvents, getGateway, getStatus } from './api'
import { GatewayEvents, RecentCommands } from './GatewayActivity'
import { GatewayCommands } from './GatewayCommands'
import { GatewayStatus } from './GatewayStatus'
import { MappingTable } from './MappingTable'
import type { Gateway, Gb26875Event, Gb26875Status } from './types'
import { useVisiblePoll } from './use-poll'
import { groupAddress } from './words'
import './gateways.css'

/** The page reads the device this often while it is on screen. */
export const GATEWAY_REFRESH_MS = 5_000

function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status
}

function Head({ gateway, siteName }: { gateway: Gateway; siteName: string }) {
  return (
    <header class="gb-head">
      <h1 data-testid="gateway-name">
        {gateway.name}
        {gateway.revoked_at !== null && <span class="pill off" data-testid="gateway-revoked">{t('gb.revoked')}</span>}
      </h1>
      <dl class="facts">
        <dt>{t('gb.site')}</dt>
        <dd><a href={`/sites/${gateway.site_id}`} data-testid="gateway-site">{siteName || `#${gateway.site_id}`}</a></dd>
        <dt>{t('gb.address')}</dt>
        <dd class="mono" data-testid="gateway-address">{gateway.address ? groupAddress(gateway.address) : '—'}</dd>
        <dt>{t('gb.protocol')}</dt>
        <dd data-testid="gateway-protocol">{gateway.protocol === 'gb26875' ? 'GB/T 26875.3' : (gateway.protocol ?? 'andian')}</dd>
      </dl>
    </header>
  )
}

export function GatewayPage({ id }: { id: number }) {
  const [gateway, setGateway] = useState<Gateway>()
  const [siteName, setSiteName] = useState('')
  /** null: the gateway is not a gb26875 one (404 on its status). */
  const [status, setStatus] = useState<Gb26875Status | null>()
  const [events, setEvents] = useState<Gb26875Event[]>()
  const [failure, setFailure] = useState<unknown>()
  const [eventsError, setEventsError] = useState('')
  const [reads, setReads] = useState(0)

  const read = async () => {
    try {
      const current = gateway ?? (await getGateway(id))
      if (!gateway) {
        setGateway(current)
        getSite(current.site_id).then((s) => setSiteName(s.name), () => undefined)
      }
      const [state, list] = await Promise.all([
        getStatus(id).catch((e: unknown) => (isStatus(e, 404) ? null : Promise.reject(e))),
        getEvents(id).then(
          (value) => ({ value, error: '' }),
          (e: unknown) => ({ value: undefined, error: isStatus(e, 404) ? '' : describeError(e) }),
        ),
      ])
      setStatus(state)
      if (list.value) setEvents(list.value)
      setEventsError(list.error)
      setFailure(undefined)
    } catch (e) {
      setFailure(e)
    }
  }
  useVisiblePoll(read, GATEWAY_REFRESH_MS, `${id}:${reads}`)
  useEffect(() => {
    document.title = `${gateway?.name ?? t('gb.title')} · ${t('app.name')}`
  }, [gateway?.name])

  const back = (
    <a href={gateway ? `/sites/${gateway.site_id}` : '/'} class="back" data-testid="gateway-back">
      {t('gb.back')}
    </a>
  )
  if (!gateway) {
    return (
      <main class="page gateway-page">
        {back}
        {failure === undefined ? <Loading /> : isStatus(failure, 404) ? (
          <p class="form-error" data-testid="gateway-not-found">{t('gb.not_found')}</p>
        ) : (
          <ErrorMessage text={describeError(failure)} onRetry={() => setReads((n) => n + 1)} />
        )}
      </main>
    )
  }
  return (
    <main class="page gateway-page" data-testid="gateway-page" data-gateway-id={String(id)} data-connected={String(status?.connected ?? false)}>
      {back}
      <Head gateway={gateway} siteName={siteName} />
      {failure !== undefined && <p class="muted form-error" role="status" data-testid="gateway-stale">{t('gb.stale', { error: describeError(failure) })}</p>}
      {status === undefined && failure === undefined && <Loading />}
      {status === null && <p class="muted" data-testid="gateway-not-gb26875">{t('gb.not_gb26875')}</p>}
      {status && (
        <>
          <GatewayStatus status={status} />
          <GatewayCommands gatewayId={id} connected={status.connected} onSent={() => void read()} />
          <MappingTable gatewayId={id} saved={status.mapping} onSaved={setStatus} />
          <GatewayEvents events={events} error={eventsError} />
          <RecentCommands commands={status.commands} />
        </>
      )}
    </main>
  )
}
