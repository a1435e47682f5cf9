// What the signed-in person may do with a hazard now: the table of server/hazards/workflow.py, mirrored so the
// page offers only the moves the server would take. Pure. The server stays the judge: a 403 or 409 it answers
// is shown as it is (a colleague may have moved the hazard a second ago).
//
//     open ──assign──▶ assigned ──rectify (with photos)──▶ rectified ──verify──▶ verified ──close──▶ closed
//                        ▲  └─reassign┘                        │
//                        └──────────────reject (with a note)───┘
import type { Hazard, HazardState, TransitionBody, TransitionTarget } from './types'

/** The buttons of the hazard page; "assign" is also the reassignment of an assigned hazard. */
export type HazardAction = 'assign' | 'rectify' | 'verify' | 'reject' | 'close'

/** Who dispatches work: the operator company, the grid inspector who found it, admins. */
export const ASSIGNERS: readonly string[] = ['admin', 'operator', 'inspector']
/** Who checks the work on site. */
export const VERIFIERS: readonly string[] = ['admin', 'operator', 'inspector']
/** Who closes a verified hazard; the regulator may close what it supervises. */
export const CLOSERS: readonly string[] = ['admin', 'operator', 'inspector', 'regulator']

/** What a move needs besides the click: someone to do it, photos of the work, or words on what is wrong. */
export type Need = 'assignee' | 'photos' | 'note' | ''

interface Move {
  action: HazardAction
  target: TransitionTarget
  /** Empty: decided by the person, not the role (rectify: the assignee, or the site's owner). */
  roles: readonly string[]
  needs: Need
}

/** server/hazards/workflow.py MOVES, keyed by the state the hazard is in. */
export const MOVES: Readonly<Record<HazardState, readonly Move[]>> = {
  open: [{ action: 'assign', target: 'assigned', roles: ASSIGNERS, needs: 'assignee' }],
  assigned: [
    { action: 'rectify', target: 'rectified', roles: [], needs: 'photos' },
    { action: 'assign', target: 'assigned', roles: ASSIGNERS, needs: 'assignee' },
  ],
  rectified: [
    { action: 'verify', target: 'verified', roles: VERIFIERS, needs: '' },
    { action: 'reject', target: 'rejected', roles: VERIFIERS, needs: 'note' },
  ],
  verified: [{ action: 'close', target: 'closed', roles: CLOSERS, needs: '' }],
  closed: [],
}

/** Moves that change the record for everyone: asked again before they are sent. */
export const CONFIRMED: ReadonlySet<HazardAction> = new Set<HazardAction>(['verify', 'reject', 'close'])

export interface Person {
  id: number
  role: string
  display_name: string
}

type Subject = Pick<Hazard, 'state' | 'assignee_id' | 'rectified_by'>

function mayMake(move: Move, hazard: Subject, me: Person): boolean {
  if (move.action === 'rectify') {
    // The server allows the assignee, or the owner of the site. An owner sees only their own sites, so an
    // owner who can open the hazard owns its site.
    return me.id === hazard.assignee_id || me.role === 'owner'
  }
  if (!move.roles.includes(me.role)) return false
  if (move.action === 'verify' || move.action === 'reject') {
    // Nobody checks their own work. The answer names the rectifier, not their id: a colleague with the same
    // display name is not offered the buttons either, and can ask someone else.
    return hazard.rectified_by === null || hazard.rectified_by !== me.display_name
  }
  return true
}

/** The moves this person may make on the hazard now, in the order the page shows them. */
export function allowedActions(hazard: Subject, me: Person | undefined): HazardAction[] {
  if (!me) return []
  const state = hazard.state as HazardState
  return (MOVES[state] ?? []).filter((m) => mayMake(m, hazard, me)).map((m) => m.action)
}

function moveOf(state: HazardState, action: HazardAction): Move | undefined {
  return MOVES[state]?.find((m) => m.action === action)
}

export function needOf(state: HazardState, action: HazardAction): Need {
  return moveOf(state, action)?.needs ?? ''
}

export function targetOf(action: HazardAction): TransitionTarget {
  const targets: Record<HazardAction, TransitionTarget> = {
    assign: 'assigned',
    rectify: 'rectified',
    verify: 'verified',
    reject: 'rejected',
    close: 'closed',
  }
  return targets[action]
}

/** May this person dispatch hazards (the assignee picker, the assignees endpoint)? */
export function mayAssign(role: string | undefined): boolean {
  return role !== undefined && ASSIGNERS.includes(role)
}

export interface ActionInput {
  assigneeId?: number | null
  /** Unix seconds; none keeps the server's choice. */
  due?: number | null
  note?: string
  /** Hashes of the uploaded photos. */
  attachments?: readonly string[]
}

/** What is missing before the move can be sent; the server checks the same (400 with the field). */
export type Missing = 'assignee_id' | 'attachments' | 'note'

export function missingFor(state: HazardState, action: HazardAction, input: ActionInput): Missing | null {
  const need = needOf(state, action)
  if (need === 'assignee' && !input.assigneeId) return 'assignee_id'
  if (need === 'photos' && !input.attachments?.length) return 'attachments'
  if (need === 'note' && !input.note?.trim()) return 'note'
  return null
}

/** The body of POST /hazards/{id}/transition: only what the move takes, empty parts left out. */
export function transitionBody(action: HazardAction, input: ActionInput): TransitionBody {
  const body: TransitionBody = { to: targetOf(action) }
  if (action === 'assign' && input.assigneeId) body.assignee_id = input.assigneeId
  if (action === 'assign' && input.due) body.due = input.due
  const note = input.note?.trim()
  if (note) body.note = note
  if (input.attachments?.length) body.attachments = [...new Set(input.attachments)]
  return body
}

/** Who may change a hazard's title, description and severity (docs/sync.md, `hazard` `update`). */
export const EDITORS: readonly string[] = ['admin', 'operator', 'inspector']

/**
 * May this person edit the hazard's words: an editor's role or the person who reported it (known here by name,
 * as the answer gives it), and not once it is closed. The server is the judge.
 */
export function mayEdit(hazard: Pick<Hazard, 'state' | 'created_by'>, me: Person | undefined): boolean {
  if (!me || hazard.state === 'closed') return false
  return EDITORS.includes(me.role) || (hazard.created_by !== null && hazard.created_by === me.display_name)
}

export interface EditInput {
  title: string
  description: string
}

/** The fields that changed, trimmed; empty when nothing did. Per field the newest write wins, so only these go. */
export function editChanges(hazard: Pick<Hazard, 'title' | 'description'>, input: EditInput): Partial<EditInput> {
  const changes: Partial<EditInput> = {}
  const title = input.title.trim()
  const description = input.description.trim()
  if (title !== hazard.title) changes.title = title
  if (description !== hazard.description) changes.description = description
  return changes
}
