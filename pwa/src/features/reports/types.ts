// Wire shape of the health-check report (server/reports/schemas.py), GET /api/v1/sites/{id}/report?format=json.
// Names (causes, factors) and recommendations come in the language asked for with `lang=`. Times are Unix seconds.

export type Grade = 'A' | 'B' | 'C' | 'D'

export interface ReportSite {
  id: number
  name: string
  address: string
  venue_type: string
  venue_type_name: string
  region_name: string
}

/** Alarms that started in the period, by cause and level. */
export interface AlarmCount {
  cause: string
  /** The cause in words. */
  name: string
  alarm: number
  prealarm: number
  fault: number
  offline: number
}

/** A channel's daily maximum over the period (residual current and temperature channels). */
export interface Trend {
  channel_id: number
  /** The channel key, e.g. residual_ma, temp_c_2. */
  key: string
  /** The channel in words, in the language asked for: 剩余电流, 温度 2. */
  name: string
  /** Device and circuit in words. */
  place: string
  unit: string
  /** Local midnight of each day. */
  day: number[]
  value: number[]
}

export interface ReportHazard {
  id: number
  title: string
  severity: string
  state: string
  created_at: number
  rectified_at: number | null
  closed_at: number | null
  days_to_rectify: number | null
}

export interface HazardSummary {
  /** Found in the period. */
  found: number
  /** Rectified in the period. */
  rectified: number
  mean_days_to_rectify: number | null
  /** Not closed, now. */
  open: number
  overdue: number
  items: ReportHazard[]
}

/** One line of the score: the measured value, the points it took off, and the most it may take. */
export interface Factor {
  /** alarms, prealarms, online, open_hazards, overdue, capabilities, rectification */
  key: string
  name: string
  /** null: nothing to measure (no device; nothing rectified), shown as "—". */
  value: number | null
  points: number
  cap: number
}

export interface Report {
  site: ReportSite
  /** YYYY-MM */
  period: string
  start: number
  /** The end of the month, or now for the month under way. */
  end: number
  generated_at: number
  lang: string
  devices: number
  /** 0..1: the share of device-time not covered by an offline alarm. */
  online_rate: number
  alarms_total: number
  alarms_by_cause: AlarmCount[]
  /** Alarm-level alarms by local hour of day, 24 numbers. */
  alarms_by_hour: number[]
  trends: Trend[]
  hazards: HazardSummary
  /** 0..100 */
  score: number
  grade: Grade | string
  factors: Factor[]
  recommendations: string[]
  /** Required capabilities of the venue type that no commissioned device gives, in words. */
  missing_capabilities: string[]
  /** Why the grade is capped ("缺少 故障电弧探测，等级最高为 B"), or null. */
  grade_note: string | null
}
