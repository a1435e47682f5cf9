// Who is signed in on this device. The record lives in IndexedDB (platform/db.ts) so the app opens offline;
// this module keeps it in memory for the API client and tells the UI when it starts or ends.
import { clearSession, loadSession, saveSession, type SessionRecord } from './db'
import type { User } from './wire'

export type { SessionRecord }

let current: SessionRecord | null = null
const listeners = new Set<(session: SessionRecord | null) => void>()

function set(session: SessionRecord | null): void {
  current = session
  for (const fn of listeners) fn(session)
}

export function getSession(): SessionRecord | null {
  return current
}

export function onSessionChange(fn: (session: SessionRecord | null) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function isExpired(session: SessionRecord, now: number = Date.now()): boolean {
  return session.expires_at * 1000 <= now
}

/** Load the saved session at start-up; an expired one is cleared (the user signs in again). */
export async function restoreSession(): Promise<SessionRecord | null> {
  const saved = await loadSession()
  if (saved && isExpired(saved)) {
    await endSession()
    return null
  }
  set(saved ?? null)
  return current
}

export async function startSession(session: SessionRecord): Promise<void> {
  await saveSession(session)
  set(session)
}

/** The server sent fresh details of the signed-in user (GET /api/v1/me). */
export async function updateUser(user: User): Promise<void> {
  if (!current) return
  await startSession({ ...current, user })
}

/**
 * Forget the token, the user and the data cached for them. Their changes not yet synced stay on the device for
 * their next sign-in, unless `discardWorkOf` names them (they chose to sign out knowing it).
 */
export async function endSession(options: { discardWorkOf?: number } = {}): Promise<void> {
  await clearSession(options)
  set(null)
}
