// uPlot (and its CSS) loaded on first use, once for every chart: pages without a chart do not pay for it.
import type { RefObject } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
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

/**
 * A uPlot chart in `box`: made once the library has loaded (from the newest `make`, with the box's width), made
 * again when `deps` change, kept as wide as the box, destroyed on unmount. `chart` is there for setData;
 * `failed` says the library could not be loaded.
 */
export function useUPlot(
  box: RefObject<HTMLElement | null>,
  height: number,
  make: (UPlot: UPlotClass, width: number) => [uPlot.Options, uPlot.AlignedData],
  deps: readonly unknown[],
): { chart: RefObject<uPlot | null>; failed: boolean } {
  const chart = useRef<uPlot | null>(null)
  const [failed, setFailed] = useState(false)
  const latest = useRef(make) // the library loads asynchronously: build the chart from the newest props
  latest.current = make
  useEffect(() => {
    let gone = false
    let resize: ResizeObserver | undefined
    loadUPlot().then(
      (UPlot) => {
        const element = box.current
        if (gone || !element) return
        const [options, data] = latest.current(UPlot, element.clientWidth || 320)
        chart.current = new UPlot(options, data, element)
        if (typeof ResizeObserver !== 'undefined') {
          resize = new ResizeObserver(() => chart.current?.setSize({ width: element.clientWidth, height }))
          resize.observe(element)
        }
      },
      (error: unknown) => {
        console.warn('andian: could not load the chart library', error)
        if (!gone) setFailed(true)
      },
    )
    return () => {
      gone = true
      resize?.disconnect()
      chart.current?.destroy()
      chart.current = null
    }
  }, deps)
  return { chart, failed }
}
