import { describe, expect, it } from 'vitest'
import { at, event, hazardDetail } from '../../test/hazards'
import { timeline } from './timeline'

const SHA = 'c'.repeat(64)

describe('timeline', () => {
  const detail = hazardDetail(1, {
    state: 'closed',
    events: [
      event(1, { note: '收银台下方插座有烧痕', attachments: [SHA] }),
      event(2, { kind: 'assigned', state: 'assigned', ts: at(23, 8) }),
      event(3, { kind: 'overdue', state: 'assigned', actor: null, actor_role: null, ts: at(26, 23) }),
      event(4, { kind: 'comment', state: 'assigned', note: '电工明天到', actor: '王老板', actor_role: 'owner' }),
      event(5, { kind: 'assigned', state: 'assigned', actor: '值班员', actor_role: 'operator' }),
      event(6, { kind: 'rectified', state: 'rectified', note: '换了插座', actor: '王老板', actor_role: 'owner', attachments: [SHA] }),
      event(7, { kind: 'rejected', state: 'assigned', note: '面板仍松动' }),
      event(8, { kind: 'verified', state: 'verified' }),
      event(9, { kind: 'closed', state: 'closed', actor: '消防支队', actor_role: 'regulator' }),
      event(10, { kind: 'escalated', state: 'closed' }),
    ],
  })

  it('says what happened, who did it and in what role', () => {
    const rows = timeline(detail, 'zh-CN').map((e) => [e.kind, e.title, e.actor, e.role, e.note, e.tone])
    expect(rows).toEqual([
      ['created', '上报隐患', '李娟', '网格员', '收银台下方插座有烧痕', 'info'],
      // The events do not say whom to: only the latest assignment is the hazard's assignee now.
      ['assigned', '指派整改', '李娟', '网格员', '', 'info'],
      ['overdue', '超过整改期限，已逾期', '系统', null, '', 'bad'],
      ['comment', '留言', '王老板', '业主', '电工明天到', 'comment'],
      ['assigned', '指派给 王老板，2025年11月26日前整改', '值班员', '运营单位', '', 'info'],
      ['rectified', '整改完成，提交验收', '王老板', '业主', '换了插座', 'review'],
      ['rejected', '验收不通过，退回整改', '李娟', '网格员', '面板仍松动', 'bad'],
      ['verified', '验收通过', '李娟', '网格员', '', 'good'],
      ['closed', '关闭隐患', '消防支队', '监管部门', '', 'good'],
      ['escalated', 'escalated', '李娟', '网格员', '', 'info'],
    ])
  })

  it('keeps times, states and photos', () => {
    const first = timeline(detail, 'en')[0]
    expect(first).toMatchObject({ id: 1, state: 'open', at: at(23, 8) * 1000, attachments: [SHA] })
  })

  it('names the system for a hazard made from an alarm', () => {
    const fromAlarm = hazardDetail(2, {
      source: 'alarm',
      alarm_id: 42,
      created_by: null,
      events: [event(1, { actor: null, actor_role: null, note: '插座回路漏电流 380 mA' })],
    })
    expect(timeline(fromAlarm, 'en')[0]).toMatchObject({ title: 'Made from an alarm automatically', actor: 'System', role: null })
  })

  it('says an alarm came again and links to it', () => {
    const again = hazardDetail(3, {
      source: 'alarm',
      alarm_id: 42,
      events: [
        event(1, { actor: null, actor_role: null }),
        event(2, {
          kind: 'alarm_again',
          actor: null,
          actor_role: null,
          ts: at(24, 3, 5),
          detail: { alarm_id: 57, cause: 'leakage', level: 'alarm', started_at: at(24, 3, 2), peak: 410, unit: 'mA' },
        }),
      ],
    })
    const [zh, en] = [timeline(again, 'zh-CN')[1], timeline(again, 'en')[1]]
    expect(zh).toMatchObject({ kind: 'alarm_again', title: '再次报警：漏电流（2025年11月24日 03:02）', actor: '系统', tone: 'bad', alarmPath: '/alarms/57' })
    expect(en?.title.replace(/\u202f/g, ' ')).toBe('Alarm again: leakage current (Nov 24, 2025, 3:02 AM)')
    expect(timeline(again, 'zh-CN')[0]?.alarmPath).toBeNull()
  })

  it('shows an alarm_again without its details as far as it can', () => {
    const bare = hazardDetail(4, {
      events: [event(1, { kind: 'alarm_again', actor: null, actor_role: null, ts: at(24, 3, 5), detail: { cause: 'water_ingress' } })],
    })
    expect(timeline(bare, 'zh-CN')[0]).toMatchObject({ title: '再次报警：water_ingress（2025年11月24日 03:05）', alarmPath: null })
  })
})
