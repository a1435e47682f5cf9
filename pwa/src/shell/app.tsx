import { useEffect, useState } from 'preact/hooks'
import { getMe, logout, NetworkError } from './api'
import { Header } from './components/Header'
import { useExternal } from './hooks'
import { getLanguage, onLanguageChange, t } from './i18n'
import { isOnline, onOnlineChange } from './online'
import { currentUrl, matchRoute, navigate, onNavigate, safeNext } from './router'
import { AlarmPage } from './screens/AlarmPage'
import { CommissionPage } from './screens/CommissionPage'
import { DashboardPage } from './screens/DashboardPage'
import { HazardNewPage } from './screens/HazardNewPage'
import { HazardPage } from './screens/HazardPage'
import { HazardsPage } from './screens/HazardsPage'
import { InspectionPage } from './screens/InspectionPage'
import { Login } from './screens/Login'
import { NotificationsPage } from './screens/NotificationsPage'
import { ReportPage } from './screens/ReportPage'
import { SiteList } from './screens/SiteList'
import { SitePage } from './screens/SitePage'
import { SyncPage } from './screens/SyncPage'
import { endSession, getSession, onSessionChange, restoreSession, updateUser } from './session'
import { hasWork } from './commission/drafts'
import { loadDrafts } from './store/db'
import { myOutbox } from './sync/outbox'

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
  if (!session || route.name === 'login') page = session ? null : <Login />
  else if (route.name === 'sites') page = <SiteList />
  else if (route.name === 'site') page = <SitePage id={route.id} />
  else if (route.name === 'commission') page = <CommissionPage siteId={route.siteId} id={route.id} />
  else if (route.name === 'alarm') page = <AlarmPage key={route.id} id={route.id} />
  else if (route.name === 'notifications') page = <NotificationsPage />
  else if (route.name === 'hazards') page = <HazardsPage search={search} />
  else if (route.name === 'hazard-new') page = <HazardNewPage search={search} />
  else if (route.name === 'hazard') page = <HazardPage key={route.id} id={route.id} />
  else if (route.name === 'inspection') page = <InspectionPage key={route.id} id={route.id} />
  else if (route.name === 'report') page = <ReportPage key={route.siteId} siteId={route.siteId} search={search} />
  else if (route.name === 'dashboard') page = <DashboardPage search={search} />
  else if (route.name === 'sync') page = <SyncPage />
  else page = <NotFound />

  return (
    <>
      <Header session={session} online={online} onLogout={() => void signOut()} />
      {page}
    </>
  )
}
