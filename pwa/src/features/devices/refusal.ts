// A server's refusal in the installer's words. The server's `detail` is English and names the field for API
// clients ("channels.current_a.alarm: 60 is outside …"); its `extra` carries the refusal as data ({code:
// 'out_of_range', setting, value, min, max, unit, basis}), which is said here in zh-CN or en without any field path.
// Pure: data in, words out.
import { ApiError } from '../../platform/http'
import { channelLabel, formatQuantity, getLanguage, t, type Lang, type MessageKey } from '../../platform/i18n'
import { checklistText } from './commission'
import type { ChecklistItem } from './types'

const SETTING: Record<string, MessageKey> = {
  alarm: 'channel.alarm',
  prealarm: 'channel.prealarm',
  delay_s: 'channel.delay_s',
  hysteresis: 'channel.hysteresis',
  rated_a: 'channel.rated_a',
  ambient_c: 'channel.ambient_c',
  enabled: 'channel.enabled',
}

const BASIS: Record<string, MessageKey> = {
  residual_standard: 'basis.residual_standard',
  below_alarm: 'basis.below_alarm',
  hysteresis_alarm: 'basis.hysteresis_alarm',
  temperature_standard: 'basis.temperature_standard',
  hysteresis_fixed: 'basis.hysteresis_fixed',
  ambient: 'basis.ambient',
  rated_current: 'basis.rated_current',
  rated_multiple: 'basis.rated_multiple',
  hysteresis_rated: 'basis.hysteresis_rated',
  voltage_standard: 'basis.voltage_standard',
  voltage_prealarm: 'basis.voltage_prealarm',
  arc_standard: 'basis.arc_standard',
  delay: 'basis.delay',
  device_range: 'basis.device_range',
}

type Extra = Readonly<Record<string, unknown>>

const text = (value: unknown): string => (typeof value === 'string' ? value : '')
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

function settingName(extra: Extra, lang: Lang | undefined): string {
  const setting = text(extra.setting)
  const key = SETTING[setting]
  return key ? t(key, undefined, lang) : setting
}

/** "25.6–46.4 A", with "not including 300 mA" where a bound itself is not allowed (a pre-alarm below the alarm). */
function rangeText(extra: Extra, unit: string, lang: Lang | undefined): string {
  const min = num(extra.min)
  const max = num(extra.max)
  if (min === undefined || max === undefined) return ''
  const range = `${formatQuantity(min, '', lang)}–${formatQuantity(max, unit, lang)}`
  if (extra.max_open === true) return t('refusal.exclusive', { range, bound: formatQuantity(max, unit, lang) }, lang)
  if (extra.min_open === true) return t('refusal.exclusive', { range, bound: formatQuantity(min, unit, lang) }, lang)
  return range
}

function itemsText(keys: unknown, checklist: readonly ChecklistItem[], lang: Lang | undefined): string {
  const list = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : []
  const names = list.map((key) => {
    const item = checklist.find((i) => i.key === key)
    return item ? `「${checklistText(item, lang ?? getLanguage())}」` : key
  })
  return names.join((lang ?? getLanguage()) === 'en' ? ', ' : '、')
}

/** The refusal said from its `extra`, or null when its code is not one the installer's screens know. */
export function refusalWords(extra: Extra, checklist: readonly ChecklistItem[] = [], lang?: Lang): string | null {
  const unit = text(extra.unit)
  const setting = settingName(extra, lang)
  switch (extra.code) {
    case 'out_of_range': {
      const basisKey = BASIS[text(extra.basis)]
      const basis = basisKey ? t(basisKey, undefined, lang) : text(extra.source)
      const value = formatQuantity(num(extra.value), unit, lang)
      return t('refusal.out_of_range', { setting, value, range: rangeText(extra, unit, lang), basis }, lang)
    }
    case 'device_step':
      return t('refusal.device_step', {
        setting,
        value: formatQuantity(num(extra.value), unit, lang),
        step: formatQuantity(num(extra.step), unit, lang),
      }, lang)
    case 'not_number':
      return t('refusal.not_number', { setting }, lang)
    case 'not_boolean':
      return t('refusal.not_boolean', { setting }, lang)
    case 'not_applicable':
      return t('refusal.not_applicable', { setting, channel: channelLabel(text(extra.channel), lang) }, lang)
    case 'unknown_setting':
      return t('refusal.unknown_setting', { setting }, lang)
    case 'unknown_channel':
      return t('refusal.unknown_channel', { channel: channelLabel(text(extra.channel), lang) }, lang)
    case 'required':
      return t(extra.field === 'name' ? 'refusal.required_name' : 'refusal.required_circuit', undefined, lang)
    case 'photo_required':
      return t('refusal.photo_required', { items: itemsText(extra.items, checklist, lang) }, lang)
    case 'unanswered':
      return t('refusal.unanswered', { items: itemsText(extra.items, checklist, lang) }, lang)
    case 'attachment_missing':
      return t('refusal.attachment_missing', undefined, lang)
    case 'not_image':
      return t('refusal.not_image', undefined, lang)
    default:
      return null
  }
}

/** The server's detail without the field path it starts with ("channels.x.alarm: must be …" → "must be …"). */
export function withoutPath(detail: string, field: string | null): string {
  if (field && detail.startsWith(`${field}: `)) return detail.slice(field.length + 2)
  return detail
}

/** Any refusal as the installer reads it: in their language when the server sent its code, else its own words. */
export function refusalText(error: ApiError, checklist: readonly ChecklistItem[] = [], lang?: Lang): string {
  const words = error.extra ? refusalWords(error.extra, checklist, lang) : null
  return words ?? withoutPath(error.detail, error.field)
}
