import { afterEach, describe, expect, it, vi } from 'vitest'
import { en } from './en'
import {
  channelLabel,
  formatDate,
  formatDateTime,
  formatDuration,
  formatFromNow,
  formatPercent,
  formatQuantity,
  formatRecent,
  formatTime,
  getLanguage,
  initLanguage,
  label,
  onLanguageChange,
  pickLanguage,
  setLanguage,
  t,
} from './index'
import { zhCN } from './zh-CN'

afterEach(() => {
  vi.unstubAllGlobals()
  setLanguage('zh-CN')
})

describe('pickLanguage', () => {
  it.each([
    [['zh-CN'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['zh-TW', 'en-US'], 'zh-CN'],
    [['zh-Hans-CN'], 'zh-CN'],
    [['ZH-cn'], 'zh-CN'],
    [['en-US', 'zh-CN'], 'en'],
    [['fr-FR', 'zh-CN'], 'zh-CN'],
    [['fr-FR', 'de'], 'en'],
    [[], 'en'],
  ] as const)('%j → %s', (languages, expected) => {
    expect(pickLanguage(languages)).toBe(expected)
  })
})

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  }
}

describe('initLanguage / setLanguage', () => {
  it('follows the browser when nothing is saved', () => {
    vi.stubGlobal('localStorage', memoryStorage())
    vi.stubGlobal('navigator', { languages: ['en-GB', 'zh-CN'], language: 'en-GB' })
    expect(initLanguage()).toBe('en')
    vi.stubGlobal('navigator', { languages: [], language: 'zh-CN' })
    expect(initLanguage()).toBe('zh-CN')
  })

  it('prefers the saved choice and persists a switch', () => {
    const store = memoryStorage({ 'andian.lang': 'en' })
    vi.stubGlobal('localStorage', store)
    vi.stubGlobal('navigator', { languages: ['zh-CN'], language: 'zh-CN' })
    expect(initLanguage()).toBe('en')
    setLanguage('zh-CN')
    expect(store.data.get('andian.lang')).toBe('zh-CN')
    expect(getLanguage()).toBe('zh-CN')
  })

  it('sets <html lang> and tells listeners', () => {
    const root = { lang: '' }
    vi.stubGlobal('document', { documentElement: root })
    const seen: string[] = []
    const stop = onLanguageChange((lang) => seen.push(lang))
    setLanguage('en')
    setLanguage('en') // no change, no event
    setLanguage('zh-CN')
    stop()
    setLanguage('en')
    expect(seen).toEqual(['en', 'zh-CN'])
    expect(root.lang).toBe('en')
  })
})

describe('t', () => {
  it('names self-test alarms and open breakers', () => {
    expect(t('alarms.test', undefined, 'zh-CN')).toBe('自检')
    expect(t('alarms.test', undefined, 'en')).toBe('Self-test')
    expect(t('switch.open', undefined, 'zh-CN')).toBe('已分闸 · 回路已断电')
    expect(t('switch.open', undefined, 'en')).toBe('Open · circuit has no power')
    expect(t('alarms.trip_not_fixed', undefined, 'zh-CN')).toBe('故障原因尚未排除，请电工检查后再合闸。')
    expect(t('alarms.trip_not_fixed', undefined, 'en')).toBe(
      'The cause is not fixed yet; have an electrician check before switching it back on.',
    )
  })

  it('translates and interpolates', () => {
    expect(t('login.bad_credentials', undefined, 'zh-CN')).toBe('用户名或密码错误')
    expect(t('login.bad_credentials', undefined, 'en')).toBe('Wrong username or password')
    expect(t('offline.banner', { time: '9:37' }, 'en')).toBe('Offline: showing data from 9:37')
    expect(t('offline.banner', { time: '09:37' }, 'zh-CN')).toBe('离线：显示 09:37 的数据')
  })

  it('chooses plural forms with Intl.PluralRules', () => {
    expect(t('sites.devices', { count: 1 }, 'en')).toBe('1 device')
    expect(t('sites.devices', { count: 0 }, 'en')).toBe('0 devices')
    expect(t('sites.devices', { count: 2 }, 'en')).toBe('2 devices')
    expect(t('sites.devices', { count: 1 }, 'zh-CN')).toBe('1 台设备')
    expect(t('sites.count', { count: 1200 }, 'en')).toBe('1,200 sites')
    expect(t('sites.matching', { count: 1, total: 3 }, 'en')).toBe('1 of 3 site')
  })

  it('follows the current language', () => {
    setLanguage('en')
    expect(t('sites.title')).toBe('Sites')
    setLanguage('zh-CN')
    expect(t('sites.title')).toBe('场所')
  })
})

describe('labels', () => {
  it('has every label group in both languages', () => {
    expect(Object.keys(en.labels).sort()).toEqual(Object.keys(zhCN.labels).sort())
  })

  it('has the same keys in both languages', () => {
    expect(Object.keys(en.messages).sort()).toEqual(Object.keys(zhCN.messages).sort())
    const groups = [
      'venue_type',
      'capability',
      'role',
      'status',
      'device_state',
      'device_kind',
      'channel',
      'step_status',
      'check_answer',
      'switch',
      'control_action',
      'control_outcome',
      'tier',
      'delivery_transition',
      'delivery_mode',
      'send_status',
      'notify_lang',
      'severity',
      'hazard_state',
      'hazard_source',
      'inspection_state',
      'checklist_section',
      'category',
      'cause',
      'sensor_fault',
      'parity',
    ] as const
    for (const group of groups) {
      expect(Object.keys(en.labels[group]).sort(), group).toEqual(Object.keys(zhCN.labels[group]).sort())
    }
  })

  it('translates codes and passes unknown ones through', () => {
    expect(label('venue_type', 'elderly_care', 'zh-CN')).toBe('养老机构')
    expect(label('venue_type', 'elderly_care', 'en')).toBe('Elderly care home')
    expect(label('capability', 'arc_detection', 'zh-CN')).toBe('故障电弧探测')
    expect(label('role', 'inspector', 'zh-CN')).toBe('网格员')
    expect(label('status', 'prealarm', 'zh-CN')).toBe('预警')
    expect(label('status', 'power_off', 'zh-CN')).toBe('已断电')
    expect(label('status', 'power_off', 'en')).toBe('Power off')
    expect(label('cause', 'leakage', 'zh-CN')).toBe('漏电流')
    expect(label('venue_type', 'spaceport', 'en')).toBe('spaceport')
  })

  it.each([
    ['residual_ma', 'zh-CN', '剩余电流'],
    ['residual_ma', 'en', 'Residual current'],
    ['current_a', 'zh-CN', '电流'],
    ['current_a_l2', 'zh-CN', '电流 L2'],
    ['current_a_l3', 'en', 'Current L3'],
    ['temp_c_4', 'en', 'Temperature 4'],
    ['arc', 'zh-CN', '故障电弧'],
    ['energy_kwh', 'en', 'Energy'],
    ['humidity_pct', 'en', 'humidity_pct'],
  ] as const)('channel %s in %s → %s', (key, lang, expected) => {
    expect(channelLabel(key, lang)).toBe(expected)
  })
})

describe('formatDateTime', () => {
  it('uses Intl.DateTimeFormat for each language', () => {
    const ms = Date.UTC(2025, 10, 23, 1, 37)
    expect(formatDateTime(ms, 'zh-CN')).toContain('2025')
    expect(formatDateTime(ms, 'zh-CN')).toContain('11月23日')
    expect(formatDateTime(ms, 'en')).toContain('Nov 23, 2025')
  })
})

describe('formatQuantity', () => {
  it.each([
    [420, 'mA', 'zh-CN', '420 mA'],
    [1200.456, 'mA', 'en', '1,200.46 mA'],
    [17, 'half-cycles/s', 'zh-CN', '17 半波/秒'],
    [17, 'half-cycles/s', 'en', '17 half-cycles/s'],
    [3, '', 'en', '3'],
    [null, 'mA', 'en', '—'],
    [Number.NaN, 'mA', 'en', '—'],
  ] as const)('%s %s in %s → %s', (value, unit, lang, expected) => {
    expect(formatQuantity(value, unit, lang)).toBe(expected)
  })
})

describe('dates and times', () => {
  const noon = Date.UTC(2025, 11, 2, 12, 0) // the same day in every time zone from UTC−11 to UTC+11

  it('formats a date without the time', () => {
    expect(formatDate(noon, 'zh-CN')).toBe('2025年12月2日')
    expect(formatDate(noon, 'en')).toBe('Dec 2, 2025')
  })

  it('formats hours and minutes for chart axes', () => {
    expect(formatTime(noon, 'zh-CN')).toMatch(/^\d{1,2}:00$/)
    expect(formatTime(noon, 'en')).toMatch(/^\d{1,2}:00\s?[AP]M$/)
  })

  it('says how far ahead in hours, then in days', () => {
    const now = noon
    expect(formatFromNow(now + 9 * 86_400_000, now, 'zh-CN')).toBe('9天后')
    expect(formatFromNow(now + 9 * 86_400_000, now, 'en')).toBe('in 9 days')
    expect(formatFromNow(now + 5 * 3_600_000, now, 'en')).toBe('in 5 hours')
    expect(formatFromNow(now + 60_000, now, 'en')).toBe('in 1 hour')
    expect(formatFromNow(now - 60_000, now, 'zh-CN')).toBe('1小时后')
  })
})

describe('formatPercent', () => {
  it.each([
    [0.5, 'zh-CN', '50%'],
    [0.8735, 'en', '87.4%'],
    [1, 'en', '100%'],
    [0, 'zh-CN', '0%'],
    [Number.NaN, 'en', '—'],
  ] as const)('%s in %s → %s', (rate, lang, expected) => {
    expect(formatPercent(rate, lang)).toBe(expected)
  })
})

describe('formatDuration', () => {
  it.each([
    [900, 'zh-CN', '15 分钟'],
    [1800, 'en', '30 minutes'],
    [60, 'en', '1 minute'],
    [3600, 'zh-CN', '1 小时'],
    [3600, 'en', '1 hour'],
    [14400, 'en', '4 hours'],
    [5400, 'zh-CN', '90 分钟'],
    [86400, 'zh-CN', '1 天'],
    [172800, 'en', '2 days'],
    [30, 'zh-CN', '30 秒'],
  ] as const)('%s s in %s → %s', (seconds, lang, expected) => {
    expect(formatDuration(seconds, lang)).toBe(expected)
  })
})

describe('formatRecent', () => {
  it('gives the time alone today and the day otherwise', () => {
    const now = new Date(2025, 10, 23, 9, 0).getTime()
    expect(formatRecent(new Date(2025, 10, 23, 3, 2).getTime(), now, 'zh-CN')).toBe('3:02')
    expect(formatRecent(new Date(2025, 10, 22, 23, 58).getTime(), now, 'zh-CN')).toBe('11月22日 23:58')
    expect(formatRecent(new Date(2025, 10, 22, 23, 58).getTime(), now, 'en').replace(/\u202f/g, ' ')).toBe('Nov 22, 11:58 PM')
  })
})
