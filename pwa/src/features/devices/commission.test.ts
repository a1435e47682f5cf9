import { describe, expect, it } from 'vitest'
import { commissioning, commissioningDone } from '../../test/fixtures'
import {
  acceptBlocker,
  acceptBlockerText,
  acceptBody,
  blockedBy,
  canCommission,
  canRun,
  checklistText,
  identifyBody,
  invalidThreshold,
  isSelectable,
  liveReadResult,
  liveRows,
  nextStep,
  pairResult,
  parseNumber,
  photosMissing,
  selfTestKind,
  selfTestResult,
  signalBars,
  sortByRssi,
  STEPS,
  stepOf,
  thresholdForm,
  thresholdsBody,
  unanswered,
} from './commission'
import type { BleDevice, CommissioningStep, StepName } from './types'

function ble(address: string, rssi: number, known: BleDevice['known'] = null): BleDevice {
  return { address, name: `AD-${address}`, rssi, model: 'AD-B63', model_name: null, kind: 'breaker', known, device_id: null }
}

function done(step: StepName, result: Record<string, unknown>): CommissioningStep {
  return { step, status: 'done', at: 1, code: null, error: null, result }
}

describe('roles', () => {
  it.each([
    ['installer', true],
    ['operator', true],
    ['admin', true],
    ['owner', false],
    ['inspector', false],
    ['regulator', false],
    [undefined, false],
  ] as const)('%s may commission: %s', (role, expected) => {
    expect(canCommission(role)).toBe(expected)
  })
})

describe('scan results', () => {
  it('puts the strongest signal first, ties by address', () => {
    const list = [ble('B', -80), ble('A', -52), ble('D', -70), ble('C', -70)]
    expect(sortByRssi(list).map((d) => d.address)).toEqual(['A', 'C', 'D', 'B'])
    expect(list[0]?.address).toBe('B') // not sorted in place
  })

  it.each([
    [-40, 4],
    [-60, 4],
    [-61, 3],
    [-70, 3],
    [-79, 2],
    [-80, 2],
    [-85, 1],
    [-90, 1],
    [-91, 0],
    [-120, 0],
  ])('%d dBm → %d bars', (rssi, bars) => {
    expect(signalBars(rssi)).toBe(bars)
  })

  it('devices registered at another site cannot be chosen', () => {
    expect(isSelectable(ble('A', -50))).toBe(true)
    expect(isSelectable(ble('A', -50, 'here'))).toBe(true)
    expect(isSelectable(ble('A', -50, 'elsewhere'))).toBe(false)
  })
})

describe('step order', () => {
  it('lists the steps in the order the server takes them', () => {
    expect(STEPS).toEqual(['pair', 'identify', 'live_read', 'self_test', 'thresholds', 'accept'])
  })

  it.each([0, 1, 2, 3, 4, 5])('with %d steps done the next one is the one after', (count) => {
    expect(nextStep(commissioningDone(count))).toBe(STEPS[count])
  })

  it('has no next step when all are done', () => {
    expect(nextStep(commissioningDone(6, { state: 'commissioned' }))).toBeNull()
  })

  it('offers a step once every earlier step is done, and done steps again until accepted', () => {
    const c = commissioningDone(2)
    expect(STEPS.map((s) => canRun(c, s))).toEqual([true, true, true, false, false, false])
    expect(blockedBy(c, 'thresholds')).toBe('live_read')
    expect(blockedBy(c, 'live_read')).toBeNull()
    expect(blockedBy(c, 'pair')).toBeNull()
    const finished = commissioningDone(6, { state: 'commissioned' })
    expect(STEPS.some((s) => canRun(finished, s))).toBe(false)
  })

  it('a failed step blocks the later ones and may run again', () => {
    const c = commissioningDone(3)
    c.steps[3] = { ...c.steps[3]!, status: 'failed', code: 'self_test_no_alarm', error: 'no alarm within 15 s' }
    expect(canRun(c, 'self_test')).toBe(true)
    expect(canRun(c, 'thresholds')).toBe(false)
    expect(blockedBy(c, 'accept')).toBe('self_test')
    expect(nextStep(c)).toBe('self_test')
  })

  it('treats a step the server did not list as pending', () => {
    const c = commissioning({ steps: [] })
    expect(stepOf(c, 'pair')).toMatchObject({ step: 'pair', status: 'pending', result: null })
    expect(nextStep(c)).toBe('pair')
  })
})

describe('step results', () => {
  it('reads a pair result', () => {
    expect(pairResult(done('pair', { serial: 'AD-2025-000123', model: 'AD-B63', firmware: '1.4.2' }))).toEqual({
      serial: 'AD-2025-000123',
      model: 'AD-B63',
      firmware: '1.4.2',
    })
    expect(pairResult(done('pair', {}))).toBeNull()
    expect(pairResult({ ...done('pair', { serial: 'x' }), status: 'failed' })).toBeNull()
  })

  it('orders live values as the channels, then the rest', () => {
    const step = done('live_read', {
      values: { energy_kwh: 12.5, temp_c_1: 31, residual_ma: 12, current_a: 4.2 },
      units: { energy_kwh: 'kWh', residual_ma: 'mA', current_a: 'A' },
    })
    const result = liveReadResult(step)!
    expect(liveRows(result, commissioning().channels)).toEqual([
      { key: 'residual_ma', value: 12, unit: 'mA' },
      { key: 'current_a', value: 4.2, unit: 'A' },
      { key: 'energy_kwh', value: 12.5, unit: 'kWh' },
      { key: 'temp_c_1', value: 31, unit: '' },
    ])
    expect(liveReadResult(done('live_read', { identified: true }))).toBeNull()
  })

  it('reads a self-test result', () => {
    const result = { kind: 'leakage', peak: 400, alarm_id: 9, raised_at: 10, cleared_at: 20 }
    expect(selfTestResult(done('self_test', result))).toEqual(result)
    expect(selfTestResult(done('self_test', { kind: 'smoke' }))).toBeNull()
  })

  it('simulates an arc on arc detectors and a residual current on the rest', () => {
    expect(selfTestKind(commissioning({ kind: 'arc' }))).toBe('arc')
    expect(selfTestKind(commissioning({ kind: 'combined' }))).toBe('leakage')
    expect(selfTestKind(commissioning({ kind: 'breaker' }))).toBe('leakage')
  })
})

describe('identify body', () => {
  it.each([
    ['32', 32],
    [' 0.5 ', 0.5],
    ['6,3', 6.3],
    ['', undefined],
    ['  ', undefined],
    ['abc', undefined],
    ['Infinity', undefined],
  ] as const)('parseNumber(%j) → %s', (text, value) => {
    expect(parseNumber(text)).toBe(value)
  })

  it('needs a name and a circuit, and trims them', () => {
    expect(identifyBody({ name: '', circuit: '2F', rated: '' }, 'breaker')).toEqual({ invalid: 'name' })
    expect(identifyBody({ name: '二楼插座', circuit: ' ', rated: '' }, 'breaker')).toEqual({ invalid: 'circuit' })
    expect(identifyBody({ name: ' 二楼插座 ', circuit: '2F 插座回路', rated: '32' }, 'breaker')).toEqual({
      name: '二楼插座',
      circuit: '2F 插座回路',
      rated_current_a: 32,
    })
  })

  it('sends a rated current for breakers only', () => {
    expect(identifyBody({ name: 'x', circuit: 'c', rated: '32' }, 'arc')).toEqual({ name: 'x', circuit: 'c' })
    expect(identifyBody({ name: 'x', circuit: 'c', rated: '3x' }, 'breaker')).toEqual({ invalid: 'rated_current_a' })
  })
})

describe('thresholds', () => {
  it('pre-fills the form from the channel settings that exist', () => {
    expect(thresholdForm(commissioning().channels)).toEqual({
      residual_ma: { prealarm: '240', alarm: '300', delay_s: '5' },
      current_a: { prealarm: '28.8', alarm: '32', delay_s: '5' },
    })
  })

  it('sends every value of the form as numbers', () => {
    const form = thresholdForm(commissioning().channels)
    form.residual_ma = { ...form.residual_ma, alarm: ' 500 ' }
    expect(thresholdsBody(form)).toEqual({
      channels: {
        residual_ma: { prealarm: 240, alarm: 500, delay_s: 5 },
        current_a: { prealarm: 28.8, alarm: 32, delay_s: 5 },
      },
    })
  })

  it('names a field that is not a number', () => {
    const form = thresholdForm(commissioning().channels)
    form.current_a = { ...form.current_a, delay_s: '' }
    expect(thresholdsBody(form)).toEqual({ invalid: 'channels.current_a.delay_s' })
  })

  it.each([
    ['channels.residual_ma.alarm: must be in [20, 1000] mA', { channel: 'residual_ma', setting: 'alarm' }],
    ['channels.temp_c_2.delay_s', { channel: 'temp_c_2', setting: 'delay_s' }],
    ['prealarm must be below alarm', null],
    ['', null],
  ] as const)('finds the field in %j', (detail, field) => {
    expect(invalidThreshold(detail)).toEqual(field)
  })
})

describe('acceptance', () => {
  const { checklist } = commissioning()

  const DRAWN = 'c'.repeat(64)

  it('waits for every item, a signer and a drawn signature', () => {
    expect(unanswered(checklist, {})).toEqual(['location', 'transformer'])
    expect(acceptBody(checklist, { location: { answer: 'pass' } }, '张安装', DRAWN)).toBeNull()
    const all = { location: { answer: 'pass' as const }, transformer: { answer: 'na' as const } }
    expect(unanswered(checklist, all)).toEqual([])
    expect(acceptBlocker(checklist, all, '  ', DRAWN)).toBe('signer')
    expect(acceptBody(checklist, all, '  ', DRAWN)).toBeNull()
    expect(acceptBlocker(checklist, all, '张安装', null)).toBe('drawing')
    expect(acceptBody(checklist, all, '张安装', null)).toBeNull()
    expect(acceptBlocker(checklist, all, '张安装', DRAWN)).toBeNull()
  })

  it('needs a photo on an item that asks for one, unless it does not apply', () => {
    const photo = checklist.map((i) => (i.key === 'location' ? { ...i, photo: true } : i))
    const answers = { location: { answer: 'pass' as const }, transformer: { answer: 'pass' as const } }
    expect(photosMissing(photo, answers)).toEqual(['location'])
    expect(acceptBlocker(photo, answers, '张安装', DRAWN)).toBe('photos')
    expect(photosMissing(photo, { ...answers, location: { answer: 'na' } })).toEqual([])
    const taken = { ...answers, location: { answer: 'pass' as const, attachments: ['a'.repeat(64), 'a'.repeat(64)] } }
    expect(acceptBody(photo, taken, '张安装', DRAWN)?.answers[0]).toEqual({
      key: 'location',
      answer: 'pass',
      attachments: ['a'.repeat(64)],
    })
  })

  it('says what is still missing, first things first, in either language', () => {
    const photo = checklist.map((i) => (i.key === 'location' ? { ...i, photo: true } : i))
    const all = { location: { answer: 'pass' as const }, transformer: { answer: 'pass' as const } }
    const taken = { ...all, location: { answer: 'pass' as const, attachments: ['a'.repeat(64)] } }
    expect(acceptBlockerText(photo, {}, '', null, 'zh-CN')).toBe('还有 2 项未检查')
    expect(acceptBlockerText(photo, all, '', null, 'zh-CN')).toBe('还有 1 项需要拍照')
    expect(acceptBlockerText(photo, taken, ' ', null, 'zh-CN')).toBe('请填写签字人姓名')
    expect(acceptBlockerText(photo, taken, '张安装', null, 'zh-CN')).toBe('请在签名框内手写签名')
    expect(acceptBlockerText(photo, taken, '张安装', DRAWN)).toBeUndefined()
    expect(acceptBlockerText(photo, {}, '', null, 'en')).toBe('2 items not checked yet')
  })

  it('sends the answers in checklist order, notes only where written, with the drawing', () => {
    const answers = {
      transformer: { answer: 'fail' as const, note: ' N 线未穿过 ' },
      location: { answer: 'pass' as const, note: '  ' },
    }
    expect(acceptBody(checklist, answers, ' 张安装 ', DRAWN)).toEqual({
      answers: [
        { key: 'location', answer: 'pass' },
        { key: 'transformer', answer: 'fail', note: 'N 线未穿过' },
      ],
      signed_by: '张安装',
      signature: DRAWN,
    })
  })

  it('shows an item in the language on screen, else the other one', () => {
    const [item] = checklist
    expect(checklistText(item!, 'zh-CN')).toBe('安装位置正确')
    expect(checklistText(item!, 'en')).toBe('Installed in the right place')
    expect(checklistText({ key: 'labels', text: { 'zh-CN': '标识齐全' } }, 'en')).toBe('标识齐全')
    expect(checklistText({ key: 'labels', text: {} }, 'en')).toBe('labels')
  })
})
