// A channel's readings over a window (the history a live chart starts from). Errors as in platform/http.ts.
import { request } from '../../platform/http'
import type { Readings } from './types'

/** Readings of one channel between two Unix times; with `step`, bucket means at bucket starts. */
export function getReadings(channelId: number, from: number, to: number, step?: number): Promise<Readings> {
  const params = new URLSearchParams({ from: String(from), to: String(to) })
  if (step !== undefined) params.set('step', String(step))
  return request<Readings>('GET', `/api/v1/channels/${channelId}/readings?${params}`)
}
