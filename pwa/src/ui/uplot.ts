// uPlot (and its CSS) loaded on first use, once for every chart: pages without a chart do not pay for it.
import type uPlot from 'uplot'

export type UPlotClass = typeof uPlot

let loading: Promise<UPlotClass> | undefined

export function loadUPlot(): Promise<UPlotClass> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([module]) => module.default)
  return loading
}

/**
 * A legend's value: the one under the cursor, formatted; "—" for a gap there; nothing while the cursor is off the
 * chart, so an untouched chart's legend names its lines instead of showing "—" after each (styles.css drops the
 * colon and the x entry then).
 */
export function legendValue(format: (value: number) => string): (u: uPlot, value: number | null, series: number, idx: number | null) => string {
  return (_u, value, _series, idx) => (idx === null ? '' : value === null ? '—' : format(value))
}
