// Imported into the generated service worker (vite.config.ts, workbox.importScripts): Background Sync for the
// offline outbox. The page registers the tag when a change is written with no network (src/features/sync/start.ts).
// When the browser fires it (the network is back), the worker cannot run the sync loop itself (the generated worker
// has no copy of the app's code), so it tells the open windows of the app, which run the loop. With no window
// open nothing is sent until the app is opened again: its start-up sync sends everything then.
/* eslint-env serviceworker */

// Keep in sync with BACKGROUND_SYNC_TAG and SYNC_MESSAGE in src/features/sync/start.ts.
const SYNC_TAG = 'andian-sync'
const SYNC_MESSAGE = 'andian:sync'

self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) client.postMessage({ type: SYNC_MESSAGE })
    }),
  )
})
