// 本机通知: the switch for system notifications on this device, and what the browser currently allows.
import { useEffect, useState } from 'preact/hooks'
import { t, type MessageKey } from '../../platform/i18n'
import {
  isChosen,
  onSystemNotificationsChange,
  permissionState,
  switchOff,
  switchOn,
  type PermissionState,
} from './system-notifications'

const STATE_TEXT: Record<PermissionState, MessageKey> = {
  granted: 'sysnotify.state_granted',
  default: 'sysnotify.state_default',
  denied: 'sysnotify.state_denied',
  unsupported: 'sysnotify.state_unsupported',
}

export function SystemNotifications() {
  const [chosen, setChosen] = useState(isChosen)
  const [permission, setPermission] = useState(permissionState)
  const [asking, setAsking] = useState(false)

  // The user may change the permission in the browser's settings and come back: read it again then.
  useEffect(() => {
    const refresh = () => {
      setChosen(isChosen())
      setPermission(permissionState())
    }
    const unsubscribe = onSystemNotificationsChange(refresh)
    document.addEventListener('visibilitychange', refresh)
    window.addEventListener('focus', refresh)
    return () => {
      unsubscribe()
      document.removeEventListener('visibilitychange', refresh)
      window.removeEventListener('focus', refresh)
    }
  }, [])

  async function toggle(on: boolean) {
    if (!on) return switchOff()
    setAsking(true)
    try {
      setPermission(await switchOn())
    } catch (error) {
      console.warn('andian: asking for notification permission failed', error)
    } finally {
      setAsking(false)
    }
  }

  const on = chosen && permission === 'granted'
  const blocked = permission === 'denied' || permission === 'unsupported'
  return (
    <section class="card sysnotify" data-testid="sysnotify" data-permission={permission} data-on={String(on)}>
      <h2>{t('sysnotify.title')}</h2>
      <p class="muted">{t('sysnotify.hint')}</p>
      <label class="switch-row">
        <input
          type="checkbox"
          role="switch"
          checked={on}
          disabled={asking || blocked}
          onChange={(e) => void toggle(e.currentTarget.checked)}
          data-testid="sysnotify-switch"
        />
        <span>{t('sysnotify.switch')}</span>
      </label>
      <p
        class={blocked ? 'form-error sysnotify-state' : 'muted sysnotify-state'}
        role="status"
        data-testid="sysnotify-state"
        data-permission={permission}
      >
        {asking ? t('sysnotify.asking') : t(STATE_TEXT[permission])}
      </p>
      <p class="muted">{t('sysnotify.levels')}</p>
    </section>
  )
}
