// Wire shapes of the hazard endpoints (server/hazards/schemas.py). Field names are the server's, unchanged;
// times are Unix seconds.

/** 一般隐患 / 重大隐患. */
export type Severity = 'general' | 'major'

/** Where the hazard came from: an inspection walk-through, an alarm that was not cleared, commissioning. */
export type HazardSource = 'inspection' | 'alarm' | 'commissioning'

export type HazardState = 'open' | 'assigned' | 'rectified' | 'verified' | 'closed'

/** The moves of POST /hazards/{id}/transition; "rejected" sends a rectified hazard back to "assigned". */
export type TransitionTarget = 'assigned' | 'rectified' | 'verified' | 'closed' | 'rejected'

export type HazardEventKind =
  | 'created'
  | 'assigned'
  | 'rectified'
  | 'verified'
  | 'rejected'
  | 'closed'
  | 'comment'
  | 'overdue'
  | 'alarm_again'

export interface Hazard {
  id: number
  site_id: number
  site_name: string
  title: string
  description: string
  severity: Severity
  source: HazardSource
  alarm_id: number | null
  commissioning_id: number | null
  state: HazardState
  /** Open or assigned, and past `due_at` (the server's clock). */
  overdue: boolean
  assignee_id: number | null
  /** The assignee's display name. */
  assignee: string | null
  due_at: number
  /** Display name; null when the system made it from an alarm. */
  created_by: string | null
  created_at: number
  updated_at: number
  rectified_by: string | null
  rectified_at: number | null
  verified_by: string | null
  verified_at: number | null
  closed_at: number | null
}

export interface HazardEvent {
  id: number
  ts: number
  /** Unknown kinds from a newer server are shown by their code. */
  kind: HazardEventKind | string
  /** The hazard's state after the event. */
  state: HazardState | string
  note: string
  /** Display name; null for the system (an alarm that became a hazard, an overdue notice). */
  actor: string | null
  actor_role: string | null
  /** sha256 of each photo (GET /api/v1/attachments/{sha256}). */
  attachments: string[]
  /**
   * Per kind: `assigned` {assignee_id, assignee, due_at}; `alarm_again` {alarm_id, cause, level, started_at,
   * peak, unit} (the same device raised the same cause again while the hazard was open, so the alarm joined
   * it). Missing on older servers and records synced before.
   */
  detail?: Record<string, unknown>
}

export interface HazardDetail extends Hazard {
  /** Oldest first. */
  events: HazardEvent[]
}

export interface HazardCreate {
  site_id: number
  /** 1..100 characters. */
  title: string
  description?: string
  severity: Severity
  source?: HazardSource
  alarm_id?: number
  /** Only admin, operator and inspector may assign at once. */
  assignee_id?: number
  /** Unix seconds; the server's default is 3 days (major) or 7 days (general) from now. */
  due?: number
  attachments?: string[]
}

export interface TransitionBody {
  to: TransitionTarget
  assignee_id?: number
  due?: number
  note?: string
  attachments?: string[]
}

export interface CommentBody {
  text: string
  attachments?: string[]
}

/** Who may take a site's hazard (GET /sites/{id}/hazard-rules/assignees). */
export interface Assignee {
  id: number
  display_name: string
  role: string
  /** 0 the site's owner, 1 its operator company, 2 an inspector of its grid. */
  tier: number
}

export interface HazardQuery {
  site_id?: number
  states?: readonly HazardState[]
  overdue?: boolean
  mine?: boolean
  limit?: number
}
