// The browser's Notification and service worker APIs do not exist in Node: they are stood in for here with
// the smallest objects that behave like them (the rest of the app runs for real).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlarmNotice } from './alarm-notice'
import {
  isActive,
  isChosen,
  onSystemNotificationsChange,
  permissionState,
  showAlarmNotice,
  switchOff,
  switchOn,
} from './system-notifications'

const notice: AlarmNotice = {
  title: '【报警】集贸市场 12号摊位 插座回路断路器 剩余电流 380 mA',
  body: '漏电流持续超过 300 mA（最高 380 mA）…',
  tag: 'alarm-42',
  url: '/alarms/42',
  requireInteraction: true,
}

function memoryStorage() {
  const data = new Map<string, string>()
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) }
}

/** A browser's Notification: `permission`, `requestPermission()` answering `answer`, and the ones shown. */
function fakeNotification(permission: NotificationPermission, answer: NotificationPermission = permission) {
  const shown: { title: string; options: NotificationOptions }[] = []
  class FakeNotification {
    static permission = permission
    static requestPermission = vi.fn(async () => {
      FakeNotification.permission = answer
      return answer
    })
    onclick: (() => void) | null = null
    constructor(title: string, options: NotificationOptions) {
      shown.push({ title, options })
    }
    close() {}
  }
  vi.stubGlobal('Notification', FakeNotification)
  return { FakeNotification, shown }
}

beforeEach(() => {
  vi.stubGlobal('localStorage', memoryStorage())
  vi.stubGlobal('navigator', {})
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('the switch', () => {
  it('asks the browser, and is on only when allowed', async () => {
    const { FakeNotification } = fakeNotification('default', 'granted')
    expect(permissionState()).toBe('default')
    expect(isActive()).toBe(false)
    const changes = vi.fn()
    const stop = onSystemNotificationsChange(changes)
    expect(await switchOn()).toBe('granted')
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce()
    expect(isChosen()).toBe(true)
    expect(isActive()).toBe(true)
    switchOff()
    expect(isActive()).toBe(false)
    expect(changes).toHaveBeenCalledTimes(2)
    stop()
  })

  it('stays off when the user or the browser says no', async () => {
    fakeNotification('default', 'denied')
    expect(await switchOn()).toBe('denied')
    expect(isChosen()).toBe(false)
    expect(permissionState()).toBe('denied')
  })

  it('does not ask again once allowed', async () => {
    const { FakeNotification } = fakeNotification('granted')
    expect(await switchOn()).toBe('granted')
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled()
  })

  it('is unsupported without the Notification API (an iPhone browser tab)', async () => {
    vi.stubGlobal('Notification', undefined)
    expect(permissionState()).toBe('unsupported')
    expect(await switchOn()).toBe('unsupported')
    expect(isChosen()).toBe(false)
  })

  it('forgets a choice the browser has since blocked', async () => {
    const { FakeNotification } = fakeNotification('granted')
    await switchOn()
    FakeNotification.permission = 'denied' // changed in the browser's site settings
    expect(isChosen()).toBe(true)
    expect(isActive()).toBe(false)
  })
})

describe('showAlarmNotice', () => {
  it('shows nothing unless switched on and allowed', async () => {
    const { shown } = fakeNotification('granted')
    expect(await showAlarmNotice(notice)).toBe(false)
    expect(shown).toEqual([])
  })

  it('goes through the service worker, so a tap reaches its notificationclick', async () => {
    const { shown } = fakeNotification('granted')
    await switchOn()
    const showNotification = vi.fn(async () => undefined)
    const registration = { showNotification }
    vi.stubGlobal('navigator', {
      serviceWorker: { getRegistration: async () => registration, ready: Promise.resolve(registration) },
    })
    expect(await showAlarmNotice(notice)).toBe(true)
    expect(showNotification).toHaveBeenCalledWith(notice.title, {
      body: notice.body,
      tag: 'alarm-42',
      data: { url: '/alarms/42' },
      requireInteraction: true,
      icon: '/icons/icon-192.png',
      badge: '/icons/favicon-32.png',
      lang: 'zh-CN',
    })
    expect(shown).toEqual([]) // not both
  })

  it('falls back to a page notification without a service worker', async () => {
    const { shown } = fakeNotification('granted')
    await switchOn()
    vi.stubGlobal('navigator', { serviceWorker: { getRegistration: async () => undefined } })
    expect(await showAlarmNotice({ ...notice, requireInteraction: false })).toBe(true)
    expect(shown).toHaveLength(1)
    expect(shown[0]?.title).toBe(notice.title)
    expect(shown[0]?.options).toMatchObject({ tag: 'alarm-42', data: { url: '/alarms/42' }, requireInteraction: false })
  })

  it('never throws: a refusal is reported as not shown', async () => {
    fakeNotification('granted')
    await switchOn()
    const registration = { showNotification: async () => Promise.reject(new TypeError('No active registration')) }
    vi.stubGlobal('navigator', {
      serviceWorker: { getRegistration: async () => registration, ready: Promise.resolve(registration) },
    })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(await showAlarmNotice(notice)).toBe(false)
    expect(warn).toHaveBeenCalled()
    warn.mockRestore()
  })
})
