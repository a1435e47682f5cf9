import { describe, expect, it } from 'vitest'
import { hazard } from '../../test/hazards'
import type { HazardState } from './types'
import { allowedActions, mayAssign, missingFor, transitionBody, type HazardAction, type Person } from './workflow'

const STATES: HazardState[] = ['open', 'assigned', 'rectified', 'verified', 'closed']

// The people of the market stall's hazard; the installer is assigned and rectified it.
const PEOPLE: Record<string, Person> = {
  admin: { id: 1, role: 'admin', display_name: '平台管理员' },
  operator: { id: 2, role: 'operator', display_name: '值班员' },
  installer: { id: 3, role: 'installer', display_name: '刘工' },
  owner: { id: 4, role: 'owner', display_name: '王老板' },
  inspector: { id: 6, role: 'inspector', display_name: '李娟' },
  fire: { id: 7, role: 'regulator', display_name: '消防支队' },
}

/** The workflow written out by hand, as tests/test_hazard_workflow.py does for the server. */
function expected(state: HazardState, who: string): HazardAction[] {
  const dispatches = ['admin', 'operator', 'inspector'].includes(who)
  switch (state) {
    case 'open':
      return dispatches ? ['assign'] : []
    case 'assigned':
      return [...(who === 'installer' || who === 'owner' ? ['rectify' as const] : []), ...(dispatches ? ['assign' as const] : [])]
    case 'rectified':
      return dispatches ? ['verify', 'reject'] : []
    case 'verified':
      return dispatches || who === 'fire' ? ['close'] : []
    case 'closed':
      return []
  }
}

describe('allowedActions', () => {
  const cases = STATES.flatMap((state) => Object.keys(PEOPLE).map((who) => [state, who] as const))
  it.each(cases)('%s hazard, %s', (state, who) => {
    const subject = hazard(1, {
      state,
      assignee_id: PEOPLE.installer?.id ?? 0,
      rectified_by: state === 'rectified' || state === 'verified' || state === 'closed' ? '刘工' : null,
    })
    expect(allowedActions(subject, PEOPLE[who])).toEqual(expected(state, who))
  })

  it('never offers checking your own work', () => {
    // The operator fixed it herself: another inspector or operator checks it.
    const subject = hazard(1, { state: 'rectified', assignee_id: 2, rectified_by: '值班员' })
    expect(allowedActions(subject, PEOPLE.operator)).toEqual([])
    expect(allowedActions(subject, PEOPLE.inspector)).toEqual(['verify', 'reject'])
  })

  it('offers the assignee the rectification whatever their role', () => {
    const subject = hazard(1, { state: 'assigned', assignee_id: 6 })
    expect(allowedActions(subject, PEOPLE.inspector)).toEqual(['rectify', 'assign'])
  })

  it('offers nothing to nobody, and nothing in a state from a newer server', () => {
    expect(allowedActions(hazard(1), undefined)).toEqual([])
    expect(allowedActions(hazard(1, { state: 'archived' as HazardState }), PEOPLE.admin)).toEqual([])
  })
})

describe('mayAssign', () => {
  it.each([
    ['admin', true],
    ['operator', true],
    ['inspector', true],
    ['owner', false],
    ['installer', false],
    ['regulator', false],
    [undefined, false],
  ] as const)('%s → %s', (role, may) => {
    expect(mayAssign(role)).toBe(may)
  })
})

describe('missingFor', () => {
  it.each([
    ['open', 'assign', {}, 'assignee_id'],
    ['open', 'assign', { assigneeId: 4 }, null],
    ['assigned', 'rectify', { note: '换了插座' }, 'attachments'],
    ['assigned', 'rectify', { attachments: ['a'.repeat(64)] }, null],
    ['rectified', 'reject', { note: '  ' }, 'note'],
    ['rectified', 'reject', { note: '面板仍松动' }, null],
    ['rectified', 'verify', {}, null],
    ['verified', 'close', {}, null],
  ] as const)('%s → %s with %j needs %s', (state, action, input, missing) => {
    expect(missingFor(state, action, input)).toBe(missing)
  })
})

describe('transitionBody', () => {
  const sha = 'b'.repeat(64)
  it.each([
    ['assign', { assigneeId: 4, due: 1_764_000_000, note: '' }, { to: 'assigned', assignee_id: 4, due: 1_764_000_000 }],
    ['assign', { assigneeId: 4, due: null }, { to: 'assigned', assignee_id: 4 }],
    ['rectify', { note: ' 换了插座 ', attachments: [sha, sha] }, { to: 'rectified', note: '换了插座', attachments: [sha] }],
    ['verify', { assigneeId: 4, note: '' }, { to: 'verified' }],
    ['reject', { note: '面板仍松动' }, { to: 'rejected', note: '面板仍松动' }],
    ['close', {}, { to: 'closed' }],
  ] as const)('%s %j', (action, input, body) => {
    expect(transitionBody(action, input)).toEqual(body)
  })
})
