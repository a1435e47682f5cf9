// An inspector's grid on the device, so a whole walk-through works with no signal (USER_STORIES 3): after each
// sync, the sites list, every site's page and the inspection checklists are kept in IndexedDB (platform/db.ts);
// a site's checklist is then found offline by its venue type, and an inspection starts on the device as an
// `inspection` `create` mutation carrying the checklist it was started with.
import { NetworkError } from '../../platform/http'
import { loadChecklists, loadSiteDetail, loadSiteList, saveChecklists } from '../../platform/db'
import { t } from '../../platform/i18n'
import { getSession } from '../../platform/session'
import { readSite, readSites } from '../sites/data'
import type { Site } from '../sites/types'
import { enqueue } from '../sync/outbox'
import type { LocalInspection } from '../sync/overlay'
import { uuidv7 } from '../sync/uuid'
import { getChecklists, startInspection } from './api'
import { findingHazards } from './findings'
import { canInspect } from './model'
import type { ChecklistTemplate, SavedAnswer } from './types'

/** A grid larger than this is not copied site by site (a regulator's city): its sites are kept as they are opened. */
export const GRID_MAX = 300

/** How often the grid is copied again: sites and checklists change rarely, and a copy costs a request per site. */
export const GRID_REFRESH_MS = 10 * 60_000

/** Site pages fetched at once while copying the grid. */
const PARALLEL = 4

/** The inspection checklist made for a venue type, else the one for every venue type (server templates.template_for). */
export function templateFor(templates: readonly ChecklistTemplate[], venueType: string): ChecklistTemplate | undefined {
  const inspections = templates.filter((t) => t.kind === 'inspection')
  return inspections.find((t) => t.venue_types.includes(venueType)) ?? inspections.find((t) => t.venue_types.includes('*'))
}

async function venueOf(siteId: number): Promise<Site | undefined> {
  return (await loadSiteDetail(siteId))?.site ?? (await loadSiteList())?.sites.find((s) => s.id === siteId)
}

/** The site's inspection checklist: the server's answer, or offline the kept checklist for its venue type. */
export async function checklistFor(siteId: number): Promise<ChecklistTemplate | undefined> {
  try {
    return (await getChecklists({ site_id: siteId, kind: 'inspection' }))[0]
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
    const site = await venueOf(siteId)
    return site && templateFor(await loadChecklists(), site.venue_type)
  }
}

let lastCopy = 0
let copying: Promise<number> | null = null

/**
 * Keep the inspector's grid on the device: the site list, each site's page and the inspection checklists.
 * Answers how many sites are kept (0 when the user does not inspect or the grid is too large). At most once per
 * GRID_REFRESH_MS unless `force`; never two copies at once.
 */
export function keepGridOffline(force = false, now: number = Date.now()): Promise<number> {
  if (copying) return copying
  if (!force && now - lastCopy < GRID_REFRESH_MS) return Promise.resolve(0)
  if (!canInspect(getSession()?.user.role)) return Promise.resolve(0)
  copying = (async () => {
    const [sites, checklists] = await Promise.all([readSites(), getChecklists({ kind: 'inspection' })])
    if (sites.offline) return 0
    await saveChecklists(checklists)
    if (sites.data.length > GRID_MAX) return 0
    const queue = [...sites.data]
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        // A site hidden meanwhile (404) is skipped; no network ends the copy (the next sync tries again).
        for (let site = queue.shift(); site; site = queue.shift()) {
          await readSite(site.id).catch((error: unknown) => {
            if (error instanceof NetworkError) throw error
          })
        }
      }),
    )
    lastCopy = now
    return sites.data.length
  })().finally(() => {
    copying = null
  })
  return copying
}

/** Start an inspection on the device (no network): its page opens at once and the sync sends it. */
export async function startOnDevice(site: Pick<Site, 'id' | 'name'>, template: ChecklistTemplate): Promise<string> {
  const id = uuidv7()
  await enqueue({
    entity: 'inspection',
    entity_id: id,
    op: 'create',
    fields: { site_id: site.id, template_id: template.id },
    about: {
      title: template.title['zh-CN'],
      site_id: site.id,
      site_name: site.name,
      checklist: { template_id: template.id, template_version: template.version, title: template.title, items: template.items },
    },
  })
  return id
}

/**
 * Start an inspection of the site: online the server makes it (its id answered); with no network, on the device
 * with the kept checklist (its entity id answered). Either opens at /inspections/{answer}.
 */
export async function startAnywhere(siteId: number, template: ChecklistTemplate | undefined): Promise<string> {
  try {
    return String((await startInspection(siteId)).id)
  } catch (error) {
    const site = error instanceof NetworkError ? await venueOf(siteId) : undefined
    if (!site || !template) throw error
    return startOnDevice(site, template)
  }
}

type Answered = Pick<SavedAnswer, 'key' | 'answer' | 'note' | 'attachments'>

/**
 * Signing: each failed item becomes a hazard on this device at once (shown 待同步), assigned to the site's owner
 * when the device knows the site, as a `hazard` `create` naming the inspection and the item. Written before the
 * signature, so the server makes these hazards and its signature makes no second one (docs/hazards.md).
 */
export async function recordFindings(detail: LocalInspection, answers: readonly Answered[], now: number = Date.now()): Promise<number> {
  const made = new Set(detail.local_hazards.map((h) => h.item))
  const site = await venueOf(detail.site_id)
  const owner = site?.owner_id ?? null
  const hazards = findingHazards({ ...detail, answers }, owner, Math.floor(now / 1000)).filter((h) => !made.has(h.item))
  for (const fields of hazards) {
    await enqueue({
      entity: 'hazard',
      entity_id: uuidv7(),
      op: 'create',
      fields: { ...fields },
      about: { title: fields.title, site_id: detail.site_id, site_name: detail.site_name, assignee: owner === null ? null : t('inspection.site_owner') },
    })
  }
  return hazards.length
}
