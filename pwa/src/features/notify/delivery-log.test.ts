import { describe, expect, it } from 'vitest'
import { delivery } from '../../test/fixtures'
import { channelText, deliveryStateText, failureOf, groupDeliveries } from './delivery-log'

// Local times, so the expected clock times hold in any time zone.
const at = (h: number, m: number) => new Date(2025, 10, 23, h, m).getTime() / 1000
const NOW = new Date(2025, 10, 23, 3, 20).getTime()

describe('groupDeliveries', () => {
  it('groups by transition and its time, in the order the server lists them', () => {
    const list = [
      delivery(1, { transition: 'raised', transition_at: at(3, 0), tier: 0 }),
      delivery(2, { transition: 'raised', transition_at: at(3, 0), tier: 0, user: '店员小李' }),
      delivery(3, { transition: 'escalated', transition_at: at(3, 10), tier: 1, user: '值班员' }),
      delivery(4, { transition: 'escalated', transition_at: at(3, 30), tier: 2, user: '李网格' }),
      delivery(5, { transition: 'cleared', transition_at: at(3, 40), level: 'alarm' }),
    ]
    const groups = groupDeliveries(list)
    expect(groups.map((g) => [g.transition, g.deliveries.map((d) => d.id)])).toEqual([
      ['raised', [1, 2]],
      ['escalated', [3]],
      ['escalated', [4]],
      ['cleared', [5]],
    ])
    expect(groups[0]).toMatchObject({ at: at(3, 0), level: 'alarm' })
  })

  it('is empty for no deliveries', () => {
    expect(groupDeliveries([])).toEqual([])
  })
})

describe('deliveryStateText', () => {
  it.each([
    ['sent by WeCom', delivery(1, { sent_at: at(3, 2) }), '已通过企业微信通知 3:02', 'Notified by WeCom 3:02 AM'],
    [
      'sent by SMS',
      delivery(1, { sent_at: at(3, 2), channel: 'sms', service: 'Aliyun SMS' }),
      '已通过短信通知 3:02',
      'Notified by SMS 3:02 AM',
    ],
    [
      'called',
      delivery(1, { sent_at: at(3, 2), channel: 'call', service: 'phone call' }),
      '已通过电话通知 3:02',
      'Notified by phone call 3:02 AM',
    ],
    [
      'sent by e-mail, never "E-Mail"',
      delivery(1, { sent_at: at(3, 2), channel: 'email', service: 'E-Mail' }),
      '已通过邮件通知 3:02',
      'Notified by e-mail 3:02 AM',
    ],
    [
      'waiting for the digest',
      delivery(1, { state: 'waiting', mode: 'digest', due_at: at(4, 0), sent_at: null, attempts: [] }),
      '等待摘要，约 4:00 发送',
      'Waiting for the digest, due about 4:00 AM',
    ],
    [
      'folded into a rate-limit summary',
      delivery(1, { state: 'waiting', mode: 'summary', due_at: at(3, 25), sent_at: null, attempts: [] }),
      '已并入汇总，约 3:25 发送',
      'Folded into a summary, due about 3:25 AM',
    ],
    [
      'retrying after a failure',
      delivery(1, {
        state: 'retrying',
        due_at: at(3, 22),
        sent_at: null,
        attempts: [
          { ts: at(3, 1), ok: false, status: 'TIMEOUT', error: null, elapsed_s: 10 },
          { ts: at(3, 2), ok: false, status: 'FAILURE', error: 'errcode 93000: invalid webhook url', elapsed_s: 0.3 },
        ],
      }),
      '重试中：已尝试 2 次，最近一次失败：errcode 93000: invalid webhook url；约 3:22 再试',
      'Retrying: 2 attempts so far, last failure: errcode 93000: invalid webhook url; next try about 3:22 AM',
    ],
    ['about to be sent', delivery(1, { state: 'pending', sent_at: null, attempts: [] }), '待发送', 'About to be sent'],
  ] as const)('%s', (_name, d, zh, en) => {
    expect(deliveryStateText(d, 'zh-CN', NOW)).toBe(zh)
    expect(deliveryStateText(d, 'en', NOW).replace(/\u202f/g, ' ')).toBe(en)
  })

  it('gives the day when it is not today', () => {
    const yesterday = delivery(1, { sent_at: at(3, 2) - 86400 })
    expect(deliveryStateText(yesterday, 'zh-CN', NOW)).toBe('已通过企业微信通知 11月22日 3:02')
  })

  it('names a service andian has no word for by its own name', () => {
    const other = delivery(1, { channel: 'other', service: 'Telegram' })
    expect(channelText(other, 'zh-CN')).toBe('Telegram')
    expect(deliveryStateText({ ...other, sent_at: at(3, 2) }, 'zh-CN', NOW)).toBe('已通过Telegram通知 3:02')
  })

  it('shows a state it does not know by its code', () => {
    expect(deliveryStateText(delivery(1, { state: 'bounced' }), 'zh-CN', NOW)).toBe('bounced')
  })
})

describe('failureOf', () => {
  it("uses the service's error, else the status", () => {
    expect(failureOf({ ts: 1, ok: false, status: 'TIMEOUT', error: null, elapsed_s: 10 }, 'zh-CN')).toBe('超时')
    expect(failureOf({ ts: 1, ok: false, status: 'FAILURE', error: 'HTTP 403', elapsed_s: 1 }, 'zh-CN')).toBe('HTTP 403')
    expect(failureOf(undefined)).toBe('—')
  })
})
