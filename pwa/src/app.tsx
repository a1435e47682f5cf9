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
import { endSession, getSession, onSessionChange, restoreSession, updateUser } from './session'

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

async function signOut(): Promise<void> {
  signedOutOnPurpose = true
  try {
    await logout() // revokes the token on the server
  } catch (error) {
    // Offline: the token is forgotten here and expires on the server by itself.
    if (!(error instanceof NetworkError)) console.warn('andian: logout failed', error)
  } finally {
    await endSession()
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
  else page = <NotFound />

  return (
    <>
      <Header session={session} online={online} onLogout={() => void signOut()} />
      {page}
    </>
  )
}
