import { describe, expect, it } from 'vitest'
import { unitSignProblem, unitSignProblemText } from './notice-sign'

const SHA = 'ab'.repeat(32)

describe('the unit signs the notice', () => {
  it('needs a name, then a drawing kept on the device or saved on the server', () => {
    expect(unitSignProblem('  ', { sha256: SHA, status: 'saved' })).toBe('name')
    expect(unitSignProblem('王'.repeat(61), { sha256: SHA, status: 'saved' })).toBe('too_long')
    expect(unitSignProblem('王店主', null)).toBe('drawing')
    expect(unitSignProblem('王店主', { sha256: null, status: 'saving' })).toBe('saving')
    expect(unitSignProblem('王店主', { sha256: null, status: 'failed', detail: 'body: not a photo' })).toBe('failed')
    expect(unitSignProblem('王店主', { sha256: SHA, status: 'kept' })).toBeNull()
    expect(unitSignProblem(' 王店主 ', { sha256: SHA, status: 'saved' })).toBeNull()
  })

  it('says what is missing in the user’s language', () => {
    expect(unitSignProblemText('drawing', null, 'zh-CN')).toBe('请被检查单位负责人在框内手写签名')
    expect(unitSignProblemText('drawing', null, 'en')).toBe("Have the unit's representative sign in the box")
    expect(unitSignProblemText('name', null, 'zh-CN')).toBe('请填写签收人姓名')
    expect(unitSignProblemText('failed', { sha256: null, status: 'failed', detail: 'disk full' }, 'zh-CN')).toContain('disk full')
  })
})
