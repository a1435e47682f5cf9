import { CONSOLE_PATH, canUseConsole } from '../features/console/model'
import { canSeeDashboard } from '../features/dashboard/filters'
import { SyncState } from '../features/sync/SyncState'
import { getLanguage, label, setLanguage, t } from '../platform/i18n'
import type { SessionRecord } from '../platform/session'
import { DASHBOARD_PATH, HAZARDS_PATH, NOTIFICATIONS_PATH } from './router'

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

export function Header({ session, online, onLogout }: HeaderProps) {
  return (
    <header class="topbar">
      <div class="topbar-row">
        <a href="/" class="brand">
          <img src="/icons/favicon-32.png" width={24} height={24} alt="" />
          <span>{t('app.name')}</span>
        </a>
        <span class={online ? 'net online' : 'net offline'} data-testid="net-status" data-online={String(online)}>
          {online ? t('net.online') : t('net.offline')}
        </span>
        {session && <SyncState />}
        <LangSwitch />
      </div>
      {session && (
        <div class="topbar-row user-row">
          <span class="user">
            <span data-testid="user-name">{session.user.display_name}</span>
            <span class="role" data-testid="user-role">
              {label('role', session.user.role)}
            </span>
          </span>
          <span class="user-links">
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
            <button type="button" class="link-button" data-testid="logout" onClick={onLogout}>
              {t('header.logout')}
            </button>
          </span>
        </div>
      )}
    </header>
  )
}
