import { useEffect, useState } from 'preact/hooks'
import { AlarmPage } from '../features/alarms/AlarmPage'
import { getMe, logout } from '../features/auth/api'
import { ConsolePage } from '../features/console/ConsolePage'
import { LoginPage } from '../features/auth/LoginPage'
import { DashboardPage } from '../features/dashboard/DashboardPage'
import { landsOnDashboard } from '../features/dashboard/filters'
import { UnitsPage } from '../features/dashboard/UnitsPage'
import { CommissionPage } from '../features/devices/CommissionPage'
import { hasWork } from '../features/devices/drafts'
import { WiredDevicePage } from '../features/devices/WiredDevicePage'
import { GatewayPage } from '../features/gateways/GatewayPage'
import { HazardNewPage } from '../features/hazards/HazardNewPage'
import { HazardPage } from '../features/hazards/HazardPage'
import { HazardsPage } from '../features/hazards/HazardsPage'
import { InspectionPage } from '../features/inspections/InspectionPage'
import { NoticePage } from '../features/inspections/NoticePage'
import { NotificationsPage } from '../features/notify/NotificationsPage'
import { ReportPage } from '../features/reports/ReportPage'
import { SiteListPage } from '../features/sites/SiteListPage'
import { SitePage } from '../features/sites/SitePage'
import { myOutbox } from '../features/sync/outbox'
import { SyncPage } from '../features/sync/SyncPage'
import { loadDrafts } from '../platform/db'
import { NetworkError } from '../platform/http'
import { getLanguage, onLanguageChange, t } from '../platform/i18n'
import { isOnline, onOnlineChange } from '../platform/online'
import { endSession, getSession, onSessionChange, restoreSession, updateUser } from '../platform/session'
import { useExternal } from '../ui/hooks'
import { Header } from './Header'
import { currentUrl, matchRoute, navigate, onNavigate, safeNext } from './router'

function NotFound() {
  return (
    <main class="page">
      <h1>{t('notfound.title')}</h1>
      <a href="/">{t('common.back')}</a>
    </main>
  )
}

// Set by the logout button: the login page then starts fresh instead of returning to the last page.
let signedOutOnPurpose = false

/** The user's changes that are only on this device: waiting to sync, refused and not yet read, drafts. */
async function unsyncedWork(userId: number): Promise<number> {
  const [entries, drafts] = await Promise.all([myOutbox(), loadDrafts()])
  return entries.length + drafts.filter((d) => d.user_id === userId && hasWork(d.value)).length
}

async function signOut(): Promise<void> {
  const user = getSession()?.user
  if (!user) return
  const unsynced = await unsyncedWork(user.id).catch(() => 0)
  // Signing out drops them: say how many first, and let the user stay to sync.
  if (unsynced > 0 && !window.confirm(t('sync.signout_confirm', { count: unsynced }))) return
  signedOutOnPurpose = true
  try {
    await logout() // revokes the token on the server
  } catch (error) {
    // Offline: the token is forgotten here and expires on the server by itself.
    if (!(error instanceof NetworkError)) console.warn('andian: logout failed', error)
  } finally {
    await endSession({ discardWorkOf: user.id })
  }
}

export function App() {
  const [ready, setReady] = useState(false)
  useExternal(onLanguageChange, getLanguage) // re-render everything on a language switch
  const session = useExternal(onSessionChange, getSession)
  const online = useExternal(onOnlineChange, isOnline)
  const url = useExternal(onNavigate, currentUrl)
  const { pathname, search } = new URL(url, location.origin)
  const route = matchRoute(pathname)

  useEffect(() => {
    restoreSession()
      .catch((error: unknown) => console.warn('andian: could not read the saved session', error))
      .finally(() => setReady(true))
  }, [])

  // Refresh the user's name and role (and find out early if the token was revoked: 401 ends the session).
  const userId = session?.user.id
  useEffect(() => {
    if (userId === undefined) return
    getMe().then(updateUser, () => undefined)
  }, [userId])

  // Signed out → the login page (remembering where the user was); signed in → away from it.
  useEffect(() => {
    if (!ready) return
    if (!session && route.name !== 'login') {
      const returnTo = signedOutOnPurpose || url === '/' ? '' : `?next=${encodeURIComponent(url)}`
      signedOutOnPurpose = false
      navigate(`/login${returnTo}`, { replace: true })
    } else if (session && route.name === 'login') {
      navigate(safeNext(new URLSearchParams(url.split('?')[1] ?? '').get('next')), { replace: true })
    }
  }, [ready, session, route.name, url])

  if (!ready) return null
  let page
  if (!session || route.name === 'login') page = session ? null : <LoginPage />
  else if (route.name === 'sites') page = landsOnDashboard(session.user.role) ? <DashboardPage search="" /> : <SiteListPage />
  else if (route.name === 'site') page = <SitePage id={route.id} />
  else if (route.name === 'commission') page = <CommissionPage siteId={route.siteId} id={route.id} search={search} />
  else if (route.name === 'wired-device') {
    page = <WiredDevicePage key={route.deviceId} siteId={route.siteId} deviceId={route.deviceId} />
  }
  else if (route.name === 'alarm') page = <AlarmPage key={route.id} id={route.id} />
  else if (route.name === 'notifications') page = <NotificationsPage />
  else if (route.name === 'hazards') page = <HazardsPage search={search} />
  else if (route.name === 'hazard-new') page = <HazardNewPage search={search} />
  else if (route.name === 'hazard') page = <HazardPage key={route.id} id={route.id} />
  else if (route.name === 'inspection') page = <InspectionPage key={route.id} id={route.id} />
  else if (route.name === 'inspection-notice') page = <NoticePage key={route.id} id={route.id} />
  else if (route.name === 'report') page = <ReportPage key={route.siteId} siteId={route.siteId} search={search} />
  else if (route.name === 'dashboard') page = <DashboardPage search={search} />
  else if (route.name === 'console') page = <ConsolePage search={search} />
  else if (route.name === 'dashboard-units') page = <UnitsPage search={search} />
  else if (route.name === 'sync') page = <SyncPage />
  else if (route.name === 'gateway') page = <GatewayPage key={route.id} id={route.id} />
  else page = <NotFound />

  return (
    <>
      <Header session={session} online={online} onLogout={() => void signOut()} />
      {page}
    </>
  )
}
