import { describe, expect, it } from 'vitest'
import { normalizePhone } from './phone'

describe('normalizePhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['0086 199 0000 1111', '19900001111'],
    ['', ''],
    ['   ', ''],
    ['12345', null],
    ['23800138000', null],
    ['1380013800a', null],
    ['+1 415 555 0100', null],
  ])('%s → %s', (text, expected) => {
    expect(normalizePhone(text)).toBe(expected)
  })
})
