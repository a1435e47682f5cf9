import { describe, expect, it } from 'vitest'
import {
  CHANNEL_CHOICES,
  channelOptions,
  checkMapping,
  draftsOf,
  hasErrors,
  mappingBody,
  mappingChanged,
  newDraft,
  placeRefusal,
} from './mapping'

const row = (analogue_type: string, channel: string, scale = '1') => ({ analogue_type, channel, scale })

describe('channel pick list', () => {
  it('offers the four quantities and their numbered variants as the server takes them', () => {
    expect(CHANNEL_CHOICES).toContain('residual_ma')
    expect(CHANNEL_CHOICES).toContain('residual_ma_16')
    expect(CHANNEL_CHOICES).toContain('temp_c_4')
    expect(CHANNEL_CHOICES).toContain('voltage_v_l3')
    expect(CHANNEL_CHOICES).toContain('current_a_l1')
    expect(CHANNEL_CHOICES).not.toContain('residual_ma_17')
    expect(CHANNEL_CHOICES).not.toContain('power_w')
    expect(CHANNEL_CHOICES).toHaveLength(30)
  })

  it('names each key and keeps one the table has that is not offered', () => {
    const options = channelOptions(['power_w'], 'zh-CN')
    expect(options[0]).toEqual(['residual_ma', '剩余电流 · residual_ma'])
    expect(options.find(([k]) => k === 'temp_c_2')?.[1]).toBe('温度 2 · temp_c_2')
    expect(options.at(-1)?.[0]).toBe('power_w')
    expect(channelOptions([], 'en').find(([k]) => k === 'voltage_v_l1')?.[1]).toMatch(/L1 · voltage_v_l1$/)
  })
})

describe('checkMapping', () => {
  it('accepts a complete table', () => {
    const errors = checkMapping([row('128', 'residual_ma', '0.1'), row('255', 'temp_c_1')], 'zh-CN')
    expect(hasErrors(errors)).toBe(false)
  })

  it('refuses types outside 128–255, fractions and blanks, at their cell', () => {
    const errors = checkMapping([row('127', 'residual_ma'), row('256', 'temp_c'), row('130.5', 'voltage_v'), row('', 'current_a')], 'zh-CN')
    expect(Object.keys(errors.cells).sort()).toEqual(['0.analogue_type', '1.analogue_type', '2.analogue_type', '3.analogue_type'])
    expect(errors.cells['0.analogue_type']).toBe('请填写 128–255 之间的整数')
  })

  it('refuses a type or a channel twice, naming the first row', () => {
    const errors = checkMapping([row('130', 'residual_ma'), row('130', 'residual_ma')], 'en')
    expect(errors.cells).toEqual({ '1.analogue_type': 'Same type as row 1', '1.channel': 'Same channel as row 1' })
  })

  it('wants a channel and a positive scale', () => {
    const errors = checkMapping([row('130', '', '0'), row('131', 'temp_c', 'abc'), row('132', 'voltage_v', '-1'), row('133', 'current_a', ' ')], 'zh-CN')
    expect(errors.cells).toEqual({
      '0.channel': '请选择通道',
      '0.scale': '请填写大于 0 的数',
      '1.scale': '请填写大于 0 的数',
      '2.scale': '请填写大于 0 的数',
      '3.scale': '请填写大于 0 的数',
    })
  })
})

describe('rows and body', () => {
  it('sends numbers in the order shown', () => {
    expect(mappingBody([row(' 200 ', 'residual_ma_2', '0.1')])).toEqual([{ analogue_type: 200, channel: 'residual_ma_2', scale: 0.1 }])
  })

  it('adds a row with the first free type', () => {
    expect(newDraft([])).toEqual({ analogue_type: '128', channel: '', scale: '1' })
    expect(newDraft([row('128', 'a'), row('129', 'b')]).analogue_type).toBe('130')
  })

  it('knows whether the table was changed', () => {
    const saved = [{ analogue_type: 200, channel: 'residual_ma', scale: 0.1 }]
    expect(mappingChanged(draftsOf(saved), saved)).toBe(false)
    expect(mappingChanged([row('200', 'residual_ma', '0.2')], saved)).toBe(true)
    expect(mappingChanged([], saved)).toBe(true)
  })
})

describe('placeRefusal', () => {
  it('puts the detail at the cell extra.field names', () => {
    expect(placeRefusal({ field: 'mapping[1].channel', detail: 'not a channel key' }, 2)).toEqual({
      cells: { '1.channel': 'not a channel key' },
      form: '',
    })
  })

  it('finds the path in the detail when extra has no field', () => {
    const detail = 'Expected `str` matching regex ... - at `$.mapping[0].scale`'
    expect(placeRefusal({ field: null, detail }, 1).cells).toEqual({ '0.scale': detail })
  })

  it('puts a row without a column at its type, anything else on the form', () => {
    expect(placeRefusal({ field: 'mapping[0]', detail: 'duplicate' }, 1).cells).toEqual({ '0.analogue_type': 'duplicate' })
    expect(placeRefusal({ field: 'mapping[5].channel', detail: 'x' }, 2)).toEqual({ cells: {}, form: 'x' })
    expect(placeRefusal({ field: null, detail: 'too many rows' }, 2)).toEqual({ cells: {}, form: 'too many rows' })
  })
})
