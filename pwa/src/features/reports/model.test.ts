import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { report } from '../../test/reports'
import {
  causeRows,
  dayOf,
  dayTicks,
  factorValueText,
  gradeText,
  gradeTone,
  hourBars,
  parsePeriod,
  pdfErrorText,
  pdfFallbackName,
  peakHours,
  periodLabel,
  periodOf,
  periodOptions,
  pointsShare,
  pointsText,
  previousPeriod,
  reportErrorText,
  trendGroups,
} from './model'

// Local times, so months read the same in any time zone.
const NOW = new Date(2026, 10, 23, 15, 0).getTime()
const seconds = (y: number, m: number, d = 15) => new Date(y, m - 1, d).getTime() / 1000

describe('months', () => {
  it.each([
    ['2026-11', '2026-10'],
    ['2026-01', '2025-12'],
    ['bogus', 'bogus'],
  ])('before %s is %s', (period, previous) => {
    expect(previousPeriod(period)).toBe(previous)
  })

  it('offers this month back to the site’s creation, at most 12', () => {
    expect(periodOf(NOW)).toBe('2026-11')
    expect(periodOptions(seconds(2026, 11, 2), NOW)).toEqual(['2026-11'])
    expect(periodOptions(seconds(2026, 8, 30), NOW)).toEqual(['2026-11', '2026-10', '2026-09', '2026-08'])
    expect(periodOptions(seconds(2020, 1), NOW)).toHaveLength(12)
    expect(periodOptions(seconds(2020, 1), NOW).at(-1)).toBe('2025-12')
    expect(periodOptions(null, NOW)).toHaveLength(12)
    // A creation time in the future (a clock off): this month alone.
    expect(periodOptions(seconds(2027, 1), NOW)).toEqual(['2026-11'])
  })

  it.each([
    ['?period=2026-10', '2026-10'],
    ['?period=2025-01', '2025-01'],
    ['?period=2026-11', '2026-11'],
    ['?period=2026-12', '2026-11'], // not begun yet
    ['?period=2026-13', '2026-11'],
    ['?period=26-10', '2026-11'],
    ['', '2026-11'],
  ])('%s → %s', (search, period) => {
    expect(parsePeriod(search, NOW)).toBe(period)
  })

  it('names months in both languages', () => {
    expect(periodLabel('2026-11', 'zh-CN')).toBe('2026年11月')
    expect(periodLabel('2026-11', 'en')).toBe('November 2026')
  })
})

describe('grade and factors', () => {
  it.each([
    ['A', 'a', '安全状况良好'],
    ['B', 'b', '总体较好，仍有可改进之处'],
    ['C', 'c', '存在较多问题，需要整改'],
    ['D', 'd', '安全状况较差，请尽快整改'],
    ['?', 'd', '安全状况较差，请尽快整改'],
  ])('%s → %s', (grade, tone, words) => {
    expect(gradeTone(grade)).toBe(tone)
    expect(gradeText(grade, 'zh-CN')).toBe(words)
  })

  it.each([
    ['alarms', 3, 'zh-CN', '3 次'],
    ['prealarms', 1, 'en', '1 time'],
    ['online', 97.36, 'zh-CN', '97.4%'],
    ['online', 100, 'en', '100%'],
    ['open_hazards', 2, 'en', '2 hazards'],
    ['overdue', 0, 'zh-CN', '0 条'],
    ['capabilities', 1, 'zh-CN', '缺 1 项'],
    ['capabilities', 0, 'en', 'All there'],
    ['rectification', 2.5, 'zh-CN', '2.5 天'],
    ['rectification', 0, 'zh-CN', '0 天'],
    ['rectification', null, 'zh-CN', '—'],
    ['online', null, 'en', '—'],
    ['something_new', 4.5, 'en', '4.5'],
  ] as const)('%s %s in %s → %s', (key, value, lang, text) => {
    expect(factorValueText({ key, value }, lang)).toBe(text)
  })

  it('shows points taken off and their share of the cap', () => {
    expect(pointsText(10, 'zh-CN')).toBe('−10')
    expect(pointsText(1.65, 'en')).toBe('−1.65')
    expect(pointsText(0, 'en')).toBe('0')
    expect(pointsShare({ points: 16, cap: 30 })).toBeCloseTo(0.533, 3)
    expect(pointsShare({ points: 0, cap: 0 })).toBe(0)
  })
})

describe('alarms', () => {
  it('orders causes by how many, with a total', () => {
    expect(causeRows(report().alarms_by_cause).map((r) => [r.cause, r.total])).toEqual([
      ['leakage', 3],
      ['arc', 2],
    ])
    expect(causeRows([{ cause: 'voltage', name: '', alarm: 1, prealarm: 0, fault: 0, offline: 0 }])[0]?.name).toBe('voltage')
  })

  it('makes 24 bars, the busiest full height, and names the peak hours', () => {
    const bars = hourBars(report().alarms_by_hour)
    expect(bars).toHaveLength(24)
    expect(bars[20]).toEqual({ hour: 20, count: 2, share: 1 })
    expect(bars[2]).toEqual({ hour: 2, count: 1, share: 0.5 })
    expect(hourBars([]).every((b) => b.count === 0 && b.share === 0)).toBe(true)
    expect(peakHours(report().alarms_by_hour)).toEqual([20])
    expect(peakHours([1, 0, 1])).toEqual([0, 2])
    expect(peakHours([])).toEqual([])
  })
})

describe('trendGroups', () => {
  it('makes one chart per unit, each channel a line over the same days', () => {
    const groups = trendGroups(report().trends, 'zh-CN')
    expect(groups.map((g) => g.unit)).toEqual(['mA', '°C'])
    expect(groups[0]).toEqual({
      unit: 'mA',
      x: [100, 200, 300, 400],
      range: [100, 100 + 86400],
      series: [
        { label: '插座回路 · 剩余电流', channelId: 11, values: [120, 180, 250, null] },
        { label: '照明回路 · 剩余电流', channelId: 13, values: [null, 30, 31, 33] },
      ],
    })
    expect(groups[1]?.series[0]).toEqual({ label: '插座回路 · 温度 1', channelId: 12, values: [41, 45] })
    expect(trendGroups([], 'en')).toEqual([])
  })
})

describe('the trend chart\'s time axis', () => {
  // November 2025 in the test's own time zone: the report's period, as Unix seconds.
  const start = new Date(2025, 10, 1).getTime() / 1000
  const end = new Date(2025, 10, 23, 8).getTime() / 1000
  const day = (d: number) => new Date(2025, 10, d).getTime() / 1000

  it('spans the period in seconds even for a single day of data, ascending', () => {
    const one = report({ start, end, trends: [{ channel_id: 1, key: 'residual_ma', name: '剩余电流', place: '', unit: 'mA', day: [day(22)], value: [180] }] })
    const [group] = trendGroups(one.trends, 'zh-CN', one.start, one.end)
    expect(group?.range).toEqual([start, end])
    expect(group?.x).toEqual([day(22)])
  })

  it('ticks are the period\'s midnights in seconds, in order, thinned to fit, named by their own day', () => {
    const ticks = dayTicks(start, end, 8)
    expect(ticks.length).toBeLessThanOrEqual(8)
    expect(ticks[0]).toBe(start)
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(3 * 86400)
    for (const tick of ticks) expect(tick).toBeLessThanOrEqual(end)
    expect(ticks.map((s) => dayOf(s).getFullYear())).toEqual(ticks.map(() => 2025)) // seconds, not ms: not years away
    const named = ticks.map((s) => dayOf(s).getDate())
    expect(named).toEqual([1, 4, 7, 10, 13, 16, 19, 22])
    expect(dayTicks(start, end, 100)).toHaveLength(23)
    expect(dayTicks(day(22), day(22) + 7200, 8)).toEqual([day(22)])
    // a site in China, a browser in UTC: the site's midnight (16:00 UTC the day before) is named by its own day
    expect(dayOf(Date.UTC(2025, 10, 21, 16) / 1000).getUTCDate()).toBe(22)
  })
})

describe('errors', () => {
  it('says a 503 PDF is the missing Chinese font, and that the page still works', () => {
    expect(pdfErrorText(new ApiError(503, 'no CJK font: install fonts-noto-cjk'), 'zh-CN')).toContain('服务器没有安装中文字体')
    expect(pdfErrorText(new ApiError(503, 'x'), 'en')).toContain('The report on this page is not affected')
    expect(pdfErrorText(new NetworkError('x'), 'zh-CN')).toBe('没有收到服务器的回答，PDF 没有下载。请恢复网络后重试。')
    expect(pdfErrorText(new ApiError(400, 'period: 2027-01 has not begun yet', 'period'), 'zh-CN')).toBe(
      'PDF 下载失败：period: 2027-01 has not begun yet',
    )
    expect(pdfFallbackName(3, '2026-10')).toBe('andian-report-3-2026-10.pdf')
  })

  it('says why a report could not be read', () => {
    expect(reportErrorText(new NetworkError('x'), 'zh-CN')).toBe('离线：体检报告需要联网查看。恢复网络后重试。')
    expect(reportErrorText(new ApiError(404, 'no site 9'), 'zh-CN')).toBe('场所不存在，或您无权查看')
    expect(reportErrorText(new ApiError(400, 'period: bad'), 'zh-CN')).toBe('period: bad')
  })
})
