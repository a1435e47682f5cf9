import { useEffect, useState } from 'preact/hooks'
import { CONSOLE_PATH, canUseConsole } from '../features/console/model'
import { canSeeDashboard } from '../features/dashboard/filters'
import { SyncState } from '../features/sync/SyncState'
import { getLanguage, label, setLanguage, t } from '../platform/i18n'
import type { SessionRecord } from '../platform/session'
import { DASHBOARD_PATH, HAZARDS_PATH, NOTIFICATIONS_PATH, onNavigate } from './router'

function LangSwitch() {
  const lang = getLanguage()
  return (
    <button
      type="button"
      class="lang-switch"
      data-testid="lang-switch"
      data-lang={lang}
      aria-label={t('lang.switch')}
      onClick={() => setLanguage(lang === 'zh-CN' ? 'en' : 'zh-CN')}
    >
      <span class={lang === 'zh-CN' ? 'active' : ''} lang="zh-CN">
        中文
      </span>
      <span aria-hidden="true">/</span>
      <span class={lang === 'en' ? 'active' : ''} lang="en">
        EN
      </span>
    </button>
  )
}

interface HeaderProps {
  session: SessionRecord | null
  online: boolean
  onLogout: () => void
}

/**
 * One row on every screen. Signed in, the network state and the sync state are one pill (离线 once, not twice);
 * the user, the links, the language and logout sit in a menu on phones and inline from 720 px on.
 */
export function Header({ session, online, onLogout }: HeaderProps) {
  const [open, setOpen] = useState(false)
  useEffect(() => onNavigate(() => setOpen(false)), [])
  return (
    <header class="topbar">
      <div class="topbar-row">
        <a href="/" class="brand">
          <img src="/icons/favicon-32.png" width={24} height={24} alt="" />
          <span>{t('app.name')}</span>
        </a>
        {session ? (
          <span class={online ? 'net-sync online' : 'net-sync offline'} data-testid="net-status" data-online={String(online)}>
            <SyncState />
          </span>
        ) : (
          <span class={online ? 'net online' : 'net offline'} data-testid="net-status" data-online={String(online)}>
            {online ? t('net.online') : t('net.offline')}
          </span>
        )}
        {!session && <LangSwitch />}
        {session && (
          <button
            type="button"
            class="menu-toggle"
            data-testid="menu-toggle"
            aria-expanded={open}
            aria-controls="topbar-menu"
            aria-label={open ? t('header.menu_close') : t('header.menu')}
            onClick={() => setOpen(!open)}
          >
            <span aria-hidden="true">{open ? '✕' : '☰'}</span>
          </button>
        )}
        {session && (
          <nav id="topbar-menu" class={open ? 'topbar-menu open' : 'topbar-menu'} data-testid="topbar-menu">
            <span class="user">
              <span data-testid="user-name">{session.user.display_name}</span>
              <span class="role" data-testid="user-role">
                {label('role', session.user.role)}
              </span>
            </span>
            {canUseConsole(session.user.role) && (
              <a href={CONSOLE_PATH} class="topbar-link" data-testid="nav-console">
                {t('header.console')}
              </a>
            )}
            {canSeeDashboard(session.user.role) && (
              <a href={DASHBOARD_PATH} class="topbar-link" data-testid="nav-dashboard">
                {t('header.dashboard')}
              </a>
            )}
            <a href={HAZARDS_PATH} class="topbar-link" data-testid="nav-hazards">
              {t('header.hazards')}
            </a>
            <a href={NOTIFICATIONS_PATH} class="topbar-link" data-testid="nav-notifications">
              {t('header.notifications')}
            </a>
            <LangSwitch />
            <button type="button" class="link-button" data-testid="logout" onClick={() => { setOpen(false); onLogout() }}>
              {t('header.logout')}
            </button>
          </nav>
        )}
      </div>
    </header>
  )
}
