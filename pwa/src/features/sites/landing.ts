// Where "/" takes someone: an owner with exactly one site goes straight to it (after login too, since login lands
// on "/"); everyone else, and owners of several sites, get the list.
import { useEffect, useState } from 'preact/hooks'
import { loadSiteList } from '../../platform/db'
import { getSession } from '../../platform/session'
import type { Role } from '../../platform/wire'
import type { Site } from './types'

/** The site "/" opens for this user, or null for the list. */
export function landingSite(role: Role | undefined, sites: readonly Pick<Site, 'id'>[]): number | null {
  return role === 'owner' && sites.length === 1 ? (sites[0] as Pick<Site, 'id'>).id : null
}

/** Whether site `id` is where "/" lands this user (from the list last saved on this device). */
export function useSingleSite(id: number): boolean {
  const [single, setSingle] = useState(false)
  useEffect(() => {
    let current = true
    loadSiteList().then(
      (saved) => current && setSingle(!!saved && landingSite(getSession()?.user.role, saved.sites) === id),
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [id])
  return single
}
