// What a channel is called where people read it: its own label when an installer gave one ("二楼走廊照明 进线端子"),
// else the circuit its device protects with the quantity ("插座回路 · 剩余电流"), never the bare key ("temp_c_2").
// Pure; for any page that shows a channel.
import { channelLabel, type Lang } from '../../platform/i18n'
import type { Channel, Device } from '../devices/types'

export type NamedChannel = Pick<Channel, 'key'> & { label?: string | null }
export type ChannelPlace = Partial<Pick<Device, 'circuit' | 'name'>>

/** The channel's display name; `device` gives the circuit (or, without one, the device's name). */
export function channelName(channel: NamedChannel, device?: ChannelPlace, lang?: Lang): string {
  const own = channel.label?.trim()
  if (own) return own
  const quantity = channelLabel(channel.key, lang)
  const where = device?.circuit?.trim() || device?.name?.trim()
  return where ? `${where} · ${quantity}` : quantity
}

/** Where a device is, for sentences about the device as a whole: its circuit, else its name. */
export function devicePlace(device: ChannelPlace): string {
  return device.circuit?.trim() || device.name?.trim() || ''
}
