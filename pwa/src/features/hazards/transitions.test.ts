// The hazard workflow's shared vectors (offline_sync/vectors/transitions.json): pytest runs them against the
// server's decide(), this file against the moves the page offers, so a phone never queues a move offline that the
// server's table would refuse for its role or state.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { HazardState } from './types'
import { allowedActions, needOf, type HazardAction, type Person } from './workflow'

interface MoveCase {
  why: string
  state: HazardState
  to: 'assigned' | 'rectified' | 'verified' | 'closed' | 'rejected'
  actor: { role: string; is_assignee: boolean; is_rectifier: boolean }
  expect: 'allowed' | 'illegal' | 'forbidden'
  needs: '' | 'assignee' | 'photos' | 'note'
}

const FILE = join(__dirname, '..', '..', '..', '..', 'offline_sync', 'vectors', 'transitions.json')
const CASES = (JSON.parse(readFileSync(FILE, 'utf-8')) as { moves: MoveCase[] }).moves
const ACTIONS: Record<MoveCase['to'], HazardAction> = {
  assigned: 'assign',
  rectified: 'rectify',
  verified: 'verify',
  closed: 'close',
  rejected: 'reject',
}

describe('hazard moves (offline_sync/vectors/transitions.json)', () => {
  it.each(CASES.map((c) => [c.why, c] as const))('%s', (_why, c) => {
    const me: Person = { id: 7, role: c.actor.role, display_name: '张三' }
    const hazard = {
      state: c.state,
      assignee_id: c.actor.is_assignee ? 7 : 8,
      rectified_by: c.actor.is_rectifier ? '张三' : '李四',
    }
    const action = ACTIONS[c.to]
    expect(allowedActions(hazard, me).includes(action)).toBe(c.expect === 'allowed')
    if (c.expect !== 'illegal') expect(needOf(c.state, action)).toBe(c.needs)
  })
})
