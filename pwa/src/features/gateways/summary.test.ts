import { describe, expect, it } from 'vitest'
import { bitWords, labelTime, plainText, shortHex, summaryLines } from './summary'

// Summaries as the server stores them (server/gb26875/translate.py `summary`): msgspec's builtins of the codec's
// Structs, a time label as {sec, min, hour, day, month, year} with the year 0–99.
const ts = { sec: 39, min: 40, hour: 0, day: 7, month: 12, year: 26 }
const TIME = '2026-12-07 00:40:39'
const unit = (type: number, ...objects: object[]) => ({ type, objects })

describe('summaryLines: each standard type in words', () => {
  it.each([
    [
      'system state (1)',
      unit(1, { sys_type: 1, sys_addr: 0, status: 0x0003, ts }),
      `系统类型 1 地址 0 · 正常运行、火警 (0x0003) · ${TIME}`,
      `system type 1 address 0 · running, fire alarm (0x0003) · ${TIME}`,
    ],
    [
      'part state (2) of a part type without a name',
      unit(2, { sys_type: 1, sys_addr: 2, part_type: 99, part_addr: 305, status: 0x0006, desc: '三楼 东侧 ', ts }),
      `部件类型 99 · 系统 1/2 · 部件地址 305 · 火警、故障 (0x0006) · 三楼 东侧 · ${TIME}`,
      `part type 99 · system 1/2 · part address 305 · fire alarm, fault (0x0006) · 三楼 东侧 · ${TIME}`,
    ],
    [
      'part state (2) of a named part type, power fault, no description',
      unit(2, { sys_type: 1, sys_addr: 0, part_type: 23, part_addr: 7, status: 0x0101, desc: '', ts }),
      `手动火灾报警按钮 · 系统 1/0 · 部件地址 7 · 正常运行、电源故障 (0x0101) · ${TIME}`,
      `manual call point · system 1/0 · part address 7 · running, power fault (0x0101) · ${TIME}`,
    ],
    [
      'unmapped user-defined analogue (3)',
      { ...unit(3, { sys_type: 1, sys_addr: 1, part_type: 17, part_addr: 1, analogue_type: 128, value: 55, ts }), unmapped: true },
      `剩余电流式电气火灾监控探测器 · 系统 1/1 · 部件地址 1 · 模拟量类型 128 = 55 · 未映射（在“模拟量类型映射”中设置） · ${TIME}`,
      `residual-current electrical fire detector · system 1/1 · part address 1 · analogue type 128 = 55 · not mapped (set it under “Analogue type mapping”) · ${TIME}`,
    ],
    [
      'a standard analogue type andian does not read (3)',
      { ...unit(3, { sys_type: 1, sys_addr: 1, part_type: 18, part_addr: 2, analogue_type: 4, value: -12, ts }), unmapped: true },
      `测温式电气火灾监控探测器 · 系统 1/1 · 部件地址 2 · 模拟量类型 4 = -12 · 标准类型，未读取 · ${TIME}`,
      `temperature electrical fire detector · system 1/1 · part address 2 · analogue type 4 = -12 · standard type, not read · ${TIME}`,
    ],
    [
      'system operation (4)',
      unit(4, { sys_type: 1, sys_addr: 0, operation: 0x21, operator: 5, ts }),
      `系统类型 1 地址 0 · 复位、确认 (0x21) · 操作员 5 · ${TIME}`,
      `system type 1 address 0 · reset, acknowledge (0x21) · operator 5 · ${TIME}`,
    ],
    [
      'system software (5)',
      unit(5, { sys_type: 1, sys_addr: 0, main: 2, sub: 10 }),
      '系统类型 1 地址 0 · 版本 2.10',
      'system type 1 address 0 · version 2.10',
    ],
    [
      'system configuration (6)',
      unit(6, { sys_type: 10, sys_addr: 3, config: ' 回路 1-4 ' }),
      '系统类型 10 地址 3 · 配置：回路 1-4',
      'system type 10 address 3 · configuration: 回路 1-4',
    ],
    [
      'part configuration (7)',
      unit(7, { sys_type: 1, sys_addr: 0, part_type: 16, part_addr: 12, desc: '配电室 1 号柜' }),
      '电气火灾监控报警器 · 系统 1/0 · 部件地址 12 · 配电室 1 号柜',
      'electrical fire monitoring alarm unit · system 1/0 · part address 12 · 配电室 1 号柜',
    ],
    [
      'system time (8)',
      unit(8, { sys_type: 1, sys_addr: 0, ts }),
      `系统类型 1 地址 0 · 设备时钟 ${TIME}`,
      `system type 1 address 0 · device clock ${TIME}`,
    ],
    ['device state (21)', unit(21, { status: 1, ts }), `正常运行 (0x01) · ${TIME}`, `running (0x01) · ${TIME}`],
    [
      'device state (21), every fault',
      unit(21, { status: 0x7c, ts }),
      `故障、主电故障、备电故障、与监控中心通信信道故障、监测连接线路故障 (0x7c) · ${TIME}`,
      `fault, mains power fault, backup power fault, link to the monitoring centre failed, monitored line fault (0x7c) · ${TIME}`,
    ],
    [
      'device operation (24): bit 5 is the duty check answer',
      unit(24, { operation: 0x30, operator: 0, ts }),
      `自检、查岗应答 (0x30) · 操作员 0 · ${TIME}`,
      `self-test, duty check answered (0x30) · operator 0 · ${TIME}`,
    ],
    ['device operation (24), none', unit(24, { operation: 0, operator: 1, ts }), `无操作 (0x00) · 操作员 1 · ${TIME}`, `no operation (0x00) · operator 1 · ${TIME}`],
    ['device software (25)', unit(25, { main: 1, sub: 3 }), '版本 1.3', 'version 1.3'],
    ['device configuration (26)', unit(26, { config: 'GPRS 主通道' }), '配置：GPRS 主通道', 'configuration: GPRS 主通道'],
    ['a long configuration, cut', unit(26, { config: 'c'.repeat(200) }), `配置：${'c'.repeat(79)}…`, `configuration: ${'c'.repeat(79)}…`],
    ['device time (28)', unit(28, { ts: { sec: 5, min: 4, hour: 3, day: 2, month: 1, year: 9 } }), '设备时钟 2009-01-02 03:04:05', 'device clock 2009-01-02 03:04:05'],
    ['user-defined (128–254)', { type: 200, user_defined: true, data: '0102ab' }, '用户自定义类型 200 · 01 02 ab', 'user-defined type 200 · 01 02 ab'],
    [
      'non-standard data unit',
      { opaque: true, reason: 'type 2: 40 bytes left over', data: '02'.repeat(40) },
      `非标准数据单元 · type 2: 40 bytes left over · ${'02 '.repeat(15)}02 … (共 40 字节)`,
      `non-standard data unit · type 2: 40 bytes left over · ${'02 '.repeat(15)}02 … (40 bytes)`,
    ],
    ['non-standard without a reason', { opaque: true, reason: '', data: 'ff' }, '非标准数据单元 · ff', 'non-standard data unit · ff'],
    ['no data unit', {}, '无数据单元', 'no data unit'],
  ])('%s', (_name, summary, zh, en) => {
    expect(summaryLines(summary, 'zh-CN')).toEqual([zh])
    expect(summaryLines(summary, 'en')).toEqual([en])
  })

  it('gives one line per object, and counts what does not fit', () => {
    const states = Array.from({ length: 9 }, (_, i) => ({ status: i === 0 ? 3 : 1, ts }))
    const lines = summaryLines(unit(21, ...states), 'zh-CN')
    expect(lines).toHaveLength(6)
    expect(lines[0]).toBe(`正常运行、火警 (0x03) · ${TIME}`)
    expect(lines[4]).toBe(`正常运行 (0x01) · ${TIME}`)
    expect(lines[5]).toBe('… 另 4 项')
    expect(summaryLines(unit(21, ...states), 'en')[5]).toBe('… 4 more')
  })
})

describe('summaryLines: what it does not know', () => {
  it.each([
    ['an object of a type without words', unit(91, { timeout_min: 10 }), 'timeout_min: 10'],
    ['an object off its type’s shape', unit(21, { state: 'odd', ts }), `state: odd · ts: ${TIME}`],
    ['nested values', unit(1, { sys_type: 'x', inner: { a: 1, b: [1, 2] }, gone: null }), 'sys_type: x · inner: (a: 1, b: 1, 2) · gone: —'],
    ['a text', 'undecodable', 'undecodable'],
    ['an unknown shape', { kind: 'x', n: 2 }, 'kind: x · n: 2'],
    ['a number', 7, '7'],
  ])('%s: key: value text, no JSON', (_name, summary, line) => {
    const lines = summaryLines(summary, 'zh-CN')
    expect(lines).toEqual([line])
    expect(lines.join('')).not.toMatch(/[{}"]/)
  })

  it('gives a list line by line', () => {
    expect(summaryLines([{ a: 1, ts }, 'b'], 'en')).toEqual([`a: 1 · ts: ${TIME}`, 'b'])
  })

  it('cuts a long line', () => {
    const lines = summaryLines('x'.repeat(500), 'zh-CN')
    expect(lines).toEqual([`${'x'.repeat(159)}…`])
  })
})

describe('the pieces', () => {
  it.each([
    [0x0006, '火警、故障', 'fire alarm, fault'],
    [0x0001, '正常运行', 'running'],
    [0x3f00, '主电故障、备电故障、总线故障、手动、配置改变、复位', 'mains power fault, backup power fault, bus fault, manual, configuration changed, reset'],
    [0x4002, '火警、位 14', 'fire alarm, bit 14'],
    [0, '状态字 0（按标准为测试状态）', 'status word 0 (test mode by the standard)'],
  ])('system status bits %i', (value, zh, en) => {
    const names = ['gb.bit.normal', 'gb.bit.fire', 'gb.bit.fault', 'gb.bit.disabled', 'gb.bit.supervisory', 'gb.bit.started',
      'gb.bit.feedback', 'gb.bit.delay', 'gb.bit.mains_fault', 'gb.bit.battery_fault', 'gb.bit.bus_fault', 'gb.bit.manual',
      'gb.bit.config_changed', 'gb.bit.reset'] as const
    expect(bitWords(names, value, 'gb.bit.zero', 'zh-CN')).toBe(zh)
    expect(bitWords(names, value, 'gb.bit.zero', 'en')).toBe(en)
  })

  it('reads time labels as the device wrote them, without a time zone', () => {
    expect(labelTime(ts)).toBe(TIME)
    expect(labelTime({ sec: 0, min: 0, hour: 0, day: 0, month: 0, year: 0 })).toBe('2000-00-00 00:00:00')
    expect(labelTime({ sec: 1 })).toBeUndefined()
    expect(labelTime('2026')).toBeUndefined()
  })

  it('shortens hex after 16 bytes', () => {
    expect(shortHex('00'.repeat(16), 'en')).toBe(Array(16).fill('00').join(' '))
    expect(shortHex('ab'.repeat(17), 'en')).toBe(`${Array(16).fill('ab').join(' ')} … (17 bytes)`)
  })

  it('spells any value as text', () => {
    expect(plainText(null)).toBe('—')
    expect(plainText({ ts, x: [{ y: 1 }] })).toBe(`ts: ${TIME} · x: (y: 1)`)
  })
})
