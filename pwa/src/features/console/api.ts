// The console's requests (docs/console.md). Errors as in platform/http.ts.
import { request } from '../../platform/http'
import type { Alarm } from '../alarms/types'
import type { HazardDetail } from '../hazards/types'
import type { AckManyAnswer, BoxBacklog, Company, ConsoleFilters, Electrician, PowerOffRequest } from './types'

/** The query of GET /api/v1/alarms for the console's filters: the active alarms and the last day's ended ones. */
export function alarmsQuery(filters: ConsoleFilters, now: number = Date.now()): URLSearchParams {
  const params = new URLSearchParams({ since: String(Math.floor(now / 1000) - 86400), limit: '500' })
  if (filters.district) params.set('region', filters.district)
  if (filters.cause) params.set('cause', filters.cause)
  if (filters.level) params.set('level', filters.level)
  if (filters.ack) params.set('acknowledged', String(filters.ack === 'yes'))
  if (filters.company !== undefined) params.set('company_id', String(filters.company))
  return params
}

export function getConsoleAlarms(filters: ConsoleFilters): Promise<Alarm[]> {
  return request<Alarm[]>('GET', `/api/v1/alarms?${alarmsQuery(filters)}`)
}

export function ackMany(alarmIds: number[], note: string): Promise<AckManyAnswer> {
  return request<AckManyAnswer>('POST', '/api/v1/alarms/ack', { body: { alarm_ids: alarmIds, note } })
}

export function getElectricians(companyId: number): Promise<Electrician[]> {
  return request<Electrician[]>('GET', `/api/v1/companies/${companyId}/electricians`)
}

export function dispatchAlarm(alarmId: number, assigneeId: number, due: number | null, note: string): Promise<HazardDetail> {
  const body: Record<string, unknown> = { assignee_id: assigneeId }
  if (due !== null) body.due = due
  if (note.trim()) body.note = note.trim()
  return request<HazardDetail>('POST', `/api/v1/alarms/${alarmId}/dispatch`, { body })
}

export function getPendingPowerOffs(): Promise<PowerOffRequest[]> {
  return request<PowerOffRequest[]>('GET', '/api/v1/power-off-requests?state=pending')
}

export function confirmPowerOff(requestId: number, reason: string): Promise<PowerOffRequest> {
  return request<PowerOffRequest>('POST', `/api/v1/power-off-requests/${requestId}/confirm`, { body: { reason } })
}

export function declinePowerOff(requestId: number, note: string): Promise<PowerOffRequest> {
  return request<PowerOffRequest>('POST', `/api/v1/power-off-requests/${requestId}/decline`, { body: { note } })
}

export function getAlarmPowerOffs(alarmId: number): Promise<PowerOffRequest[]> {
  return request<PowerOffRequest[]>('GET', `/api/v1/alarms/${alarmId}/power-off-requests`)
}

export function requestPowerOff(alarmId: number, reason: string): Promise<PowerOffRequest> {
  return request<PowerOffRequest>('POST', `/api/v1/alarms/${alarmId}/power-off-requests`, { body: { reason } })
}

export function getCompanies(): Promise<Company[]> {
  return request<Company[]>('GET', '/api/v1/companies')
}

/** Site boxes of the caller's sites still catching up after an outage (an older cloud without it: none). */
export function getCatchingUp(): Promise<BoxBacklog[]> {
  return request<BoxBacklog[]>('GET', '/api/v1/gateways/catching-up').catch(() => [])
}
