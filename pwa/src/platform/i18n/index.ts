// The one place the UI gets words from. Framework-free: components call t()/label() while rendering and
// re-render on onLanguageChange. zh-CN is the default for Chinese browsers, English for everyone else.
import { en } from './en'
import type { Catalog, Lang, LabelGroup, MessageKey, PluralForms } from './types'
import { zhCN } from './zh-CN'

export type { Lang, LabelGroup, MessageKey } from './types'

export const LANGS: readonly Lang[] = ['zh-CN', 'en']
const CATALOGS: Record<Lang, Catalog> = { 'zh-CN': zhCN, en }
const STORAGE_KEY = 'andian.lang'

type Params = Record<string, string | number>

let current: Lang = 'zh-CN'
const listeners = new Set<(lang: Lang) => void>()

/**
 * The language for a browser's preference list (navigator.languages): the first entry that is Chinese or
 * English decides; with neither, English.
 */
export function pickLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value)
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    return undefined // storage blocked (privacy mode) or absent (tests)
  }
}

/** Choose the start language: the user's saved choice, else the browser's languages. */
export function initLanguage(): Lang {
  const saved = storage()?.getItem(STORAGE_KEY)
  const nav = globalThis.navigator
  const preferred = nav ? (nav.languages?.length ? nav.languages : [nav.language]) : []
  apply(isLang(saved) ? saved : pickLanguage(preferred))
  return current
}

/** Switch language and remember the choice on this device. */
export function setLanguage(lang: Lang): void {
  storage()?.setItem(STORAGE_KEY, lang)
  apply(lang)
}

function apply(lang: Lang): void {
  const changed = lang !== current
  current = lang
  if (globalThis.document) document.documentElement.lang = lang
  if (changed) for (const fn of listeners) fn(lang)
}

export function getLanguage(): Lang {
  return current
}

export function onLanguageChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function interpolate(text: string, params: Params | undefined): string {
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? formatNumber(value) : value
  })
}

function selectPlural(forms: PluralForms, count: number, lang: Lang): string {
  const category = new Intl.PluralRules(lang).select(count)
  return forms[category] ?? forms.other
}

/** A message in the current language. Plural messages take their form from params.count. */
export function t(key: MessageKey, params?: Params, lang: Lang = current): string {
  const message = CATALOGS[lang].messages[key]
  if (typeof message === 'string') return interpolate(message, params)
  const count = Number(params?.count ?? 0)
  return interpolate(selectPlural(message, count, lang), params)
}

/** A label for a code from the server (venue type, role, status, …); unknown codes are shown as they are. */
export function label(group: LabelGroup, code: string, lang: Lang = current): string {
  return CATALOGS[lang].labels[group][code] ?? code
}

const CHANNEL_SUFFIX = /^(l\d|n|\d+)$/

/** A channel key as words: residual_ma → 剩余电流, current_a_l2 → 电流 L2, temp_c_3 → 温度 3. */
export function channelLabel(key: string, lang: Lang = current): string {
  const names = CATALOGS[lang].labels.channel
  if (names[key]) return names[key]
  for (const base of Object.keys(names).sort((a, b) => b.length - a.length)) {
    const rest = key.startsWith(`${base}_`) ? key.slice(base.length + 1) : undefined
    if (rest && CHANNEL_SUFFIX.test(rest)) return `${names[base]} ${rest.toUpperCase()}`
  }
  return key
}

export function formatNumber(value: number, lang: Lang = current): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value)
}

/** A share (0..1) as a percentage, e.g. 0.5 → "50%", 0.8735 → "87.4%". */
export function formatPercent(rate: number, lang: Lang = current): string {
  if (!Number.isFinite(rate)) return '—'
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(rate)
}

/** Date and time for a millisecond timestamp, e.g. "2025年11月23日 09:37" or "Nov 23, 2025, 9:37 AM". */
export function formatDateTime(ms: number, lang: Lang = current): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(ms)
}

/** A value with its unit as the user reads it, e.g. "420 mA", "1.5 半波/秒"; "—" when there is none. */
export function formatQuantity(value: number | null | undefined, unit: string, lang: Lang = current): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const shown = label('unit', unit, lang)
  return shown ? `${formatNumber(value, lang)} ${shown}` : formatNumber(value, lang)
}

/** A date without the time, e.g. "2025年12月2日" or "Dec 2, 2025". */
export function formatDate(ms: number, lang: Lang = current): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(ms)
}

/** Hours and minutes for chart axes, e.g. "09:30" or "9:30 AM". */
export function formatTime(ms: number, lang: Lang = current): string {
  return new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' }).format(ms)
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** How far ahead a moment is: "9天后" / "in 9 days", "5小时后" / "in 5 hours"; at least one hour. */
export function formatFromNow(ms: number, now: number = Date.now(), lang: Lang = current): string {
  const ahead = ms - now
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'always' })
  if (ahead < 2 * DAY_MS) return format.format(Math.max(1, Math.round(ahead / HOUR_MS)), 'hour')
  return format.format(Math.round(ahead / DAY_MS), 'day')
}

/**
 * A length of time in the largest whole unit: 900 → "15 分钟" / "15 minutes", 3600 → "1 小时", 86400 → "1 天";
 * 5400 → "90 分钟". Below a minute, seconds.
 */
export function formatDuration(seconds: number, lang: Lang = current): string {
  const s = Math.max(0, Math.round(seconds))
  if (s >= 86400 && s % 86400 === 0) return t('unit.days', { count: s / 86400 }, lang)
  if (s >= 3600 && s % 3600 === 0) return t('unit.hours', { count: s / 3600 }, lang)
  if (s >= 60) return t('unit.minutes', { count: Math.round(s / 60) }, lang)
  return t('unit.seconds', { value: s }, lang)
}

function sameDay(a: number, b: number): boolean {
  const x = new Date(a)
  const y = new Date(b)
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate()
}

/** A moment near now: the time alone today ("03:02"), else with the day ("11月22日 03:02" / "Nov 22, 3:02 AM"). */
export function formatRecent(ms: number, now: number = Date.now(), lang: Lang = current): string {
  if (sameDay(ms, now)) return formatTime(ms, lang)
  return new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(ms)
}
