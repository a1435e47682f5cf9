// Wire shapes of the checklist and inspection endpoints (server/inspections/schemas.py). Field names are the
// server's, unchanged; times are Unix seconds.

/** 合格 / 不合格 / 不适用. */
export type CheckAnswer = 'pass' | 'fail' | 'na'

export type InspectionState = 'in_progress' | 'completed'

/** Words in both languages, as the checklist files give them. */
export interface Bilingual {
  'zh-CN': string
  en: string
}

/** One item of a checklist (a template's, or the snapshot an inspection keeps). */
export interface ChecklistItem {
  key: string
  text: Bilingual
  /** The group it is shown in, in Chinese as the checklist file names it ("配电箱（柜）"); may be empty. */
  section: string
  /** A failed major item makes a major hazard (重大隐患). */
  major: boolean
  /** The answer should carry a photo. */
  photo: boolean
  /** What was found when it fails ("配电箱前堆放杂物"): the title of the hazard a failed item becomes. */
  finding?: Partial<Bilingual>
}

/** GET /api/v1/checklists. */
export interface ChecklistTemplate {
  id: string
  version: number
  kind: 'acceptance' | 'inspection' | 'remediation'
  /** "*" for every venue type. */
  venue_types: string[]
  title: Bilingual
  items: ChecklistItem[]
}

/** One visit, as the list shows it (GET /api/v1/inspections). */
export interface Inspection {
  id: number
  site_id: number
  site_name: string
  template_id: string
  template_version: number
  title: Bilingual
  state: InspectionState
  /** The display name of whoever started it. */
  inspector: string
  started_at: number
  completed_at: number | null
  /** The name written in the 签名 field. */
  signed_by: string | null
  answered: number
  total: number
  failed: number
}

export interface SavedAnswer {
  key: string
  answer: CheckAnswer
  note: string
  /** sha256 of each photo (GET /api/v1/attachments/{sha256}). */
  attachments: string[]
  answered_at: number
  /** Display name. */
  answered_by: string | null
}

/** GET /api/v1/inspections/{id}: the checklist as it was when the visit started, the answers, the hazards made. */
export interface InspectionDetail extends Inspection {
  summary: string
  items: ChecklistItem[]
  answers: SavedAnswer[]
  /** The hazards the signed inspection made, one per failed item. */
  hazard_ids: number[]
  /** Who signed the rectification notice (整改通知书) for the unit, and when (Unix seconds). */
  unit_signed_by?: string | null
  unit_signed_at?: number | null
  /** sha256 of the signature the unit's representative drew (GET /api/v1/attachments/{sha256}). */
  unit_signature?: string | null
  /** Pulled by sync only: the checklist copy the items came from (inspections/checklist-ref.ts)… */
  checklist?: string
  /** …and true when the device does not have that copy yet (no items then). */
  checklist_missing?: boolean
}

/** One answer sent in POST /inspections/{id}/answers; answering an item again replaces its answer. */
export interface AnswerIn {
  key: string
  answer: CheckAnswer
  /** At most 2000 characters. */
  note?: string
  /** At most 20; each uploaded first (PUT /api/v1/attachments/{sha256}). */
  attachments?: string[]
}

export interface AnswerResult {
  /** The answer's place in the batch sent. */
  index: number
  key: string
  status: 'saved' | 'rejected'
  error?: string | null
}

export interface AnswersOut {
  results: AnswerResult[]
  inspection: InspectionDetail
}

export interface CompleteBody {
  /** 1..60 characters. */
  signed_by: string
  summary?: string
}
