// Wire shapes of a channel's readings: the live stream's `reading` event and the readings endpoint. Field names are
// the server's, unchanged.

/** Data of the live stream's `reading` event: the latest value of one channel in an ingested batch. */
export interface ReadingEvent {
  channel_id: number
  device_id: number
  channel: string
  ts: number
  value: number
}

/** GET /api/v1/channels/{id}/readings: parallel arrays sorted by ts (Unix seconds). */
export interface Readings {
  ts: number[]
  value: number[]
}
