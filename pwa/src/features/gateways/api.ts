// The requests of transmission devices and of the city platform uplink (API.md "GB/T 26875.3"). Errors as in
// platform/http.ts: ApiError with the server's detail and field, NetworkError when there is no answer.
import { request } from '../../platform/http'
import type {
  Command,
  CommandCreate,
  DutyCheck,
  Gateway,
  GatewayCreate,
  Gb26875Event,
  Gb26875Status,
  MappingRow,
  Uplink,
} from './types'

export const EVENTS_LIMIT = 50

export function getGateway(id: number): Promise<Gateway> {
  return request<Gateway>('GET', `/api/v1/gateways/${id}`)
}

export function getSiteGateways(siteId: number): Promise<Gateway[]> {
  return request<Gateway[]>('GET', `/api/v1/sites/${siteId}/gateways`)
}

export function addGateway(siteId: number, body: GatewayCreate): Promise<Gateway> {
  return request<Gateway>('POST', `/api/v1/sites/${siteId}/gateways`, { body })
}

export function getStatus(id: number): Promise<Gb26875Status> {
  return request<Gb26875Status>('GET', `/api/v1/gateways/${id}/gb26875`)
}

export function putMapping(id: number, mapping: MappingRow[]): Promise<Gb26875Status> {
  return request<Gb26875Status>('PUT', `/api/v1/gateways/${id}/gb26875/mapping`, { body: { mapping } })
}

export function getEvents(id: number, limit: number = EVENTS_LIMIT): Promise<Gb26875Event[]> {
  return request<Gb26875Event[]>('GET', `/api/v1/gateways/${id}/gb26875/events?limit=${limit}`)
}

export function sendCommand(id: number, body: CommandCreate): Promise<Command> {
  return request<Command>('POST', `/api/v1/gateways/${id}/gb26875/commands`, { body })
}

export function getCommand(id: number, commandId: number): Promise<Command> {
  return request<Command>('GET', `/api/v1/gateways/${id}/gb26875/commands/${commandId}`)
}

export function getUplink(): Promise<Uplink> {
  return request<Uplink>('GET', '/api/v1/gb26875/uplink')
}

export function answerDutyCheck(id: number): Promise<DutyCheck> {
  return request<DutyCheck>('POST', `/api/v1/gb26875/uplink/duty-checks/${id}/answer`)
}
