// System notifications on this device while the app is open (本机通知): the user's choice, the browser's
// permission, and showing one. The choice is kept in localStorage, like the language: it belongs to the
// device, not to the account, and must be readable at once when a live event arrives.
//
// A phone that is not running the app is reached through the user's subscriptions (WeChat, SMS, e-mail);
// there is no web push here.
import { getLanguage } from '../../platform/i18n'
import { navigate } from '../../shell/router'
import type { AlarmNotice } from './alarm-notice'

const STORAGE_KEY = 'andian.system-notifications'
const ICON = '/icons/icon-192.png'
const BADGE = '/icons/favicon-32.png'

/** The browser's answer, or `unsupported` (e.g. an iPhone browser tab: only apps added to the home screen may). */
export type PermissionState = NotificationPermission | 'unsupported'

const listeners = new Set<() => void>()

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    return undefined // storage blocked (privacy mode) or absent
  }
}

function api(): typeof Notification | undefined {
  return typeof globalThis.Notification === 'function' ? globalThis.Notification : undefined
}

export function permissionState(): PermissionState {
  return api()?.permission ?? 'unsupported'
}

/** The user switched system notifications on, on this device (whatever the browser allows now). */
export function isChosen(): boolean {
  return storage()?.getItem(STORAGE_KEY) === 'on'
}

/** Notifications will show: switched on, and the browser allows them. */
export function isActive(): boolean {
  return isChosen() && permissionState() === 'granted'
}

function choose(on: boolean): void {
  try {
    storage()?.setItem(STORAGE_KEY, on ? 'on' : 'off')
  } catch {
    // storage full or blocked: the switch then only lasts for this page
  }
  for (const fn of listeners) fn()
}

/**
 * Switch on: asks the browser for permission (call it from the tap on the switch; browsers ignore requests
 * made without one). On only when granted; the answer is returned for the page to explain.
 */
export async function switchOn(): Promise<PermissionState> {
  const Api = api()
  if (!Api) return 'unsupported'
  const answer = Api.permission === 'granted' ? 'granted' : await Api.requestPermission()
  choose(answer === 'granted')
  return answer
}

export function switchOff(): void {
  choose(false)
}

/** Re-render when the choice changes. Returns the unsubscribe function. */
export function onSystemNotificationsChange(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/**
 * Show the notice if the user switched notifications on and the browser allows them. Through the service
 * worker when there is one (Android Chrome refuses `new Notification`; a tap then goes to the worker's
 * notificationclick), else as a page notification that opens its link itself. Never throws.
 */
export async function showAlarmNotice(notice: AlarmNotice): Promise<boolean> {
  if (!isActive()) return false
  const options: NotificationOptions = {
    body: notice.body,
    tag: notice.tag,
    data: { url: notice.url },
    requireInteraction: notice.requireInteraction,
    icon: ICON,
    badge: BADGE,
    lang: getLanguage(),
  }
  try {
    const container = globalThis.navigator?.serviceWorker
    const registration = container ? await container.getRegistration() : undefined
    if (container && registration) {
      // `ready` rather than the registration itself: a worker still installing cannot show notifications.
      await (await container.ready).showNotification(notice.title, options)
      return true
    }
    const Api = api()
    if (!Api) return false
    const shown = new Api(notice.title, options)
    shown.onclick = () => {
      globalThis.focus?.()
      navigate(notice.url)
      shown.close()
    }
    return true
  } catch (error) {
    console.warn('andian: could not show a system notification', error)
    return false
  }
}
