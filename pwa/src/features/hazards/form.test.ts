import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { NOW } from '../../test/hazards'
import { checkReport, dueError, errorsOf, newReport, reportBody, TITLE_MAX } from './form'

const SHA = 'd'.repeat(64)

describe('checkReport', () => {
  it('asks for a site and a title', () => {
    expect(checkReport(newReport(), NOW, 'zh-CN')).toEqual({ site_id: '请选择场所', title: '请填写隐患名称' })
    expect(checkReport({ ...newReport(1), title: '   ' }, NOW, 'en')).toEqual({ title: 'Give the hazard a title' })
  })

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(checkReport({ ...newReport(1), title: '烧'.repeat(TITLE_MAX) }, NOW)).toEqual({})
    expect(checkReport({ ...newReport(1), title: '🔥'.repeat(TITLE_MAX) }, NOW)).toEqual({})
    expect(checkReport({ ...newReport(1), title: '烧'.repeat(TITLE_MAX + 1) }, NOW, 'zh-CN')).toEqual({ title: '最多 100 个字' })
  })

  it('refuses a due date before today, allows today', () => {
    expect(dueError('', NOW)).toBeNull()
    expect(dueError('2025-11-23', NOW)).toBeNull()
    expect(dueError('2025-11-22', NOW, 'zh-CN')).toBe('整改期限不能早于今天')
    expect(dueError('2025-13-01', NOW, 'en')).toBe('Choose a valid date')
  })
})

describe('reportBody', () => {
  const form = { ...newReport(1), title: ' 插座烧焦 ', description: ' 收银台下方 ', severity: 'major' as const, assigneeId: 4, dueDate: '2025-11-25' }

  it('sends the assignee and the date from those who may assign', () => {
    expect(reportBody(form, [SHA], true)).toEqual({
      site_id: 1,
      title: '插座烧焦',
      description: '收银台下方',
      severity: 'major',
      source: 'inspection',
      assignee_id: 4,
      due: new Date(2025, 10, 25, 23, 59).getTime() / 1000,
      attachments: [SHA],
    })
  })

  it('leaves out what others may not send, and what is empty', () => {
    expect(reportBody({ ...form, description: '' }, [], false)).toEqual({
      site_id: 1,
      title: '插座烧焦',
      severity: 'major',
      source: 'inspection',
    })
    expect(reportBody({ ...form, assigneeId: null, dueDate: '' }, [], true)).not.toHaveProperty('assignee_id')
  })
})

describe('errorsOf', () => {
  it.each([
    [new ApiError(400, 'due: the due date must be in the future', 'due'), { due: 'due: the due date must be in the future' }],
    [new ApiError(400, 'assignee_id: user 9 cannot take this hazard', 'assignee_id'), { assignee_id: 'assignee_id: user 9 cannot take this hazard' }],
    [new ApiError(400, 'attachments[1]: no attachment dddd…', 'attachments[1]'), { attachments: 'attachments[1]: no attachment dddd…' }],
    [new ApiError(400, 'text: Expected `str` of length >= 1', 'text'), { note: 'text: Expected `str` of length >= 1' }],
    [new ApiError(400, 'alarm_id: alarm 3 is not an alarm of site 1', 'alarm_id'), { form: 'alarm_id: alarm 3 is not an alarm of site 1' }],
    [new ApiError(400, 'bad request'), { form: 'bad request' }],
  ] as const)('%s', (error, errors) => {
    expect(errorsOf(error)).toEqual(errors)
  })
})
