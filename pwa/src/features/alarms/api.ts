// A site's alarms, one alarm, and acknowledging it (/api/v1/alarms). Errors as in platform/http.ts; data.ts keeps a
// copy for offline use.
import { request } from '../../platform/http'
import type { Alarm } from './types'

export function getAlarms(query: { site_id: number; active: boolean; since?: number }): Promise<Alarm[]> {
  const params = new URLSearchParams({ site_id: String(query.site_id), active: String(query.active) })
  if (query.since !== undefined) params.set('since', String(query.since))
  return request<Alarm[]>('GET', `/api/v1/alarms?${params}`)
}

/** One alarm, whatever its age (the target of the links in every message sent to phones). */
export function getAlarm(id: number): Promise<Alarm> {
  return request<Alarm>('GET', `/api/v1/alarms/${id}`)
}

/** Record that someone is responding; the alarm stays active until its cause clears. */
export function ackAlarm(id: number, note?: string): Promise<Alarm> {
  return request<Alarm>('POST', `/api/v1/alarms/${id}/ack`, { body: note ? { note } : {} })
}
