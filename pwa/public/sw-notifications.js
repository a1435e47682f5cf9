// Imported into the generated service worker (vite.config.ts, workbox.importScripts): opening the app from a
// system notification. The notification's data.url is an in-app path such as "/alarms/42"
// (src/features/notify/alarm-notice.ts). A window of the app that is already open is focused and told to move
// there (src/features/notify/sw-messages.ts); without one, a new window opens at the path.
/* eslint-env serviceworker */

// Keep in sync with NAVIGATE_MESSAGE in src/features/notify/sw-messages.ts.
const NAVIGATE = 'andian:navigate'

function pathOf(notification) {
  const url = notification.data && notification.data.url
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/'
}

async function openApp(path) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin)
  if (open) {
    try {
      // Focus first: the permission to focus comes from the tap and does not last.
      const focused = (await open.focus()) || open
      focused.postMessage({ type: NAVIGATE, url: path })
      return
    } catch {
      // Not allowed to focus it (or it closed meanwhile): open a new window instead.
    }
  }
  await self.clients.openWindow(path)
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  event.waitUntil(openApp(pathOf(event.notification)))
})
