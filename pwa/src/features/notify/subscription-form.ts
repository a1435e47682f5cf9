// The notification settings form without rendering: its fields, the checks made before sending, the request
// bodies, and the words for a saved subscription. Pure: data in, data out.
//
// The server is the judge (400 names the refused field in extra.field); the checks here only catch what the
// user can fix without a round trip: an empty URL, no level, no site, a half-filled quiet period.
import type { ApiError } from '../../platform/http'
import { formatDuration, label, t, type Lang, type MessageKey } from '../../platform/i18n'
import type { Site } from '../sites/types'
import type { NotifyLang, NotifyLevel, Subscription, SubscriptionCreate, SubscriptionPatch } from './types'

/** The order the levels are offered in: those sent at once first, then those collected into digests. */
export const LEVELS: readonly NotifyLevel[] = ['alarm', 'offline', 'prealarm', 'fault', 'hazard']

/** Alarms and offline devices are sent at once and never held back by quiet hours. */
export const IMMEDIATE_LEVELS: ReadonlySet<NotifyLevel> = new Set(['alarm', 'offline', 'hazard'])

/** The digest intervals offered (the server takes 300 to 86400 s). One hour is the server's default. */
export const DIGEST_CHOICES_S: readonly number[] = [900, 1800, 3600, 4 * 3600, 86400]
export const DEFAULT_DIGEST_S = 3600

/** The server's limit on a label. */
export const LABEL_MAX = 40

export const NOTIFY_LANGS: readonly NotifyLang[] = ['zh-CN', 'en']

/** The fields the server may name in extra.field. */
export type SubscriptionField =
  | 'url'
  | 'label'
  | 'site_ids'
  | 'levels'
  | 'lang'
  | 'digest_interval_s'
  | 'quiet_start'
  | 'quiet_end'

const FIELDS: ReadonlySet<string> = new Set<SubscriptionField>([
  'url',
  'label',
  'site_ids',
  'levels',
  'lang',
  'digest_interval_s',
  'quiet_start',
  'quiet_end',
])

export interface SubscriptionForm {
  url: string
  label: string
  /** Every site the user can see, now and later (site_ids null). */
  allSites: boolean
  siteIds: number[]
  levels: NotifyLevel[]
  lang: NotifyLang
  digestS: number
  quiet: boolean
  /** "HH:MM" as <input type="time"> gives it. */
  quietStart: string
  quietEnd: string
}

/** A new subscription: every site, every level, messages in the app's language, hourly digests. */
export function newForm(lang: NotifyLang): SubscriptionForm {
  return {
    url: '',
    label: '',
    allSites: true,
    siteIds: [],
    levels: [...LEVELS],
    lang,
    digestS: DEFAULT_DIGEST_S,
    quiet: false,
    quietStart: '22:00',
    quietEnd: '07:00',
  }
}

/** The form for editing a saved subscription (its URL is never sent back: it cannot be changed). */
export function formOf(s: Subscription): SubscriptionForm {
  const quiet = s.quiet_start !== null && s.quiet_end !== null
  return {
    url: '',
    label: s.label,
    allSites: s.site_ids === null,
    siteIds: s.site_ids ?? [],
    levels: LEVELS.filter((level) => s.levels.includes(level)),
    lang: s.lang,
    digestS: s.digest_interval_s,
    quiet,
    quietStart: s.quiet_start ?? '22:00',
    quietEnd: s.quiet_end ?? '07:00',
  }
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

export function isTime(value: string): boolean {
  return TIME.test(value)
}

export type FieldErrors = Partial<Record<SubscriptionField | 'form', string>>

/** What to fix before sending, by field; empty when the form may be sent. */
export function checkForm(form: SubscriptionForm, mode: 'create' | 'edit', lang?: Lang): FieldErrors {
  const errors: FieldErrors = {}
  const url = form.url.trim()
  if (mode === 'create') {
    if (!url) errors.url = t('subs.error_url_empty', undefined, lang)
    else if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(url)) errors.url = t('subs.error_url_scheme', undefined, lang)
  }
  if ([...form.label.trim()].length > LABEL_MAX) errors.label = t('subs.error_label', { max: LABEL_MAX }, lang)
  if (!form.allSites && form.siteIds.length === 0) errors.site_ids = t('subs.error_sites', undefined, lang)
  if (form.levels.length === 0) errors.levels = t('subs.error_levels', undefined, lang)
  if (form.quiet) {
    if (!isTime(form.quietStart) || !isTime(form.quietEnd)) errors.quiet_start = t('subs.error_quiet', undefined, lang)
    else if (form.quietStart === form.quietEnd) errors.quiet_start = t('subs.error_quiet_same', undefined, lang)
  }
  return errors
}

function sortedIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b)
}

/** Every editable field as the server takes it. */
function editable(form: SubscriptionForm): Required<SubscriptionPatch> {
  return {
    label: form.label.trim(),
    site_ids: form.allSites ? null : sortedIds(form.siteIds),
    levels: LEVELS.filter((level) => form.levels.includes(level)),
    lang: form.lang,
    digest_interval_s: form.digestS,
    quiet_start: form.quiet ? form.quietStart : null,
    quiet_end: form.quiet ? form.quietEnd : null,
  }
}

export function createBody(form: SubscriptionForm): SubscriptionCreate {
  return { url: form.url.trim(), ...editable(form) }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * Only what changed. `site_ids: null` is sent on purpose when the user switches to every site, and
 * `quiet_start/quiet_end: null` when quiet hours are switched off: null means "none", never "unchanged".
 */
export function patchBody(form: SubscriptionForm, original: Subscription): SubscriptionPatch {
  const next = editable(form)
  const before: Required<SubscriptionPatch> = {
    label: original.label,
    site_ids: original.site_ids === null ? null : sortedIds(original.site_ids),
    levels: LEVELS.filter((level) => original.levels.includes(level)),
    lang: original.lang,
    digest_interval_s: original.digest_interval_s,
    quiet_start: original.quiet_start,
    quiet_end: original.quiet_end,
  }
  const patch: SubscriptionPatch = {}
  for (const key of Object.keys(next) as (keyof SubscriptionPatch)[]) {
    if (!same(next[key], before[key])) Object.assign(patch, { [key]: next[key] })
  }
  // The server checks quiet hours as a pair: send both when either changes.
  if ('quiet_start' in patch || 'quiet_end' in patch) {
    patch.quiet_start = next.quiet_start
    patch.quiet_end = next.quiet_end
  }
  return patch
}

/**
 * Where a refusal belongs: the field the server named (quiet_end is shown with quiet_start), else the form.
 * The message is the server's `detail`, which already starts with the field's name.
 */
export function errorsOf(error: Pick<ApiError, 'field' | 'detail'>): FieldErrors {
  const field = error.field === 'quiet_end' ? 'quiet_start' : error.field
  if (field && FIELDS.has(field)) return { [field]: error.detail }
  return { form: error.detail }
}

/** The interval choices, with the subscription's own value if it is not one of them (set through the API). */
export function digestChoices(current: number): number[] {
  return DIGEST_CHOICES_S.includes(current) ? [...DIGEST_CHOICES_S] : [...DIGEST_CHOICES_S, current].sort((a, b) => a - b)
}

// ---- Words for a saved subscription ----

/** "全部场所", or the names of its sites; a site no longer in the user's list shows by its number. */
export function sitesText(siteIds: number[] | null, sites: readonly Site[] | undefined, lang?: Lang): string {
  if (siteIds === null) return t('subs.all_sites', undefined, lang)
  if (siteIds.length === 0) return t('common.none', undefined, lang)
  const names = new Map((sites ?? []).map((s) => [s.id, s.name]))
  return siteIds.map((id) => names.get(id) ?? t('subs.site_number', { id: String(id) }, lang)).join('、')
}

export function digestText(seconds: number, lang?: Lang): string {
  return t('subs.digest_every', { interval: formatDuration(seconds, lang) }, lang)
}

export function quietText(s: Pick<Subscription, 'quiet_start' | 'quiet_end'>, lang?: Lang): string {
  if (s.quiet_start === null || s.quiet_end === null) return t('subs.quiet_none', undefined, lang)
  return t('subs.quiet_range', { start: s.quiet_start, end: s.quiet_end }, lang)
}

export function langText(lang: NotifyLang | string, uiLang?: Lang): string {
  return label('notify_lang', lang, uiLang)
}

/** How a level is sent: at once, or collected into the digest. */
/** A level's name: the alarm levels' own, and 隐患 for news of hazards. */
export function levelName(level: NotifyLevel, lang?: Lang): string {
  return level === 'hazard' ? t('subs.level_hazard_name', undefined, lang) : label('status', level, lang)
}

export function levelHint(level: NotifyLevel): MessageKey {
  if (level === 'hazard') return 'subs.level_hazard'
  return IMMEDIATE_LEVELS.has(level) ? 'subs.level_immediate' : 'subs.level_digest'
}

// ---- The help under the URL field ----

export interface UrlExample {
  /** Which service, and where its keys come from. */
  text: MessageKey
  example: string
}

/**
 * Apprise URLs of the services people here use. The WeCom app form is apprise's own
 * (wechat://{corpid}:{corpsecret}@{agentid}/@{user}); a recipient of @all reaches every member.
 */
export const URL_EXAMPLES: readonly UrlExample[] = [
  { text: 'subs.example_wecombot', example: 'wecombot://KEY' },
  { text: 'subs.example_wechat', example: 'wechat://CORPID:SECRET@AGENTID/@all' },
  { text: 'subs.example_wxpusher', example: 'wxpusher://APP_TOKEN/UID_xxx' },
  { text: 'subs.example_schan', example: 'schan://SENDKEY' },
  { text: 'subs.example_mailto', example: 'mailto://user:password@smtp.example.com?to=a@example.com' },
  { text: 'subs.example_sms', example: 'twilio://ACCOUNT_SID:AUTH_TOKEN@+15550001111/+8613800000000' },
]
