import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { site, subscription } from '../../test/fixtures'
import {
  checkForm,
  createBody,
  DIGEST_CHOICES_S,
  digestChoices,
  digestText,
  errorsOf,
  formOf,
  isTime,
  levelHint,
  LEVELS,
  newForm,
  patchBody,
  quietText,
  sitesText,
  type SubscriptionForm,
} from './subscription-form'

const filled = (overrides: Partial<SubscriptionForm> = {}): SubscriptionForm => ({
  ...newForm('zh-CN'),
  url: '  wecombot://KEY  ',
  ...overrides,
})

describe('a new subscription', () => {
  it('starts with every site, every level, the app language and hourly digests', () => {
    expect(newForm('en')).toMatchObject({ allSites: true, levels: LEVELS, lang: 'en', digestS: 3600, quiet: false })
  })

  it('sends every field, site_ids null for every site and no quiet hours', () => {
    expect(createBody(filled({ label: ' 店长微信群 ' }))).toEqual({
      url: 'wecombot://KEY',
      label: '店长微信群',
      site_ids: null,
      levels: ['alarm', 'offline', 'prealarm', 'fault', 'hazard'],
      lang: 'zh-CN',
      digest_interval_s: 3600,
      quiet_start: null,
      quiet_end: null,
    })
  })

  it('sends the chosen sites sorted, the levels in a fixed order and both quiet times', () => {
    const body = createBody(
      filled({ allSites: false, siteIds: [14, 12, 14], levels: ['fault', 'alarm'], quiet: true, quietStart: '22:30', quietEnd: '06:00' }),
    )
    expect(body).toMatchObject({ site_ids: [12, 14], levels: ['alarm', 'fault'], quiet_start: '22:30', quiet_end: '06:00' })
  })
})

describe('checkForm', () => {
  it.each([
    ['an empty URL', filled({ url: ' ' }), 'url', '请填写通知地址'],
    ['a URL without a scheme', filled({ url: 'qyapi.weixin.qq.com/cgi-bin/webhook' }), 'url', '地址应以服务类型开头，例如 wecombot://、mailto://'],
    ['no level', filled({ levels: [] }), 'levels', '请至少选择一个级别'],
    ['"selected sites" with none', filled({ allSites: false, siteIds: [] }), 'site_ids', '请至少选择一个场所，或选择全部场所'],
    ['a half-filled quiet period', filled({ quiet: true, quietEnd: '' }), 'quiet_start', '请填写开始和结束时间（时:分）'],
    ['an empty quiet period', filled({ quiet: true, quietStart: '07:00', quietEnd: '07:00' }), 'quiet_start', '开始和结束时间不能相同'],
    ['a label over 40 characters', filled({ label: '店'.repeat(41) }), 'label', '名称最多 40 个字'],
  ] as const)('refuses %s', (_name, form, field, message) => {
    expect(checkForm(form, 'create', 'zh-CN')).toEqual({ [field]: message })
  })

  it('passes a filled form, and quiet times are only checked when quiet hours are on', () => {
    expect(checkForm(filled(), 'create')).toEqual({})
    expect(checkForm(filled({ quiet: false, quietStart: 'x' }), 'create')).toEqual({})
    expect(checkForm(filled({ quiet: true, quietStart: '22:00', quietEnd: '07:00' }), 'create')).toEqual({})
  })

  it('does not ask for the URL when editing (it cannot change)', () => {
    expect(checkForm({ ...filled(), url: '' }, 'edit')).toEqual({})
  })

  it('explains in English too', () => {
    expect(checkForm(filled({ levels: [] }), 'create', 'en')).toEqual({ levels: 'Choose at least one level' })
  })
})

describe('isTime', () => {
  it.each([
    ['00:00', true],
    ['07:05', true],
    ['23:59', true],
    ['24:00', false],
    ['7:05', false],
    ['07:60', false],
    ['', false],
  ] as const)('%s → %s', (value, ok) => {
    expect(isTime(value)).toBe(ok)
  })
})

describe('editing', () => {
  const saved = subscription(3, { site_ids: [14, 12], levels: ['alarm', 'offline'], quiet_start: '22:00', quiet_end: '07:00' })

  it('fills the form from the saved subscription, without the URL', () => {
    expect(formOf(saved)).toEqual({
      url: '',
      label: '店长微信群',
      allSites: false,
      siteIds: [14, 12],
      levels: ['alarm', 'offline'],
      lang: 'zh-CN',
      digestS: 3600,
      quiet: true,
      quietStart: '22:00',
      quietEnd: '07:00',
    })
  })

  it('sends nothing when nothing changed (site order does not count)', () => {
    expect(patchBody({ ...formOf(saved), siteIds: [12, 14] }, saved)).toEqual({})
  })

  it('sends only what changed', () => {
    expect(patchBody({ ...formOf(saved), label: '夜班', digestS: 900 }, saved)).toEqual({ label: '夜班', digest_interval_s: 900 })
    expect(patchBody({ ...formOf(saved), levels: ['offline', 'alarm', 'prealarm'] }, saved)).toEqual({
      levels: ['alarm', 'offline', 'prealarm'],
    })
  })

  it('sends null on purpose for "every site" and for switching quiet hours off', () => {
    expect(patchBody({ ...formOf(saved), allSites: true }, saved)).toEqual({ site_ids: null })
    expect(patchBody({ ...formOf(saved), quiet: false }, saved)).toEqual({ quiet_start: null, quiet_end: null })
  })

  it('sends both quiet times when one changes', () => {
    expect(patchBody({ ...formOf(saved), quietEnd: '06:30' }, saved)).toEqual({ quiet_start: '22:00', quiet_end: '06:30' })
  })
})

describe('errorsOf (the server refused)', () => {
  it("puts the server's detail next to the field it names", () => {
    const url = new ApiError(400, 'url: apprise does not understand this URL', 'url')
    expect(errorsOf(url)).toEqual({ url: 'url: apprise does not understand this URL' })
    expect(errorsOf(new ApiError(400, 'site_ids: no such site 99', 'site_ids'))).toEqual({ site_ids: 'site_ids: no such site 99' })
  })

  it('shows quiet_end with quiet_start, and anything else under the form', () => {
    expect(errorsOf(new ApiError(400, 'quiet_end: not HH:MM', 'quiet_end'))).toEqual({ quiet_start: 'quiet_end: not HH:MM' })
    expect(errorsOf(new ApiError(400, 'too many subscriptions', null))).toEqual({ form: 'too many subscriptions' })
    expect(errorsOf(new ApiError(400, 'x: odd', 'x'))).toEqual({ form: 'x: odd' })
  })
})

describe('words for a saved subscription', () => {
  const sites = [site(12), site(14, { name: '惠民超市 赫山店' })]

  it('names its sites', () => {
    expect(sitesText(null, sites, 'zh-CN')).toBe('全部场所')
    expect(sitesText(null, sites, 'en')).toBe('All sites')
    expect(sitesText([12, 14], sites, 'zh-CN')).toBe('集贸市场 12号摊位、惠民超市 赫山店')
    expect(sitesText([12, 99], sites, 'zh-CN')).toBe('集贸市场 12号摊位、场所 #99')
    expect(sitesText([12], undefined, 'en')).toBe('Site #12')
  })

  it('says how often digests go out', () => {
    expect(digestText(900, 'zh-CN')).toBe('每 15 分钟')
    expect(digestText(3600, 'zh-CN')).toBe('每 1 小时')
    expect(digestText(86400, 'en')).toBe('every 1 day')
    expect(digestText(4 * 3600, 'en')).toBe('every 4 hours')
  })

  it('shows the quiet hours', () => {
    expect(quietText({ quiet_start: '22:00', quiet_end: '07:00' }, 'zh-CN')).toBe('22:00–07:00')
    expect(quietText({ quiet_start: null, quiet_end: null }, 'zh-CN')).toBe('无')
  })

  it('offers the usual digest intervals, plus the saved one if it is not among them', () => {
    expect(digestChoices(3600)).toEqual([...DIGEST_CHOICES_S])
    expect(digestChoices(300)).toEqual([300, 900, 1800, 3600, 14400, 86400])
  })

  it('tells which levels go at once and which wait for the digest', () => {
    expect(LEVELS.map(levelHint)).toEqual([
      'subs.level_immediate',
      'subs.level_immediate',
      'subs.level_digest',
      'subs.level_digest',
      'subs.level_hazard',
    ])
  })
})
