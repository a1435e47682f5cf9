import type uPlot from 'uplot'
import { expect, it } from 'vitest'
import { legendValue } from './uplot'

it('names the lines alone while the cursor is off the chart, and marks a gap under it', () => {
  const value = legendValue((v) => `${v.toFixed(1)} mA`)
  const chart = {} as uPlot
  expect(value(chart, null, 1, null)).toBe('')
  expect(value(chart, 12.34, 1, null)).toBe('')
  expect(value(chart, 12.34, 1, 5)).toBe('12.3 mA')
  expect(value(chart, null, 1, 5)).toBe('—')
})
