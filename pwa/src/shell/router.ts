// A tiny history router: the app's few routes, pushState navigation, and a click handler that keeps
// same-origin links inside the app. Deep links (/sites/12) load index.html from the server, or from the
// service worker's navigateFallback when offline.
import { revealHash } from '../ui/anchor'

export type Route =
  | { name: 'sites' }
  | { name: 'site'; id: number }
  /** Adding a Bluetooth device to a site; `id` once a commissioning has started, so a reload resumes it. */
  | { name: 'commission'; siteId: number; id: number | null }
  /** A wired device registered from a bus scan: its live values and its own alarm levels. */
  | { name: 'wired-device'; siteId: number; deviceId: number }
  /** One alarm: what it means, its chart, who was told (the link in every WeChat, SMS and e-mail message). */
  | { name: 'alarm'; id: number }
  /** The signed-in user's notification settings: subscriptions and this device's system notifications. */
  | { name: 'notifications' }
  /** Hazards of the sites the user sees; the filter and site are in the query (hazards/model.ts parseListSearch). */
  | { name: 'hazards' }
  /** Reporting a hazard; `?site=` when it starts from a site page. */
  | { name: 'hazard-new' }
  /**
   * One hazard: its timeline, photos and what the user may do next (the link in messages about hazards). `id` is
   * the server's number ("12") or, for a hazard reported on this device, the UUID it was made with.
   */
  | { name: 'hazard'; id: string }
  /** One inspection visit: the checklist answered item by item, signed; read-only once completed. `id` as hazards. */
  | { name: 'inspection'; id: string }
  /** An inspection's rectification notice (整改通知书): the findings, due dates, and the unit's signature. */
  | { name: 'inspection-notice'; id: string }
  /** What waits to sync, and the changes the server refused, each to be read and dismissed. */
  | { name: 'sync' }
  /** A site's monthly health-check report (体检报告); the month is in the query (?period=YYYY-MM). */
  | { name: 'report'; siteId: number }
  /** The regulators' dashboard; the filters are in the query (?region=&sector=, dashboard/filters.ts). */
  | { name: 'dashboard' }
  /** The operator's alarm console; the filters are in the query (console/model.ts parseConsoleSearch). */
  | { name: 'console' }
  /** The units behind a dashboard number; the filters are in the query (dashboard/drill.ts parseUnitsSearch). */
  | { name: 'dashboard-units' }
  /** A GB/T 26875.3 transmission device: connection, last frame, counters, mapping, commands (features/gateways). */
  | { name: 'gateway'; id: number }
  | { name: 'login' }
  | { name: 'notfound' }

/** Fixed by the messages the server sends to phones ({public_url}/alarms/{id}): do not move. */
export function alarmPath(id: number): string {
  return `/alarms/${id}`
}

export const NOTIFICATIONS_PATH = '/settings/notifications'

export const HAZARDS_PATH = '/hazards'

/** Fixed by the messages the server sends about hazards ({public_url}/hazards/{id}): do not move. */
export function hazardPath(id: number | string): string {
  return `/hazards/${id}`
}

export function inspectionPath(id: number | string): string {
  return `/inspections/${id}`
}

export function noticePath(id: number | string): string {
  return `/inspections/${id}/notice`
}

export const SYNC_PATH = '/sync'

export function gatewayPath(id: number): string {
  return `/gateways/${id}`
}

// A record's id in a route: the server's number, or the UUID it was made with on a device.
const RECORD_ID = '(\\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})'

/** A site's health-check report, for one month ("2026-11") or, without one, this month. */
export function reportPath(siteId: number, period?: string): string {
  return period === undefined ? `/sites/${siteId}/report` : `/sites/${siteId}/report?period=${encodeURIComponent(period)}`
}

/** The regulators' dashboard (filters in the query: dashboard/filters.ts dashboardPath). */
export const DASHBOARD_PATH = '/dashboard'

const listeners = new Set<() => void>()

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/') return { name: 'sites' }
  if (path === '/login') return { name: 'login' }
  if (path === NOTIFICATIONS_PATH) return { name: 'notifications' }
  if (path === HAZARDS_PATH) return { name: 'hazards' }
  if (path === `${HAZARDS_PATH}/new`) return { name: 'hazard-new' }
  if (path === DASHBOARD_PATH) return { name: 'dashboard' }
  if (path === '/console') return { name: 'console' }
  if (path === `${DASHBOARD_PATH}/units`) return { name: 'dashboard-units' }
  if (path === SYNC_PATH) return { name: 'sync' }
  const inspection = new RegExp(`^/inspections/${RECORD_ID}$`).exec(path)
  if (inspection?.[1]) return { name: 'inspection', id: inspection[1].toLowerCase() }
  const notice = new RegExp(`^/inspections/${RECORD_ID}/notice$`).exec(path)
  if (notice?.[1]) return { name: 'inspection-notice', id: notice[1].toLowerCase() }
  const report = /^\/sites\/(\d+)\/report$/.exec(path)
  if (report?.[1]) return { name: 'report', siteId: Number(report[1]) }
  const hazard = new RegExp(`^/hazards/${RECORD_ID}$`).exec(path)
  if (hazard?.[1]) return { name: 'hazard', id: hazard[1].toLowerCase() }
  const alarm = /^\/alarms\/(\d+)$/.exec(path)
  if (alarm?.[1]) return { name: 'alarm', id: Number(alarm[1]) }
  const gateway = /^\/gateways\/(\d+)$/.exec(path)
  if (gateway?.[1]) return { name: 'gateway', id: Number(gateway[1]) }
  const site = /^\/sites\/(\d+)$/.exec(path)
  if (site?.[1]) return { name: 'site', id: Number(site[1]) }
  const wired = /^\/sites\/(\d+)\/commission\/wired\/(\d+)$/.exec(path)
  if (wired?.[1] && wired[2]) return { name: 'wired-device', siteId: Number(wired[1]), deviceId: Number(wired[2]) }
  const commission = /^\/sites\/(\d+)\/commission(?:\/(\d+))?$/.exec(path)
  if (commission?.[1]) {
    return { name: 'commission', siteId: Number(commission[1]), id: commission[2] ? Number(commission[2]) : null }
  }
  return { name: 'notfound' }
}

/** Where the commissioning screen of a site is: the scan, or one commissioning under way. */
export function commissionPath(siteId: number, id?: number): string {
  return id === undefined ? `/sites/${siteId}/commission` : `/sites/${siteId}/commission/${id}`
}

/**
 * The commissioning screen on the wired bus (`?via=wired`), following a bus scan (`&scan=`) so a reload picks it up
 * again while the site box keeps it.
 */
export function wiredScanPath(siteId: number, scanId?: number): string {
  return `/sites/${siteId}/commission?via=wired${scanId === undefined ? '' : `&scan=${scanId}`}`
}

/** A wired device's commissioning: live values and its own alarm levels. */
export function wiredDevicePath(siteId: number, deviceId: number): string {
  return `/sites/${siteId}/commission/wired/${deviceId}`
}

/** Path plus query of the current page, e.g. "/sites/12" or "/login?next=%2F". */
export function currentUrl(): string {
  return location.pathname + location.search
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentUrl()) return
  if (options.replace) history.replaceState(null, '', to)
  else {
    history.pushState(null, '', to)
    window.scrollTo(0, 0)
  }
  for (const fn of listeners) fn()
  revealHash()
}

export function onNavigate(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** Only paths inside this app; anything else (another origin, "//host") becomes "/". */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}

function onClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const anchor = (event.target as Element | null)?.closest?.('a')
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return
  const url = new URL(anchor.href, location.href)
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
  event.preventDefault()
  navigate(url.pathname + url.search + url.hash)
}

export function startRouter(): void {
  window.addEventListener('popstate', () => {
    for (const fn of listeners) fn()
  })
  document.addEventListener('click', onClick)
  revealHash()
}
