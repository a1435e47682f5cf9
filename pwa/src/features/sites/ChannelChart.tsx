// A channel's last hours as a uPlot line chart, with its alarm and pre-alarm levels as dashed lines across
// the whole window. uPlot (and its CSS) is loaded on first use, so pages without an open chart do not pay for it.
import { useEffect, useRef } from 'preact/hooks'
import type uPlot from 'uplot'
import { formatNumber, formatQuantity, formatTime, getLanguage, t } from '../../platform/i18n'
import { legendValue, useUPlot, type UPlotClass } from '../../ui/uplot'
import { HISTORY_S, type Series } from '../live/series'

// Same colours as styles.css (--theme, --alarm, --prealarm); canvas cannot read CSS variables cheaply.
const LINE = '#0e5aa7'
const ALARM = '#c92a2a'
const PREALARM = '#b86e00'
const HEIGHT = 150
const FONT = '11px system-ui, sans-serif'


export interface ChartProps {
  series: Series
  /** The channel's name and unit (as shown), for the legend. */
  name: string
  unit: string
  /** The unit as the server sends it, for the level key. */
  rawUnit: string
  alarm: number | undefined
  prealarm: number | undefined
}

interface Level {
  value: number
  colour: string
}

function levelsOf(props: ChartProps): Level[] {
  const levels: Level[] = []
  if (props.alarm !== undefined) levels.push({ value: props.alarm, colour: ALARM })
  if (props.prealarm !== undefined) levels.push({ value: props.prealarm, colour: PREALARM })
  return levels
}

/** Dashed horizontal lines across the plot: they mark levels, not data, so they span the whole window. */
function drawLevels(levels: Level[]) {
  return (u: uPlot) => {
    const { ctx, bbox } = u
    ctx.save()
    ctx.lineWidth = 1.5 * devicePixelRatio
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio])
    for (const level of levels) {
      const y = Math.round(u.valToPos(level.value, 'y', true))
      ctx.strokeStyle = level.colour
      ctx.beginPath()
      ctx.moveTo(bbox.left, y)
      ctx.lineTo(bbox.left + bbox.width, y)
      ctx.stroke()
    }
    ctx.restore()
  }
}

function options(UPlot: UPlotClass, props: ChartProps, width: number): uPlot.Options {
  const lang = getLanguage()
  const levels = levelsOf(props)
  const number = legendValue((v) => formatNumber(v, lang))
  return {
    width,
    height: HEIGHT,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // Always the whole window, so a channel with few readings still reads as "the last 6 hours".
      x: {
        time: true,
        range: (_u, _min, max) => {
          const now = Math.max(Date.now() / 1000, max ?? 0)
          return [now - HISTORY_S, now]
        },
      },
      // The levels are always in view: how far the value is from them is the point of the chart.
      y: {
        range: (_u, min, max) => {
          const values = [min, max, ...levels.map((l) => l.value)].filter((v): v is number => Number.isFinite(v))
          if (values.length === 0) return [0, 1]
          return UPlot.rangeNum(Math.min(...values), Math.max(...values), 0.1, true)
        },
      },
    },
    axes: [
      { values: (_u, splits) => splits.map((s) => formatTime(s * 1000, lang)), font: FONT, size: 28 },
      { values: (_u, splits) => splits.map((s) => formatNumber(s, lang)), font: FONT, size: 44 },
    ],
    series: [
      { label: t('chart.time'), value: legendValue((v) => formatTime(v * 1000, lang)) },
      // uPlot draws the points only while they are few enough to tell apart: a lone reading still shows.
      { label: props.unit ? `${props.name} (${props.unit})` : props.name, stroke: LINE, width: 1.5, value: number },
    ],
    hooks: { draw: [drawLevels(levels)] },
  }
}

/** Mounted only when the chart is open and near the screen. */
export function ChannelChart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const lang = getLanguage()
  // Made again on a language switch only (axis and legend words); new data goes through setData below. Levels
  // are settings, which do not change while the page is open.
  const { chart, failed } = useUPlot(
    box,
    HEIGHT,
    (UPlot, width) => [options(UPlot, props, width), [props.series.ts, props.series.value]],
    [lang],
  )

  useEffect(() => {
    chart.current?.setData([props.series.ts, props.series.value])
  }, [props.series])

  if (failed) return <p class="muted">{t('chart.failed')}</p>
  return (
    <>
      <div class="chart" ref={box} data-testid="channel-chart" />
      {(props.alarm !== undefined || props.prealarm !== undefined) && (
        <p class="chart-levels">
          {props.alarm !== undefined && (
            <span class="level-key level-key-alarm">
              {t('channel.alarm')} {formatQuantity(props.alarm, props.rawUnit)}
            </span>
          )}
          {props.prealarm !== undefined && (
            <span class="level-key level-key-prealarm">
              {t('channel.prealarm')} {formatQuantity(props.prealarm, props.rawUnit)}
            </span>
          )}
        </p>
      )}
    </>
  )
}
