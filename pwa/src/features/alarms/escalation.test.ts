import { describe, expect, it } from 'vitest'
import { alarm } from '../../test/fixtures'
import type { NotifyPolicy } from '../notify/types'
import { escalationFlag, escalationText, nextEscalationText, tierOf } from './escalation'

const policy: NotifyPolicy = { site_id: 12, escalate_after_s: [600, 1800] }

describe('the escalation ladder in words', () => {
  it.each([
    [0, '已通知业主', null],
    [1, '已通知运营单位：报警后无人及时确认', '已通知运营单位'],
    [2, '已通知网格员：通知运营单位后仍无人确认', '已通知网格员'],
  ] as const)('tier %s', (tier, text, flag) => {
    const a = alarm(1, { escalated_tier: tier })
    expect(tierOf(a)).toBe(tier)
    expect(escalationText(a, 'zh-CN')).toBe(text)
    expect(escalationFlag(a, 'zh-CN')).toBe(flag)
  })

  it('an alarm from a server without the field counts as tier 0', () => {
    expect(tierOf(alarm(1))).toBe(0)
    expect(escalationFlag(alarm(1), 'en')).toBeNull()
    expect(escalationText(alarm(1), 'en')).toBe('The owner has been told')
  })
})

describe('nextEscalationText', () => {
  it('says who is told next and after how long', () => {
    expect(nextEscalationText(alarm(1), policy, 'zh-CN')).toBe(
      '报警发生后 10 分钟内无人确认，将通知运营单位；30 分钟内仍无人确认，将通知网格员。',
    )
    expect(nextEscalationText(alarm(1, { escalated_tier: 1 }), { site_id: 12, escalate_after_s: [600, 3600] }, 'en')).toBe(
      'If still nobody acknowledges within 1 hour of the alarm, the grid inspector is told.',
    )
  })

  it('says nothing once acknowledged, cleared, at the top of the ladder, or without the policy', () => {
    expect(nextEscalationText(alarm(1, { acknowledged_at: 1_763_857_000 }), policy)).toBeNull()
    expect(nextEscalationText(alarm(1, { cleared_at: 1_763_860_000 }), policy)).toBeNull()
    expect(nextEscalationText(alarm(1, { escalated_tier: 2 }), policy)).toBeNull()
    expect(nextEscalationText(alarm(1), undefined)).toBeNull()
  })
})
