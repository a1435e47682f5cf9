// The hazard endpoints and attachments (photos as evidence). Errors as in ../api.ts: ApiError with the server's
// detail and `field` (a 400 names the refused input), NetworkError when no answer came.
import { request, requestBlob } from '../api'
import type {
  Assignee,
  AttachmentStored,
  CommentBody,
  Hazard,
  HazardCreate,
  HazardDetail,
  HazardQuery,
  TransitionBody,
} from './types'

/**
 * An upload over a weak mobile link: a shrunk photo is 200–600 KB, which takes 10–40 s at the 100–500 kbit/s
 * of one bar of 4G or EDGE in a market hall; a minute leaves room before it counts as failed (and can be retried).
 */
export const UPLOAD_TIMEOUT_MS = 60_000

/** The query string of GET /api/v1/hazards ("state" repeated, as the server takes it). */
export function hazardQueryString(query: HazardQuery): string {
  const params = new URLSearchParams()
  if (query.site_id !== undefined) params.set('site_id', String(query.site_id))
  for (const state of query.states ?? []) params.append('state', state)
  if (query.overdue) params.set('overdue', 'true')
  if (query.mine) params.set('mine', 'true')
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** Hazards of the sites the caller sees: unfinished first, soonest due first. */
export function getHazards(query: HazardQuery = {}): Promise<Hazard[]> {
  return request<Hazard[]>('GET', `/api/v1/hazards${hazardQueryString(query)}`)
}

/** One hazard with its timeline (the page the messages about hazards link to). */
export function getHazard(id: number): Promise<HazardDetail> {
  return request<HazardDetail>('GET', `/api/v1/hazards/${id}`)
}

export function createHazard(body: HazardCreate): Promise<HazardDetail> {
  return request<HazardDetail>('POST', '/api/v1/hazards', { body })
}

/** 409 when the move is not legal from the hazard's state now, 403 when it is not the caller's to make. */
export function transitionHazard(id: number, body: TransitionBody): Promise<HazardDetail> {
  return request<HazardDetail>('POST', `/api/v1/hazards/${id}/transition`, { body })
}

/** Write on the three-party thread (the unit, the operator company, the regulator). */
export function commentHazard(id: number, body: CommentBody): Promise<HazardDetail> {
  return request<HazardDetail>('POST', `/api/v1/hazards/${id}/comments`, { body })
}

/** Who may take the site's hazards (403 for those who may not assign). */
export function getAssignees(siteId: number): Promise<Assignee[]> {
  return request<Assignee[]>('GET', `/api/v1/sites/${siteId}/hazard-rules/assignees`)
}

/** Store a photo under its sha256; idempotent (200 when the server has it already). */
export function putAttachment(sha256: string, data: Blob, type: string): Promise<AttachmentStored> {
  return request<AttachmentStored>('PUT', `/api/v1/attachments/${sha256}`, {
    raw: { data, type },
    timeoutMs: UPLOAD_TIMEOUT_MS,
  })
}

/** A photo's bytes: the request needs the bearer token, so an <img> cannot load it by URL. */
export function getAttachment(sha256: string): Promise<Blob> {
  return requestBlob('GET', `/api/v1/attachments/${sha256}`, { timeoutMs: UPLOAD_TIMEOUT_MS })
}
