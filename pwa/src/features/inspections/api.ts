// The checklist and inspection endpoints. Errors as in ../api.ts: ApiError with the server's detail and `field`
// (a 400 names the refused input), NetworkError when no answer came. Photos go up with ../hazards/api.ts
// putAttachment before the answer that names them.
import { request } from '../api'
import type {
  AnswerIn,
  AnswersOut,
  ChecklistTemplate,
  CompleteBody,
  Inspection,
  InspectionDetail,
} from './types'

/** The site's checklists (its venue type's inspection and remediation checklists), or every one. */
export function getChecklists(query: { site_id?: number; kind?: ChecklistTemplate['kind'] } = {}): Promise<ChecklistTemplate[]> {
  const params = new URLSearchParams()
  if (query.site_id !== undefined) params.set('site_id', String(query.site_id))
  if (query.kind !== undefined) params.set('kind', query.kind)
  const text = params.toString()
  return request<ChecklistTemplate[]>('GET', `/api/v1/checklists${text ? `?${text}` : ''}`)
}

/** The visits to the sites the caller sees, newest first. */
export function getInspections(query: { site_id?: number; limit?: number } = {}): Promise<Inspection[]> {
  const params = new URLSearchParams()
  if (query.site_id !== undefined) params.set('site_id', String(query.site_id))
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  const text = params.toString()
  return request<Inspection[]>('GET', `/api/v1/inspections${text ? `?${text}` : ''}`)
}

export function getInspection(id: number): Promise<InspectionDetail> {
  return request<InspectionDetail>('GET', `/api/v1/inspections/${id}`)
}

/** Start a visit with the venue type's checklist (admin, operator, inspector, regulator; 403 for others). */
export function startInspection(siteId: number, templateId?: string): Promise<InspectionDetail> {
  const body = templateId === undefined ? { site_id: siteId } : { site_id: siteId, template_id: templateId }
  return request<InspectionDetail>('POST', '/api/v1/inspections', { body })
}

/** Save answers: each is saved or refused on its own (`results`); 409 once the inspection is signed. */
export function sendAnswers(id: number, answers: readonly AnswerIn[]): Promise<AnswersOut> {
  return request<AnswersOut>('POST', `/api/v1/inspections/${id}/answers`, { body: { answers } })
}

/** Sign it: 400 (field "answers") while items are unanswered; each failed item becomes a hazard. */
export function completeInspection(id: number, body: CompleteBody): Promise<InspectionDetail> {
  return request<InspectionDetail>('POST', `/api/v1/inspections/${id}/complete`, { body })
}
