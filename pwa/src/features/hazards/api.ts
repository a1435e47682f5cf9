// The hazard endpoint the app calls directly. Hazards themselves are read and written through the sync
// (features/sync: pull, and mutations in the outbox); photos go up with features/photos/api.ts. Errors as in
// platform/http.ts: ApiError with the server's detail and `field`, NetworkError when no answer came.
import { request } from '../../platform/http'
import type { Assignee } from './types'

/** Who may take the site's hazards (403 for those who may not assign). */
export function getAssignees(siteId: number): Promise<Assignee[]> {
  return request<Assignee[]>('GET', `/api/v1/sites/${siteId}/hazard-rules/assignees`)
}
