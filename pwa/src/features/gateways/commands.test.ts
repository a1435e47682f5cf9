import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import {
  blockedReason,
  canSeeGateways,
  commandBody,
  commandErrorText,
  CONFIRM_WAIT_MS,
  isFinal,
  nextPoll,
  pollLimitMs,
  POLL_FAST_MS,
  POLL_SLOW_MS,
  timeoutOk,
} from './commands'

describe('who and when', () => {
  it('shows transmission devices to operators, installers and admins', () => {
    expect(['operator', 'installer', 'admin'].every((r) => canSeeGateways(r as never))).toBe(true)
    expect(['owner', 'electrician', 'inspector', 'regulator', undefined].some((r) => canSeeGateways(r as never))).toBe(false)
  })

  it('says why the buttons are off when the device is offline', () => {
    expect(blockedReason(true)).toBe('')
    expect(blockedReason(false, 'zh-CN')).toBe('传输装置离线，无法发送命令')
  })

  it.each([['10', true], ['1', true], ['255', true], ['0', false], ['256', false], ['2.5', false], ['', false], ['x', false]])(
    'timeout %j → %s',
    (text, ok) => expect(timeoutOk(text)).toBe(ok),
  )

  it('makes the bodies: 查岗 with its timeout, initialise confirmed', () => {
    expect(commandBody('duty_check', 15)).toEqual({ kind: 'duty_check', timeout_min: 15 })
    expect(commandBody('duty_check')).toEqual({ kind: 'duty_check', timeout_min: 10 })
    expect(commandBody('sync_clock')).toEqual({ kind: 'sync_clock' })
    expect(commandBody('initialise')).toEqual({ kind: 'initialise', confirm: true })
  })
})

describe('polling a command', () => {
  it('ends a 查岗 only with an answer, a denial or no answer', () => {
    expect(isFinal({ kind: 'duty_check', state: 'sent' })).toBe(false)
    expect(isFinal({ kind: 'duty_check', state: 'confirmed' })).toBe(false)
    expect(isFinal({ kind: 'duty_check', state: 'answered' })).toBe(true)
    expect(isFinal({ kind: 'duty_check', state: 'no_answer' })).toBe(true)
    expect(isFinal({ kind: 'duty_check', state: 'denied' })).toBe(true)
  })

  it('ends a clock sync or an initialisation with the confirmation', () => {
    expect(isFinal({ kind: 'sync_clock', state: 'sent' })).toBe(false)
    expect(isFinal({ kind: 'sync_clock', state: 'confirmed' })).toBe(true)
    expect(isFinal({ kind: 'initialise', state: 'confirmed' })).toBe(true)
    expect(isFinal({ kind: 'initialise', state: 'no_answer' })).toBe(true)
  })

  it('reads quickly while the confirmation is due, then slower, and stops at the limit or the outcome', () => {
    const limit = pollLimitMs('duty_check', 10)
    expect(limit).toBe(10 * 60_000 + CONFIRM_WAIT_MS)
    expect(nextPoll({ kind: 'duty_check', state: 'sent' }, 0, limit)).toBe(POLL_FAST_MS)
    expect(nextPoll({ kind: 'duty_check', state: 'confirmed' }, CONFIRM_WAIT_MS, limit)).toBe(POLL_SLOW_MS)
    expect(nextPoll({ kind: 'duty_check', state: 'confirmed' }, limit, limit)).toBeNull()
    expect(nextPoll({ kind: 'duty_check', state: 'answered' }, 1000, limit)).toBeNull()
    expect(pollLimitMs('sync_clock')).toBe(CONFIRM_WAIT_MS)
    expect(nextPoll({ kind: 'sync_clock', state: 'sent' }, CONFIRM_WAIT_MS - 1, CONFIRM_WAIT_MS)).toBe(POLL_FAST_MS)
    expect(nextPoll({ kind: 'sync_clock', state: 'sent' }, CONFIRM_WAIT_MS, CONFIRM_WAIT_MS)).toBeNull()
  })
})

describe('commandErrorText', () => {
  const describe_ = (e: unknown) => (e instanceof ApiError ? e.detail : 'no network')
  it('says 传输装置未连接 for a 409 and the detail otherwise', () => {
    expect(commandErrorText(new ApiError(409, 'gateway 3 is not connected'), describe_, 'zh-CN')).toBe('传输装置未连接')
    expect(commandErrorText(new ApiError(409, 'x'), describe_, 'en')).toBe('The transmission device is not connected')
    expect(commandErrorText(new ApiError(400, 'initialise needs "confirm": true'), describe_)).toBe('initialise needs "confirm": true')
    expect(commandErrorText(new NetworkError('down'), describe_)).toBe('no network')
  })
})
