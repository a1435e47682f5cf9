import { describe, expect, it } from 'vitest'
import { landingSite } from './landing'

describe('landingSite', () => {
  it('an owner with one site lands on it; with several, or any other role, on the list', () => {
    expect(landingSite('owner', [{ id: 7 }])).toBe(7)
    expect(landingSite('owner', [{ id: 7 }, { id: 8 }])).toBeNull()
    expect(landingSite('owner', [])).toBeNull()
    expect(landingSite('operator', [{ id: 7 }])).toBeNull()
    expect(landingSite(undefined, [{ id: 7 }])).toBeNull()
  })
})
