// A site list and a site's details that work offline (platform/cached-read.ts): the server's answer, or the copy
// saved on this device when the server cannot be reached.
import { cachedRead, type Cached } from '../../platform/cached-read'
import { deleteSiteDetail, loadSiteDetail, loadSiteList, saveSiteDetail, saveSiteList } from '../../platform/db'
import { getSite, getSites } from './api'
import type { Site, SiteDetail } from './types'

export function readSites(): Promise<Cached<Site[]>> {
  return cachedRead(getSites, saveSiteList, async () => {
    const saved = await loadSiteList()
    return saved && { data: saved.sites, fetchedAt: saved.fetchedAt }
  })
}

export function readSite(id: number): Promise<Cached<SiteDetail>> {
  return cachedRead(
    () => getSite(id),
    saveSiteDetail,
    async () => {
      const saved = await loadSiteDetail(id)
      return saved && { data: saved.site, fetchedAt: saved.fetchedAt }
    },
  )
}

/** The server says the site is gone or hidden from this user: drop the copy as well. */
export function forgetSite(id: number): Promise<void> {
  return deleteSiteDetail(id)
}
