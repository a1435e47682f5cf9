// The sites the signed-in person sees, and one site with its devices and channels. Errors as in platform/http.ts;
// data.ts keeps a copy for offline use.
import { request } from '../../platform/http'
import type { Channel } from '../devices/types'
import type { Site, SiteDetail } from './types'

export function getSites(): Promise<Site[]> {
  return request<Site[]>('GET', '/api/v1/sites')
}

export function getSite(id: number): Promise<SiteDetail> {
  return request<SiteDetail>('GET', `/api/v1/sites/${id}`)
}

/** Give a channel its own name (installers, operators); "" clears it. Answers the channel as stored. */
export function setChannelLabel(channelId: number, label: string): Promise<Channel> {
  return request<Channel>('PATCH', `/api/v1/channels/${channelId}`, { body: { label } })
}
