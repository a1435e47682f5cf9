import { describe, expect, it } from 'vitest'
import { NEW_CIRCUIT, pickerState, sortCircuits, valueOfChoice } from './circuits'

const SITE = [
  { name: '照明回路', devices: 1 },
  { name: '插座回路', devices: 3 },
]

describe('the circuit pick-list', () => {
  it('offers only the text box when the site has no circuits yet', () => {
    expect(pickerState([], '', false)).toEqual({ selected: NEW_CIRCUIT, typing: true })
  })

  it('selects a circuit of the site, and nothing before one is chosen', () => {
    expect(pickerState(SITE, '', false)).toEqual({ selected: '', typing: false })
    expect(pickerState(SITE, '插座回路', false)).toEqual({ selected: '插座回路', typing: false })
  })

  it('types a new circuit after 新回路…, even one that starts like a known name', () => {
    const chosen = valueOfChoice(NEW_CIRCUIT)
    expect(chosen).toEqual({ value: '', creating: true })
    expect(pickerState(SITE, chosen.value, chosen.creating)).toEqual({ selected: NEW_CIRCUIT, typing: true })
    expect(pickerState(SITE, '插座回路', true)).toEqual({ selected: NEW_CIRCUIT, typing: true })
    expect(pickerState(SITE, '2F 空调回路', false)).toEqual({ selected: NEW_CIRCUIT, typing: true })
    expect(valueOfChoice('照明回路')).toEqual({ value: '照明回路', creating: false })
  })

  it('lists the most used circuits first', () => {
    expect(sortCircuits(SITE).map((c) => c.name)).toEqual(['插座回路', '照明回路'])
  })
})
