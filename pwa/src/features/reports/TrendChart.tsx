// A report's trend: the daily maximum of channels with the same unit, one line each, as a uPlot chart over the
// month (reports/model.ts trendGroups lines the days up).
import { useRef } from 'preact/hooks'
import type uPlot from 'uplot'
import { formatNumber, getLanguage, label, t } from '../../platform/i18n'
import { legendValue, useUPlot, type UPlotClass } from '../../ui/uplot'
import { dayOf, dayTicks, type TrendGroup } from './model'

const HEIGHT = 180
/** Room for one date label (CSS px). */
const TICK_SPACE = 56
const FONT = '11px system-ui, sans-serif'
/** Up to six channels are shown (docs/reports.md); distinct hues, the theme's blue first. */
const COLOURS = ['#0e5aa7', '#c92a2a', '#1f8a4c', '#b86e00', '#7048a8', '#0b7285']

function dayText(s: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric' }).format(dayOf(s))
}

function options(_UPlot: UPlotClass, group: TrendGroup, width: number): uPlot.Options {
  const lang = getLanguage()
  const unit = label('unit', group.unit)
  const number = legendValue((v) => `${formatNumber(v, lang)} ${unit}`.trim())
  return {
    width,
    height: HEIGHT,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    // A time scale in seconds over the report's period, its splits the period's local midnights in order (a
    // numeric scale around one day's point spread over years, its labels out of order).
    scales: { x: { time: true, range: () => group.range } },
    axes: [
      {
        splits: (u) => dayTicks(group.range[0], group.range[1], Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / TICK_SPACE))),
        values: (_u, splits) => splits.map((s) => dayText(s, lang)),
        font: FONT,
        size: 28,
      },
      { values: (_u, splits) => splits.map((s) => formatNumber(s, lang)), font: FONT, size: 44, label: unit, labelSize: 16, labelFont: FONT },
    ],
    series: [
      { label: t('report.day'), value: legendValue((v) => dayText(v, lang)) },
      ...group.series.map((s, i) => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        width: 1.5,
        spanGaps: false,
        points: { show: true, size: 4 },
        value: number,
      })),
    ],
  }
}

export function TrendChart({ group }: { group: TrendGroup }) {
  const box = useRef<HTMLDivElement>(null)
  const lang = getLanguage()
  const { failed } = useUPlot(
    box,
    HEIGHT,
    (UPlot, width) => [options(UPlot, group, width), [group.x, ...group.series.map((s) => s.values)]],
    [group, lang],
  )

  if (failed) return <p class="muted">{t('chart.failed')}</p>
  return <div class="chart trend-chart" ref={box} data-testid="report-trend-chart" data-unit={group.unit} data-series={String(group.series.length)} />
}
