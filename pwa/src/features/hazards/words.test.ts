import { describe, expect, it } from 'vitest'
import { at, hazard, NOW } from '../../test/hazards'
import { actionLabel, assignDueHint, confirmText, nextStepText, resultText, submitLabel } from './words'

describe('words around the moves', () => {
  it('names the buttons', () => {
    expect(actionLabel('assign', { state: 'open' }, 'zh-CN')).toBe('指派整改')
    expect(actionLabel('assign', { state: 'assigned' }, 'zh-CN')).toBe('改派')
    expect(actionLabel('rectify', { state: 'assigned' }, 'zh-CN')).toBe('整改完成')
    expect(actionLabel('verify', { state: 'rectified' }, 'zh-CN')).toBe('验收通过')
    expect(actionLabel('reject', { state: 'rectified' }, 'zh-CN')).toBe('验收不通过')
    expect(actionLabel('close', { state: 'verified' }, 'en')).toBe('Close')
    expect(submitLabel('verify', 'zh-CN')).toBe('确认验收通过')
  })

  it('asks before a move, naming who gets a rejected hazard back', () => {
    expect(confirmText('reject', hazard(1), 'zh-CN')).toBe('验收不通过，隐患将退回给 王老板 重新整改。请写明还有什么问题。')
    expect(confirmText('close', hazard(1), 'zh-CN')).toBe('确认关闭这条隐患？关闭后隐患闭环，不能再处理。')
  })

  it('says what happened and what the hazard waits for', () => {
    expect(resultText(hazard(1, { state: 'assigned', assignee: '刘工' }), 'zh-CN')).toBe('已指派给 刘工')
    expect(resultText(hazard(1, { state: 'rectified' }), 'zh-CN')).toBe('已提交整改，等待验收')
    expect(nextStepText(hazard(1, { state: 'assigned' }), 'zh-CN')).toBe('等待 王老板 整改，整改后拍照提交验收')
    expect(nextStepText(hazard(1, { state: 'closed' }), 'en')).toBe('Closed: the loop is complete')
  })

  it('says what happens to the due date on (re)assignment', () => {
    expect(assignDueHint(hazard(1, { state: 'assigned', due_at: at(26) }), NOW, 'zh-CN')).toBe('不选日期则保持原期限：2025年11月26日前')
    expect(assignDueHint(hazard(1, { state: 'assigned', due_at: at(20), overdue: true }), NOW, 'zh-CN')).toBe(
      '重大隐患默认 3 天内整改（2025年11月26日前）',
    )
    expect(assignDueHint(hazard(1, { state: 'open', severity: 'general' }), NOW, 'en')).toBe(
      'A general hazard is due within 7 days (Nov 30, 2025)',
    )
  })
})
