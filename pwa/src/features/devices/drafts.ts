// The acceptance checklist of a commissioning, kept on the device as it is typed (platform/db.ts drafts), with the
// commissioning as last read, so a reload in a plant room with no signal opens the page with every answer still
// there. Acceptance itself is a step run against the site box (POST /commissioning/{id}/steps/accept), not a
// sync entity: pressed with no network it is marked to go, and goes by itself when the network is back
// (submitWaitingAccepts, called by the sync triggers).
import { deleteDraft, loadDraft, loadDrafts, saveDraft } from '../../platform/db'
import { ApiError, NetworkError } from '../../platform/http'
import { getSession } from '../../platform/session'
import { getCommissioning, runStep } from './api'
import { acceptBody, type Answers } from './commission'
import { uploadEvidence } from './evidence'
import { refusalText } from './refusal'
import { type CommissionDraft } from './types'
import type { Commissioning } from './types'

export function draftKey(id: number): string {
  return `commission/${id}`
}

export async function loadCommissionDraft(id: number): Promise<CommissionDraft | undefined> {
  const draft = await loadDraft(draftKey(id)).catch(() => undefined)
  return draft && draft.user_id === getSession()?.user.id ? draft.value : undefined
}

/** Keep (or update) the draft: what is given replaces what was kept. */
export async function keepCommissionDraft(commissioning: Commissioning, change: Partial<Omit<CommissionDraft, 'commissioning'>>): Promise<void> {
  const user = getSession()?.user.id
  if (user === undefined) return
  const old = await loadCommissionDraft(commissioning.id)
  const value: CommissionDraft = {
    answers: {},
    signature: '',
    submit: false,
    error: null,
    ...old,
    ...change,
    commissioning,
  }
  await saveDraft({ key: draftKey(commissioning.id), user_id: user, saved_at: Date.now(), value })
}

export async function dropCommissionDraft(id: number): Promise<void> {
  await deleteDraft(draftKey(id)).catch(() => undefined)
}

/** Work in a draft that is not on the server: answers typed, or an acceptance waiting to go. */
export function hasWork(draft: CommissionDraft): boolean {
  return draft.submit || Object.keys(draft.answers).length > 0
}

export interface ReadCommissioning {
  commissioning: Commissioning
  /** From the device: the server (or the site box) could not be reached. */
  offline: boolean
  /** When the copy shown was kept (ms). */
  savedAt: number
}

/** The commissioning from the server, kept for offline use; with no network, the copy kept with its draft. */
export async function readCommissioning(id: number): Promise<ReadCommissioning> {
  try {
    const commissioning = await getCommissioning(id)
    await keepCommissionDraft(commissioning, {}).catch(() => undefined)
    return { commissioning, offline: false, savedAt: Date.now() }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
    const draft = await loadDraft(draftKey(id)).catch(() => undefined)
    if (!draft || draft.user_id !== getSession()?.user.id) throw error
    return { commissioning: draft.value.commissioning, offline: true, savedAt: draft.saved_at }
  }
}

let sending = false

/** Send the acceptances pressed with no network. A refusal is kept in the draft for the page to show. */
export async function submitWaitingAccepts(): Promise<void> {
  const user = getSession()?.user.id
  if (sending || user === undefined) return
  sending = true
  try {
    const drafts = (await loadDrafts()).filter((d) => d.user_id === user && d.key.startsWith('commission/') && d.value.submit)
    for (const { value } of drafts) {
      const body = acceptBody(value.commissioning.checklist, value.answers as Answers, value.signature, value.drawn)
      if (!body) continue
      try {
        await uploadEvidence(body) // photos and the drawing kept on the device go first
        await runStep(value.commissioning.id, 'accept', body)
        await dropCommissionDraft(value.commissioning.id)
      } catch (error) {
        if (error instanceof NetworkError) return // still no network: later
        const words = error instanceof ApiError ? refusalText(error, value.commissioning.checklist) : String(error)
        await keepCommissionDraft(value.commissioning, { submit: false, error: words })
      }
    }
  } finally {
    sending = false
  }
}
