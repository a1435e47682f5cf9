// Messages from the service worker to the open app. public/sw-notifications.js sends { type, url } when a
// system notification is tapped and a window of the app is already open: the app moves to the alarm in place,
// keeping its session and state, instead of loading the page again.

/** Keep in sync with NAVIGATE in public/sw-notifications.js. */
export const NAVIGATE_MESSAGE = 'andian:navigate'

/** The in-app path a message asks for, or null for anything else (other messages, other origins, junk). */
export function navigateTarget(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null
  const { type, url } = data as { type?: unknown; url?: unknown }
  if (type !== NAVIGATE_MESSAGE || typeof url !== 'string') return null
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\') ? url : null
}
