import { describe, expect, it } from 'vitest'
import { commandWord, frameWords, groupAddress, groupHex, kindWord, normaliseAddress, stateWord, typeWord } from './words'

describe('frame words', () => {
  it.each([
    [1, '控制命令', 'Control'],
    [2, '发送数据', 'Send data'],
    [3, '确认', 'Confirm'],
    [4, '请求', 'Request'],
    [5, '应答', 'Response'],
    [6, '否认', 'Deny'],
    [130, '命令 130', 'Command 130'],
  ])('command %i', (command, zh, en) => {
    expect(commandWord(command, 'zh-CN')).toBe(zh)
    expect(commandWord(command, 'en')).toBe(en)
  })

  it.each([
    [1, '系统状态', 'System state'],
    [2, '部件运行状态', 'Part running state'],
    [3, '部件模拟量', 'Part analogue value'],
    [4, '系统操作信息', 'System operation'],
    [21, '传输装置运行状态', 'Transmission device state'],
    [24, '传输装置操作信息', 'Transmission device operation'],
    [25, '软件版本', 'Software version'],
    [26, '配置情况', 'Configuration'],
    [28, '系统时间', 'System time'],
    [89, '初始化', 'Initialise'],
    [90, '同步时钟', 'Clock sync'],
    [91, '查岗', 'Duty check'],
    [128, '用户自定义', 'User-defined'],
    [254, '用户自定义', 'User-defined'],
    [255, '其他类型', 'Other type'],
    [7, '其他类型', 'Other type'],
  ])('type %i', (type, zh, en) => {
    expect(typeWord(type, 'zh-CN')).toBe(zh)
    expect(typeWord(type, 'en')).toBe(en)
  })

  it('puts command and type together, the type number after its name', () => {
    expect(frameWords({ command: 2, type: 2 }, 'zh-CN')).toBe('发送数据 · 部件运行状态 (2)')
    expect(frameWords({ command: 2, type: 200 }, 'en')).toBe('Send data · User-defined (200)')
    expect(frameWords({ command: 3, type: null }, 'zh-CN')).toBe('确认')
  })

  it('names command kinds and states', () => {
    expect(['sent', 'confirmed', 'denied', 'answered', 'no_answer'].map((s) => stateWord(s as never, 'zh-CN'))).toEqual([
      '已发送', '已确认', '已否认', '已应答', '无应答',
    ])
    expect(stateWord('no_answer', 'en')).toBe('No answer')
    expect(kindWord('duty_check', 'zh-CN')).toBe('查岗')
    expect(kindWord('sync_clock', 'zh-CN')).toBe('校时')
    expect(kindWord('initialise', 'en')).toBe('Initialise')
  })
})

describe('addresses and bytes', () => {
  it('groups an address by bytes', () => {
    expect(groupAddress('1527082020fe')).toBe('15 27 08 20 20 fe')
    expect(groupHex('4040 0100')).toBe('40 40 01 00')
    expect(groupHex('ABC')).toBe('ab c')
    expect(groupHex('')).toBe('')
  })

  it.each([
    ['1527082020fe', '1527082020fe'],
    ['15 27 08 20 20 FE', '1527082020fe'],
    ['15:27:08:20:20:fe', '1527082020fe'],
    [' 15-27-08-20-20-fe ', '1527082020fe'],
    ['1527082020f', null],
    ['1527082020fe00', null],
    ['1527082020fg', null],
    ['', null],
  ])('normalises %j', (input, expected) => {
    expect(normaliseAddress(input)).toBe(expected)
  })
})
