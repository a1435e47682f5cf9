// Following a bus scan on the site box: the screen's phase from the answers of POST /sites/{id}/bus-scans and
// GET /bus-scans/{id}, the installer's cancel, and polls that get no answer. Pure: a reducer and what it shows.
//
// Invariant: the server's scan state decides the end (done, cancelled, failed); the screen only remembers that
// the installer asked to cancel, so the button does not offer it twice while the box stops the scan.
import type { BusScan } from './types'

export type ScanPhase =
  | 'idle'
  /** POST sent, no answer yet. */
  | 'starting'
  | 'running'
  /** DELETE sent (or about to be); polling until the server says cancelled. */
  | 'cancelling'
  | 'done'
  | 'cancelled'
  | 'failed'
  /** Polls stopped getting answers: the scan may go on at the box; the installer may look again. */
  | 'lost'

export interface ScanModel {
  phase: ScanPhase
  scan: BusScan | null
  /** Polls in a row without an answer. */
  misses: number
}

export type ScanEvent =
  | { type: 'start' }
  /** The start was refused or got no answer: back to the form. */
  | { type: 'refused' }
  /** An answer about the scan (the POST's, a poll's). */
  | { type: 'answer'; scan: BusScan }
  | { type: 'cancel' }
  /** The DELETE was refused or got no answer: the scan goes on. */
  | { type: 'cancel_failed' }
  /** A poll without an answer; `final` when asking again cannot help (the box forgot the scan). */
  | { type: 'miss'; final?: boolean }
  | { type: 'resume' }

/**
 * ~0.5 s: a silent unit costs the box ~0.3 s (ble/bus.py SCAN_TIMEOUT_S), so the bar moves every poll or two
 * without the polls crowding the bus's turns.
 */
export const POLL_MS = 500

/** Polls without an answer before the screen stops asking (each waits up to the request timeout). */
export const MAX_MISSES = 3

export const IDLE: ScanModel = { phase: 'idle', scan: null, misses: 0 }

const FINISHED = { done: 'done', cancelled: 'cancelled', failed: 'failed' } as const

export function scanReducer(model: ScanModel, event: ScanEvent): ScanModel {
  switch (event.type) {
    case 'start':
      return { phase: 'starting', scan: null, misses: 0 }
    case 'refused':
      return model.phase === 'starting' ? IDLE : model
    case 'answer': {
      // An answer about a scan the screen no longer follows (a new one started meanwhile) is dropped.
      if (model.scan && model.scan.id !== event.scan.id) return model
      if (model.phase === 'idle') return model
      const scan = event.scan
      if (scan.state !== 'running') return { phase: FINISHED[scan.state], scan, misses: 0 }
      return { phase: model.phase === 'cancelling' ? 'cancelling' : 'running', scan, misses: 0 }
    }
    case 'cancel':
      return model.phase === 'running' || model.phase === 'lost' ? { ...model, phase: 'cancelling' } : model
    case 'cancel_failed':
      return model.phase === 'cancelling' ? { ...model, phase: 'running' } : model
    case 'miss': {
      if (!isPolling(model)) return model
      const misses = model.misses + 1
      return event.final || misses >= MAX_MISSES ? { ...model, phase: 'lost', misses } : { ...model, misses }
    }
    case 'resume':
      return model.phase === 'lost' ? { ...model, phase: 'running', misses: 0 } : model
  }
}

/** Whether the screen asks the box again in POLL_MS. */
export function isPolling(model: ScanModel): boolean {
  return (model.phase === 'running' || model.phase === 'cancelling') && model.scan !== null
}

/**
 * Whether the installer may change the bus and start a scan: not while one is followed. After polls went
 * unanswered too (`lost`): a scan still running there is refused with its id (409), and the screen follows it.
 */
export function mayStart(model: ScanModel): boolean {
  return !isPolling(model) && model.phase !== 'starting'
}

export interface Progress {
  done: number
  total: number
  found: number
  /** 0..1 for the bar. */
  ratio: number
}

export function progressOf(scan: BusScan): Progress {
  const total = Math.max(0, scan.total)
  const done = Math.min(Math.max(0, scan.done), total)
  return { done, total, found: scan.found.length, ratio: total === 0 ? 1 : done / total }
}
