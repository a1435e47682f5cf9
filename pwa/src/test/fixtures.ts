// Shapes the server sends (GET /api/v1/sites, /sites/{id}, /me), for tests.
import type { Alarm, AlarmEvent, AlarmTransition } from '../features/alarms/types'
import type { Commissioning, ControlRecord, StepName } from '../features/devices/types'
import type { Delivery, Subscription, TestResult } from '../features/notify/types'
import type { Site, SiteDetail } from '../features/sites/types'
import type { User } from '../platform/wire'

export const user: User = {
  id: 7,
  username: 'inspector1',
  role: 'inspector',
  display_name: '李网格',
  company_id: null,
  regions: ['430903001'],
  department: null,
}

export function site(id: number, overrides: Partial<Site> = {}): Site {
  return {
    id,
    name: `集贸市场 ${id}号摊位`,
    address: '益阳市赫山区龙岭路 1 号',
    region_code: '430903',
    region_name: '益阳市 赫山区',
    venue_type: 'market',
    department: 'commerce',
    required_capabilities: ['arc_extinguishing'],
    key_unit: false,
    owner_id: 3,
    company_id: 1,
    lat: 28.57,
    lon: 112.36,
    created_at: 1_763_800_000,
    device_count: 1,
    status: 'normal',
    ...overrides,
  }
}

export function siteDetail(id: number): SiteDetail {
  return {
    ...site(id),
    devices: [
      {
        id: 100 + id,
        site_id: id,
        serial: 'AD-2025-000123',
        model: 'AD-B63',
        kind: 'breaker',
        name: '插座回路断路器',
        circuit: '插座回路',
        rated_current_a: 32,
        state: 'commissioned',
        created_at: 1_763_800_100,
        channels: [
          {
            id: 1000 + id,
            device_id: 100 + id,
            key: 'residual_ma',
            unit: 'mA',
            settings: { enabled: true, alarm: 300, prealarm: 240, delay_s: 5 },
          },
        ],
      },
    ],
  }
}

/** An active leakage alarm on the fixture site's residual-current channel (siteDetail(12)). */
export function alarm(id: number, overrides: Partial<Alarm> = {}): Alarm {
  return {
    id,
    site_id: 12,
    device_id: 112,
    device_name: '插座回路断路器',
    device_serial: 'AD-2025-000123',
    channel: 'residual_ma',
    channel_id: 1012,
    level: 'alarm',
    cause: 'leakage',
    started_at: 1_763_856_000 + id,
    cleared_at: null,
    peak: 420,
    unit: 'mA',
    threshold: 300,
    detail: {},
    acknowledged_at: null,
    acknowledged_by: null,
    ...overrides,
  }
}

export function alarmEvent(id: number, transition: AlarmTransition, overrides: Partial<Alarm> = {}): AlarmEvent {
  return { ...alarm(id, overrides), transition }
}

const STEP_NAMES: StepName[] = ['pair', 'identify', 'live_read', 'self_test', 'thresholds', 'accept']

/** A commissioning just started for a smart breaker (POST /api/v1/commissioning). */
export function commissioning(overrides: Partial<Commissioning> = {}): Commissioning {
  return {
    id: 5,
    site_id: 12,
    address: 'C4:7F:51:0A:12:34',
    model: 'AD-B63',
    model_name: '安电 AD-B63 智能断路器',
    kind: 'breaker',
    serial: null,
    device_id: null,
    state: 'in_progress',
    steps: STEP_NAMES.map((step) => ({ step, status: 'pending', at: null, code: null, error: null, result: null })),
    channels: [
      { id: 31, key: 'residual_ma', unit: 'mA', settings: { enabled: true, alarm: 300, prealarm: 240, delay_s: 5 } },
      { id: 32, key: 'current_a', unit: 'A', settings: { enabled: true, alarm: 32, prealarm: 28.8, delay_s: 5, rated_a: 32 } },
      { id: 33, key: 'energy_kwh', unit: 'kWh', settings: { enabled: true } },
    ],
    checklist: [
      { key: 'location', text: { 'zh-CN': '安装位置正确', en: 'Installed in the right place' } },
      { key: 'transformer', text: { 'zh-CN': 'L、N 线同时穿过互感器', en: 'L and N both pass through the transformer' } },
    ],
    created_at: 1_763_900_000,
    completed_at: null,
    ...overrides,
  }
}

/** `commissioning()` with the first `count` steps done. */
export function commissioningDone(count: number, overrides: Partial<Commissioning> = {}): Commissioning {
  const base = commissioning(overrides)
  return {
    ...base,
    steps: base.steps.map((s, i) => (i < count ? { ...s, status: 'done', at: 1_763_900_100 + i } : s)),
  }
}

export function controlRecord(overrides: Partial<ControlRecord> = {}): ControlRecord {
  return {
    id: 1,
    device_id: 112,
    action: 'trip',
    reason: '商铺报故障电弧，远程分闸',
    outcome: 'done',
    switch: 'open',
    code: null,
    error: null,
    at: 1_763_900_500,
    by: '值班员 王',
    ...overrides,
  }
}

/** A WeCom group bot subscription for every site, as GET /api/v1/me/subscriptions lists it. */
export function subscription(id: number, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id,
    label: '店长微信群',
    url_masked: 'wecombot://a...f',
    service: 'WeCom Bot',
    scheme: 'wecombot',
    site_ids: null,
    levels: ['prealarm', 'alarm', 'fault', 'offline'],
    lang: 'zh-CN',
    digest_interval_s: 3600,
    quiet_start: null,
    quiet_end: null,
    created_at: 1_763_900_000,
    ...overrides,
  }
}

export function testResult(overrides: Partial<TestResult> = {}): TestResult {
  return {
    ok: true,
    results: [{ service: 'WeCom Bot', target: 'wecombot://a...f', ok: true, status: 'SUCCESS', error: null, elapsed_s: 0.42 }],
    ...overrides,
  }
}

/** The owner's immediate message when alarm 1 was raised, sent on the first attempt. */
export function delivery(id: number, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id,
    transition: 'raised',
    transition_at: 1_763_856_001,
    level: 'alarm',
    user: '王老板',
    role: 'owner',
    subscription_id: 1,
    target: 'wecombot://a...f',
    service: 'WeCom Bot',
    channel: 'wecom',
    tier: 0,
    mode: 'immediate',
    state: 'sent',
    due_at: 1_763_856_001,
    sent_at: 1_763_856_003,
    attempts: [{ ts: 1_763_856_003, ok: true, status: 'SUCCESS', error: null, elapsed_s: 0.8 }],
    ...overrides,
  }
}
