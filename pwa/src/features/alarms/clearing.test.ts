import { describe, expect, it } from 'vitest'
import { alarm } from '../../test/fixtures'
import { endedLabel, endedText, isTripped, needsAdvice, trippedWho } from './clearing'

// Local time, so the words read the same in any time zone.
const CLEARED = new Date(2025, 10, 23, 9, 37).getTime() / 1000
const text = (value: string | null) => value?.replace(/\u202f/g, ' ')

describe('how a cleared alarm ended', () => {
  const recovered = alarm(1, { cleared_at: CLEARED })
  const remote = alarm(2, { cleared_at: CLEARED, cleared_reason: 'trip', tripped_by: '值班员 王' })
  const byItself = alarm(3, { cleared_at: CLEARED, cleared_reason: 'trip', tripped_by: null })

  it.each([
    ['recovered', recovered, '已于 2025年11月23日 09:37 恢复', 'Cleared Nov 23, 2025, 9:37 AM'],
    [
      'tripped remotely by someone',
      remote,
      '已跳闸断电 · 值班员 王 远程分闸 · 2025年11月23日 09:37',
      'Power cut by a trip · tripped remotely by 值班员 王 · Nov 23, 2025, 9:37 AM',
    ],
    [
      'tripped by the breaker itself',
      byItself,
      '已跳闸断电 · 断路器自动跳闸 · 2025年11月23日 09:37',
      'Power cut by a trip · the breaker tripped by itself · Nov 23, 2025, 9:37 AM',
    ],
  ])('%s', (_name, a, zh, en) => {
    expect(text(endedText(a, 'zh-CN'))).toBe(zh)
    expect(text(endedText(a, 'en'))).toBe(en)
  })

  it('says who tripped it, or that nobody did it remotely', () => {
    expect(trippedWho({ tripped_by: 'Wang' }, 'en')).toBe('tripped remotely by Wang')
    expect(trippedWho({ tripped_by: '王' }, 'zh-CN')).toBe('王 远程分闸')
    expect(trippedWho({ tripped_by: null }, 'zh-CN')).toBe('断路器自动跳闸')
    expect(trippedWho({ tripped_by: '  ' }, 'en')).toBe('the breaker tripped by itself')
    expect(trippedWho({}, 'en')).toBe('the breaker tripped by itself') // an older server
  })

  it('has nothing to say while the alarm is active', () => {
    expect(endedText(alarm(4), 'zh-CN')).toBeNull()
    // An active alarm is not tripped even if a field says so: only a cleared one ended.
    expect(isTripped(alarm(4, { cleared_reason: 'trip' }))).toBe(false)
  })

  it('treats a missing or unknown reason as recovered (older servers, saved copies)', () => {
    expect(isTripped(recovered)).toBe(false)
    expect(isTripped(alarm(5, { cleared_at: CLEARED, cleared_reason: null }))).toBe(false)
    expect(isTripped(remote)).toBe(true)
  })

  it('names the end time after how it ended', () => {
    expect(endedLabel(recovered)).toBe('alarm.cleared')
    expect(endedLabel(remote)).toBe('alarm.tripped_at')
  })

  it('keeps the advice after a trip: the symptom went, the cause did not', () => {
    expect(needsAdvice(alarm(6))).toBe(true)
    expect(needsAdvice(recovered)).toBe(false)
    expect(needsAdvice(remote)).toBe(true)
    expect(needsAdvice(byItself)).toBe(true)
  })
})
