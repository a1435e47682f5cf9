// A device's breaker: its state with when and by whom it last changed, kept current from the site read, the
// live stream's `device` events and the read-back of a remote control; and an open breaker in words. Pure.
import { formatDateTime, t, type Lang } from '../../platform/i18n'
import type { ControlRecord, Device, DeviceEvent, SwitchState } from './types'

export interface DeviceSwitch {
  switch: SwitchState | null
  /** Unix seconds of the change; null when unknown. */
  switch_at: number | null
  /** Who switched it remotely; null when the device itself or someone on site did, or unknown. */
  switch_by: string | null
}

/** The breaker as the site read has it; fields an older server or a saved copy lacks are unknown. */
export function switchOfDevice(device: Pick<Device, 'switch' | 'switch_at' | 'switch_by'>): DeviceSwitch {
  return { switch: device.switch ?? null, switch_at: device.switch_at ?? null, switch_by: device.switch_by ?? null }
}

/** A live `device` event as the breaker state it brings. */
export function switchOfEvent(event: DeviceEvent): DeviceSwitch {
  return { switch: event.switch ?? null, switch_at: event.switch_at ?? null, switch_by: event.switch_by ?? null }
}

/**
 * The breaker after a remote control answered: the state the device read back, changed at the control's time
 * by its sender; a control that changed nothing (failed, or no read-back, or already in that state) leaves the
 * breaker as it was.
 */
export function switchOfControl(record: Pick<ControlRecord, 'switch' | 'at' | 'by'>, before: DeviceSwitch): DeviceSwitch {
  if (record.switch === null || record.switch === before.switch) return before
  return { switch: record.switch, switch_at: record.at, switch_by: record.by }
}

/**
 * Of two reports of one breaker, the one to show: `incoming` (heard later) unless `known` says it changed
 * later than `incoming` did. Events and reads can cross on the way, and a switch time is the device's word.
 */
export function newerSwitch(known: DeviceSwitch, incoming: DeviceSwitch): DeviceSwitch {
  if (known.switch_at !== null && incoming.switch_at !== null && known.switch_at > incoming.switch_at) return known
  return incoming
}

/**
 * The site's devices with what this page heard since it read them laid over; a fresher read (a later
 * `switch_at`) keeps its own. The same array when nothing changes, so it can be compared by identity.
 */
export function withSwitches<D extends Device>(devices: D[], heard: ReadonlyMap<number, DeviceSwitch>): D[] {
  if (heard.size === 0) return devices
  let changed = false
  const next = devices.map((device) => {
    const live = heard.get(device.id)
    if (!live) return device
    const shown = newerSwitch(switchOfDevice(device), live)
    if (shown.switch === (device.switch ?? null) && shown.switch_at === (device.switch_at ?? null)
      && shown.switch_by === (device.switch_by ?? null)) return device
    changed = true
    return { ...device, ...shown }
  })
  return changed ? next : devices
}

/**
 * Who opened an open breaker and since when, as far as known: "王值班 远程分闸 · 2025年11月23日 09:37 起";
 * "" when neither is known.
 */
export function openDetail(state: DeviceSwitch, lang?: Lang): string {
  const parts: string[] = []
  const name = state.switch_by?.trim()
  if (name) parts.push(t('switch.open_by', { name }, lang))
  if (state.switch_at !== null) parts.push(t('switch.since', { time: formatDateTime(state.switch_at * 1000, lang) }, lang))
  return parts.join(' · ')
}
