import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import type { DutyCheck } from './types'
import { answerErrorText, countdown, dutyState, offsetText, secondsLeft, sortDutyChecks } from './uplink'

function check(id: number, overrides: Partial<DutyCheck> = {}): DutyCheck {
  return { id, received_at: 1000, timeout_min: 10, deadline: 1600, answered_at: null, answered_by: null, state: 'pending', ...overrides }
}

describe('a duty check over time', () => {
  it('counts down to the deadline and then is expired', () => {
    const c = check(1)
    expect(dutyState(c, 1000)).toBe('pending')
    expect(secondsLeft(c, 1000)).toBe(600)
    expect(secondsLeft(c, 1599.2)).toBe(1)
    expect(dutyState(c, 1599.9)).toBe('pending')
    expect(dutyState(c, 1600)).toBe('expired')
    expect(secondsLeft(c, 1700)).toBe(0)
  })

  it('keeps the server’s answered and expired', () => {
    expect(dutyState(check(1, { state: 'answered', answered_at: 1200 }), 2000)).toBe('answered')
    expect(dutyState(check(1, { state: 'expired' }), 1100)).toBe('expired')
  })

  it.each([[605, '10:05'], [59, '0:59'], [0, '0:00'], [-3, '0:00'], [3700, '1:01:40'], [59.9, '0:59']])('countdown %d → %s', (s, text) => {
    expect(countdown(s)).toBe(text)
  })

  it('shows pending ones first, soonest deadline first, then the rest newest first', () => {
    const checks = [
      check(1, { state: 'answered', received_at: 500 }),
      check(2, { deadline: 1900 }),
      check(3, { state: 'expired', received_at: 900 }),
      check(4, { deadline: 1700 }),
      check(5, { deadline: 1100 }), // past its deadline at 1200: expired here
    ]
    expect(sortDutyChecks(checks, 1200).map((c) => c.id)).toEqual([4, 2, 5, 3, 1])
  })
})

describe('words', () => {
  it('says how far the platform clock is off', () => {
    expect(offsetText(3.2, 'zh-CN')).toBe('比本系统快 3.2 秒')
    expect(offsetText(-2, 'zh-CN')).toBe('比本系统慢 2 秒')
    expect(offsetText(0.3, 'zh-CN')).toBe('与本系统一致')
    expect(offsetText(-12, 'en')).toBe('12 s behind ours')
  })

  it('says why an answer was refused', () => {
    const d = (e: unknown) => String(e)
    expect(answerErrorText(new ApiError(409, 'duty check 4 expired'), d, 'zh-CN')).toBe('查岗已结束：duty check 4 expired')
    expect(answerErrorText(new ApiError(503, 'uplink not connected'), d, 'zh-CN')).toBe('未连接平台，无法应答')
    expect(answerErrorText(new ApiError(403, 'no'), (e) => (e as ApiError).detail)).toBe('no')
  })
})
