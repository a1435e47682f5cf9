import { describe, expect, it } from 'vitest'
import { isUuid, uuidv7, uuidv7Time } from './uuid'

describe('uuidv7', () => {
  it('has the RFC 9562 layout: time first, version 7, variant 10', () => {
    const id = uuidv7(0x0189_1234_5678, (b) => b.fill(0xff))
    expect(id).toBe('01891234-5678-7fff-bfff-ffffffffffff')
    expect(uuidv7Time(id)).toBe(0x0189_1234_5678)
  })

  it('is random below the time and sorts by the time it was made', () => {
    const a = uuidv7(1_763_856_000_000)
    const b = uuidv7(1_763_856_000_001)
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a < b).toBe(true)
    expect(uuidv7(5) === uuidv7(5)).toBe(false)
    expect(isUuid(a)).toBe(true)
    expect(isUuid('42')).toBe(false)
  })
})
