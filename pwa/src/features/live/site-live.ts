// Everything live about the one site on screen: its alarm list, the channels' readings, its devices' breakers
// and the stream that updates them. The page subscribes; this class decides.
//
// The alarm list is read (1) at once, from the server or the copy on the phone, and (2) again each time the
// stream opens, since events sent while it was down are not replayed. Live events are merged into the list
// as they come and remembered, so a read that was under way when they arrived cannot undo them. A breaker
// that opens or closes (`device` events, a remote control's read-back) is kept per device for the page's
// life and laid over the site as read (devices/switch.ts); `opens` tells the page when to read the site again,
// since the events missed while the stream was down are not replayed.
import { onOnlineChange } from '../../platform/online'
import { ackAlarm } from '../alarms/api'
import { fetchSiteAlarms, keepSiteAlarms, readSiteAlarms } from '../alarms/data'
import { alarmOf, applyAlarm, applySnapshot, shouldAlert } from '../alarms/model'
import type { Alarm, AlarmEvent } from '../alarms/types'
import { newerSwitch, switchOfEvent, type DeviceSwitch } from '../devices/switch'
import type { DeviceEvent } from '../devices/types'
import { shouldNotify } from '../notify/alarm-notice'
import { requestSync } from '../sync/start'
import { SeriesStore } from './series'
import type { SseEvent } from './sse'
import { LiveStream, type LiveState } from './stream'
import type { ReadingEvent } from './types'

export interface SiteLiveView {
  /** Undefined until the first read answers (or fails with nothing saved). */
  alarms: Alarm[] | undefined
  /** When the list was last known to be current (ms); with `offline`, the age of the saved copy. */
  alarmsAt: number | undefined
  offline: boolean
  state: LiveState
  /** Each device's breaker as heard since the page opened (device id → state); empty until something changes. */
  switches: ReadonlyMap<number, DeviceSwitch>
  /** How many times the stream has opened; from the second, events may have been missed. */
  opens: number
}

export class SiteLive {
  readonly series = new SeriesStore()
  private view: SiteLiveView = {
    alarms: undefined,
    alarmsAt: undefined,
    offline: false,
    state: 'closed',
    switches: new Map(),
    opens: 0,
  }
  private readonly listeners = new Set<() => void>()
  private readonly stream: LiveStream
  /** Every alarm event of this page's life, merged per alarm: replayed over each fresh read. */
  private readonly seen = new Map<number, Alarm>()
  private readonly alerted = new Set<number>()
  private readonly notified = new Set<string>()
  private reads = 0
  private appliedRead = 0
  private saving: Promise<void> = Promise.resolve()
  private readonly cleanups: (() => void)[] = []

  /**
   * `alert` sounds for a new alarm-level alarm; `notify` gets the live events that should pop up as a system
   * notification (alarm or offline, raised or escalated; whether to show it is the page's choice).
   */
  constructor(
    readonly siteId: number,
    private readonly alert: (alarm: Alarm) => void,
    private readonly notify: (event: AlarmEvent) => void = () => undefined,
  ) {
    this.stream = new LiveStream(`/api/v1/live?site_id=${siteId}`, {
      onOpen: () => this.opened(),
      onEvent: (event) => this.received(event),
      onState: (state) => this.update({ state }),
    })
  }

  getView(): SiteLiveView {
    return this.view
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  start(): void {
    void this.read(() => readSiteAlarms(this.siteId))
    this.stream.start()
    this.cleanups.push(onOnlineChange((online) => online && this.stream.retryNow()))
    if (typeof document !== 'undefined') {
      const wake = () => document.visibilityState === 'visible' && this.stream.retryNow()
      document.addEventListener('visibilitychange', wake)
      this.cleanups.push(() => document.removeEventListener('visibilitychange', wake))
    }
  }

  stop(): void {
    this.stream.stop()
    for (const cleanup of this.cleanups.splice(0)) cleanup()
  }

  /** Acknowledge an alarm; throws ApiError (403: role may not) or NetworkError for the page to explain. */
  async acknowledge(alarmId: number, note: string): Promise<void> {
    const updated = await ackAlarm(alarmId, note.trim() || undefined)
    this.remember(updated)
    this.setAlarms(applyAlarm(this.view.alarms ?? [], updated))
  }

  /** A device's breaker changed (a live event, or the read-back of a remote control made on this page). */
  setSwitch(deviceId: number, state: DeviceSwitch): void {
    const known = this.view.switches.get(deviceId)
    const switches = new Map(this.view.switches)
    switches.set(deviceId, known ? newerSwitch(known, state) : state)
    this.update({ switches })
  }

  private update(change: Partial<SiteLiveView>): void {
    this.view = { ...this.view, ...change }
    for (const fn of this.listeners) fn()
  }

  private setAlarms(alarms: Alarm[]): void {
    this.update({ alarms, alarmsAt: Date.now(), offline: false })
    // One write after another, so an older list never lands after a newer one.
    this.saving = this.saving.then(() => keepSiteAlarms(this.siteId, alarms))
  }

  /** Read the list; a read that started before the last one applied is dropped. */
  private async read(fetch: () => Promise<{ data: Alarm[]; fetchedAt: number; offline: boolean }>): Promise<void> {
    const number = ++this.reads
    try {
      const answer = await fetch()
      if (number < this.appliedRead) return
      this.appliedRead = number
      const alarms = applySnapshot(answer.data, [...this.seen.values()])
      if (answer.offline) this.update({ alarms, alarmsAt: answer.fetchedAt, offline: true })
      else this.setAlarms(alarms)
    } catch (error) {
      console.warn('andian: could not read the alarm list', error)
      if (this.view.alarms === undefined && number >= this.appliedRead) this.update({ alarms: [] })
    }
  }

  private opened(): void {
    const opens = this.view.opens + 1
    this.update({ opens })
    const now = Date.now()
    void this.read(async () => ({ data: await fetchSiteAlarms(this.siteId), fetchedAt: now, offline: false }))
    if (opens > 1) this.series.reloadLoaded() // the chart has a gap where the stream was down
  }

  private remember(alarm: Alarm): void {
    const known = this.seen.get(alarm.id)
    this.seen.set(alarm.id, known ? (applyAlarm([known], alarm)[0] as Alarm) : alarm)
  }

  private received(event: SseEvent): void {
    if (event.type === 'reading') {
      const reading = JSON.parse(event.data) as ReadingEvent
      if (typeof reading.channel_id === 'number' && Number.isFinite(reading.value)) this.series.addReading(reading)
    } else if (event.type === 'alarm') {
      const data = JSON.parse(event.data) as AlarmEvent
      if (data.site_id !== this.siteId) return
      const alarm = alarmOf(data)
      this.remember(alarm)
      this.setAlarms(applyAlarm(this.view.alarms ?? [], alarm))
      if (shouldAlert(data, this.alerted)) this.alert(alarm)
      if (shouldNotify(data, this.notified)) this.notify(data)
    } else if (event.type === 'device') {
      const data = JSON.parse(event.data) as DeviceEvent
      if (data.site_id !== this.siteId || typeof data.device_id !== 'number') return
      this.setSwitch(data.device_id, switchOfEvent(data))
    } else if (event.type === 'hazard') {
      // A hazard of this site changed (someone else's move or comment): pull it to the device.
      void requestSync()
    }
  }
}
