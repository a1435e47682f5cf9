// uPlot (and its CSS) loaded on first use, once for every chart: pages without a chart do not pay for it.
import type uPlot from 'uplot'

export type UPlotClass = typeof uPlot

let loading: Promise<UPlotClass> | undefined

export function loadUPlot(): Promise<UPlotClass> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([module]) => module.default)
  return loading
}
