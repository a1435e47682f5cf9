import { afterEach, describe, expect, it } from 'vitest'
import { setLanguage } from '../../platform/i18n'
import { asj, foundUnit, MODELS, wiredDevice } from '../../test/wired'
import {
  confirmLevelsText,
  defaultModel,
  deviceLevels,
  fieldOf,
  levelForm,
  levelsBody,
  modelChoices,
  modelName,
  readBackText,
  readingRows,
  registerBody,
  registerForm,
  suggestedSerial,
  wiredModels,
} from './wired'

afterEach(() => setLanguage('zh-CN'))

const TCP = 'modbus-tcp://192.168.1.20:502'
const RTU = 'modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N'

describe('models of a found unit', () => {
  it('keeps to the wired models the bus speaks', () => {
    expect(wiredModels(MODELS, TCP).map((m) => m.model)).toEqual(['acrel-asj'])
    expect(wiredModels(MODELS, 'modbus-rtu-tcp://10.0.0.9:4001').map((m) => m.model)).toEqual(['acrel-asj', 'acrel-aim-r100'])
    expect(wiredModels(MODELS).map((m) => m.model)).toEqual(['acrel-asj', 'acrel-aim-r100'])
  })

  it('offers the candidates, else every wired model of the bus', () => {
    expect(modelChoices(foundUnit(3), MODELS, RTU)).toEqual(['acrel-asj'])
    expect(modelChoices(foundUnit(3, { model: null, candidates: ['acrel-asj', 'acrel-aim-r100'] }), MODELS, RTU)).toEqual([
      'acrel-asj',
      'acrel-aim-r100',
    ])
    expect(modelChoices(foundUnit(3, { model: null, candidates: [] }), MODELS, RTU)).toEqual(['acrel-asj', 'acrel-aim-r100'])
    expect(modelChoices(foundUnit(3, { model: 'x-1', candidates: [] }), MODELS, RTU)).toEqual(['x-1'])
  })

  it('starts from the guess, or the only candidate', () => {
    expect(defaultModel(foundUnit(3))).toBe('acrel-asj')
    expect(defaultModel(foundUnit(3, { model: null, candidates: ['acrel-aim-r100'] }))).toBe('acrel-aim-r100')
    expect(defaultModel(foundUnit(3, { model: null, candidates: ['a', 'b'] }))).toBe('')
  })

  it('names a model in the language asked, else by its code', () => {
    expect(modelName('acrel-asj', MODELS, 'zh-CN')).toBe('安科瑞 ASJ 剩余电流继电器')
    expect(modelName('acrel-asj', MODELS, 'en')).toBe('Acrel ASJ residual-current relay')
    expect(modelName('x-1', MODELS, 'en')).toBe('x-1')
  })
})

describe('registration', () => {
  const filled = { ...registerForm(foundUnit(3)), name: ' 1号摊位漏电继电器 ', circuit: '1号摊位照明回路' }

  it('suggests a serial from the unit and sends the unit in the link', () => {
    expect(suggestedSerial(3)).toBe('unit-3')
    expect(registerBody(filled, TCP, 3)).toEqual({
      ok: true,
      body: {
        serial: 'unit-3',
        model: 'acrel-asj',
        name: '1号摊位漏电继电器',
        circuit: '1号摊位照明回路',
        link: 'modbus-tcp://192.168.1.20:502?unit=3',
      },
    })
    const rtu = registerBody({ ...filled, serial: 'ASJ-2025-0042', interval: '15' }, RTU, 17)
    expect(rtu).toMatchObject({ ok: true, body: { serial: 'ASJ-2025-0042', poll_interval_s: 15, link: `${RTU}&unit=17` } })
  })

  it('requires a model, a name and the protected circuit', () => {
    expect(registerBody(registerForm(foundUnit(3, { model: null, candidates: [] })), TCP, 3)).toEqual({
      ok: false,
      errors: { model: 'wired.error_model', name: 'wired.error_name', circuit: 'wired.error_circuit' },
    })
  })

  it.each([
    [{ serial: '' }, { serial: 'wired.error_serial' }],
    [{ serial: '二号' }, { serial: 'wired.error_serial' }],
    [{ serial: 'a/b' }, { serial: 'wired.error_serial' }],
    [{ interval: '0.5' }, { poll_interval_s: 'wired.error_interval' }],
    [{ interval: 'x' }, { poll_interval_s: 'wired.error_interval' }],
  ])('refuses %j', (change, errors) => {
    expect(registerBody({ ...filled, ...change }, TCP, 3)).toEqual({ ok: false, errors })
  })

  it.each([
    [['serial', 'name'], 'serial', '', 'serial'],
    [['serial', 'name'], null, 'name: must not be empty', 'name'],
    [['alarm', 'prealarm'], null, 'alarm: wrote 300, the device reads back 250', 'alarm'],
    [['alarm', 'prealarm'], 'channel', 'channel: no such channel', null],
    [['alarm'], null, 'the bus was lost', null],
  ] as const)('finds the field %#', (fields, field, detail, expected) => {
    expect(fieldOf(fields, field, detail)).toBe(expected)
  })
})

describe('live values', () => {
  it('lists the channels in order with their value or fault, then the rest', () => {
    const channels = [
      { key: 'residual_ma_1', unit: 'mA' },
      { key: 'residual_ma_2', unit: 'mA' },
      { key: 'residual_ma_3', unit: 'mA' },
    ]
    const reading = { values: { residual_ma_2: 12, residual_ma_1: 35.5, temp_c: 31 }, faults: { residual_ma_3: 'ct_open' }, read_at: 1 }
    expect(readingRows(reading, channels)).toEqual([
      { key: 'residual_ma_1', unit: 'mA', value: 35.5, fault: null },
      { key: 'residual_ma_2', unit: 'mA', value: 12, fault: null },
      { key: 'residual_ma_3', unit: 'mA', value: null, fault: 'ct_open' },
      { key: 'temp_c', unit: '', value: 31, fault: null },
    ])
  })
})

describe("the device's own levels", () => {
  const levels = deviceLevels(asj()).get('residual_ma')!

  it('lists the channels a model keeps levels of, alarm first', () => {
    const model = asj({ thresholds: [...asj().thresholds!].reverse() })
    expect([...deviceLevels(model)].map(([c, l]) => [c, l.map((x) => x.setting)])).toEqual([['residual_ma', ['alarm', 'prealarm']]])
    expect(deviceLevels(MODELS[1]).size).toBe(0)
    expect(deviceLevels(asj({ thresholds: undefined })).size).toBe(0)
    expect(deviceLevels(undefined).size).toBe(0)
  })

  it("starts from andian's settings of the channel", () => {
    expect(levelForm(levels, wiredDevice().channels[0])).toEqual({ alarm: '300', prealarm: '240' })
    expect(levelForm(levels, undefined)).toEqual({ alarm: '', prealarm: '' })
  })

  it('sends the levels filled in, confirmed', () => {
    expect(levelsBody('residual_ma', levels, { alarm: '300', prealarm: ' 240 ' }, 'mA')).toEqual({
      ok: true,
      body: { channel: 'residual_ma', alarm: 300, prealarm: 240, confirm: true },
    })
    expect(levelsBody('residual_ma', levels, { alarm: '', prealarm: '200' }, 'mA')).toEqual({
      ok: true,
      body: { channel: 'residual_ma', prealarm: 200, confirm: true },
    })
  })

  it('names the field to correct', () => {
    expect(levelsBody('residual_ma', levels, { alarm: '3o0' }, 'mA')).toEqual({ ok: false, field: 'alarm', error: '请输入数字' })
    expect(levelsBody('residual_ma', levels, { alarm: '300', prealarm: '5' }, 'mA')).toEqual({
      ok: false,
      field: 'prealarm',
      error: '超出设备允许的范围 10–30,000 mA',
    })
    expect(levelsBody('residual_ma', levels, {}, 'mA')).toMatchObject({ ok: false, field: 'alarm' })
    const coarse = [{ channel: 'residual_ma', setting: 'alarm' as const, min: 10, max: 1000, scale: 10 }]
    expect(levelsBody('residual_ma', coarse, { alarm: '305' }, 'mA')).toEqual({
      ok: false,
      field: 'alarm',
      error: '设备按 10 mA 的整数倍保存这个值',
    })
    expect(levelsBody('residual_ma', coarse, { alarm: '300' }, 'mA')).toMatchObject({ ok: true })
  })

  it('asks in plain words before writing, and says what the device read back', () => {
    const body = { channel: 'residual_ma', alarm: 300, prealarm: 240, confirm: true } as const
    expect(confirmLevelsText(body, 'mA')).toBe('将修改设备内的报警值：300 mA / 预警 240 mA，确认写入？')
    expect(confirmLevelsText({ channel: 'residual_ma', prealarm: 240, confirm: true }, 'mA')).toBe('将修改设备内的预警值：240 mA，确认写入？')
    expect(confirmLevelsText(body, 'mA', 'en')).toBe('This changes the alarm level stored in the device to 300 mA / pre-alarm 240 mA. Write it?')
    const written = { channel: 'residual_ma', written: { alarm: 300 }, read_back: { alarm: 300, prealarm: 240 }, matches: true }
    expect(readBackText(written, 'mA')).toBe('设备回读：报警 300 mA / 预警 240 mA')
  })
})
