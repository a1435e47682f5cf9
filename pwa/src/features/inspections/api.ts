// The inspection endpoints the app calls directly: the checklists, and starting a visit (online: the server makes
// it from its checklist). Answers and signing go through the sync (features/sync: mutations in the outbox); photos
// go up with features/photos/api.ts. Errors as in platform/http.ts: ApiError with the server's detail and `field`,
// NetworkError when no answer came.
import { request } from '../../platform/http'
import type { ChecklistTemplate, InspectionDetail } from './types'

/** The site's checklists (its venue type's inspection and remediation checklists), or every one. */
export function getChecklists(query: { site_id?: number; kind?: ChecklistTemplate['kind'] } = {}): Promise<ChecklistTemplate[]> {
  const params = new URLSearchParams()
  if (query.site_id !== undefined) params.set('site_id', String(query.site_id))
  if (query.kind !== undefined) params.set('kind', query.kind)
  const text = params.toString()
  return request<ChecklistTemplate[]>('GET', `/api/v1/checklists${text ? `?${text}` : ''}`)
}

/** Start a visit with the venue type's checklist (admin, operator, inspector, regulator; 403 for others). */
export function startInspection(siteId: number, templateId?: string): Promise<InspectionDetail> {
  const body = templateId === undefined ? { site_id: siteId } : { site_id: siteId, template_id: templateId }
  return request<InspectionDetail>('POST', '/api/v1/inspections', { body })
}
