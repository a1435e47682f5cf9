// A hazard's timeline as a thread: each event in words with who did it and in what role. Pure.
import { formatDate, formatDateTime, label, t, type Lang, type MessageKey } from '../../platform/i18n'
import { alarmPath } from '../../shell/router'
import type { HazardDetail, HazardEvent } from './types'

/** How an event is drawn: good news, a setback, work handed in for checking, or a message. */
export type Tone = 'info' | 'good' | 'bad' | 'review' | 'comment'

export interface EventView {
  id: number
  kind: string
  /** The hazard's state after the event. */
  state: string
  /** ms since the epoch. */
  at: number
  /** What happened: "指派给 王老板，2025年11月26日前整改". */
  title: string
  /** The words that came with it: the description, the rectification note, why it was rejected, a message. */
  note: string
  /** Who: their name, or "系统" for what the server did by itself. */
  actor: string
  /** Their role in words (业主, 运营单位, 网格员, 监管部门…); null for the system. */
  role: string | null
  attachments: string[]
  tone: Tone
  /** The alarm the event is about (`alarm_again`), to link to; null for the others. */
  alarmPath: string | null
}

const TITLE: Record<string, MessageKey> = {
  created: 'event.created',
  assigned: 'event.assigned',
  rectified: 'event.rectified',
  verified: 'event.verified',
  rejected: 'event.rejected',
  closed: 'event.closed',
  overdue: 'event.overdue',
  comment: 'event.comment',
}

const TONE: Record<string, Tone> = {
  rectified: 'review',
  verified: 'good',
  closed: 'good',
  rejected: 'bad',
  overdue: 'bad',
  comment: 'comment',
  alarm_again: 'bad',
}

type Subject = Pick<HazardDetail, 'assignee' | 'due_at' | 'events'>

/**
 * The events only say that a hazard was assigned; whom to and by when is on the hazard itself, and that is
 * what the latest assignment set. Earlier assignments are shown without the name.
 */
function latestAssignment(events: readonly HazardEvent[]): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]?.kind === 'assigned') return events[i]?.id
  return undefined
}

function alarmIdOf(event: HazardEvent): number | null {
  const id = event.detail?.alarm_id
  return event.kind === 'alarm_again' && typeof id === 'number' ? id : null
}

/** "再次报警：漏电流（2025年11月23日 09:37）"; the cause by its code when the app does not know it. */
function alarmAgainTitle(event: HazardEvent, lang?: Lang): string {
  const cause = event.detail?.cause
  const started = event.detail?.started_at
  return t(
    'event.alarm_again',
    {
      cause: typeof cause === 'string' && cause ? label('cause', cause, lang) : '—',
      time: formatDateTime((typeof started === 'number' ? started : event.ts) * 1000, lang),
    },
    lang,
  )
}

function titleOf(event: HazardEvent, hazard: Subject, latest: number | undefined, lang?: Lang): string {
  if (event.kind === 'created' && event.actor === null) return t('event.created_system', undefined, lang)
  if (event.kind === 'alarm_again') return alarmAgainTitle(event, lang)
  if (event.kind === 'assigned' && event.id === latest && hazard.assignee) {
    return t('event.assigned_to', { name: hazard.assignee, date: formatDate(hazard.due_at * 1000, lang) }, lang)
  }
  const key = TITLE[event.kind]
  return key ? t(key, undefined, lang) : event.kind
}

function viewOf(event: HazardEvent, hazard: Subject, latest: number | undefined, lang?: Lang): EventView {
  const alarmId = alarmIdOf(event)
  return {
    id: event.id,
    kind: event.kind,
    state: event.state,
    at: event.ts * 1000,
    title: titleOf(event, hazard, latest, lang),
    note: event.note,
    actor: event.actor ?? t('event.system', undefined, lang),
    role: event.actor === null || !event.actor_role ? null : label('role', event.actor_role, lang),
    attachments: event.attachments,
    tone: TONE[event.kind] ?? 'info',
    alarmPath: alarmId === null ? null : alarmPath(alarmId),
  }
}

/** The thread, oldest first, as the server lists it. */
export function timeline(hazard: Subject, lang?: Lang): EventView[] {
  const latest = latestAssignment(hazard.events)
  return hazard.events.map((e) => viewOf(e, hazard, latest, lang))
}
