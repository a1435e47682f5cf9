// The shared sync vectors (offline_sync/vectors/*.json), read from where pytest reads them
// (tests/test_sync_vectors.py), so the PWA and the server cannot drift.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Clock, ClockError, MAX_COUNTER, compare, format, parse } from './hlc'
import { append, newRecord, update, type MergeStatus } from './merge'

const VECTORS = join(__dirname, '..', '..', '..', '..', 'offline_sync', 'vectors')

interface HlcVectors {
  format: { wall_ms: number; counter: number; node: string; text: string }[]
  ascending: string[]
  tick: { why: string; node: string; last: string; physical_ms: number; expect: string }[]
  receive: { why: string; node: string; last: string; remote: string; physical_ms: number; expect: string }[]
  invalid: string[]
}

interface UpdateMutation {
  hlc: string
  fields: Record<string, unknown>
}

interface AppendMutation {
  list: string
  id: string
  element: unknown
}

interface MergeVectors {
  update: {
    why: string
    apply: UpdateMutation[]
    expect: { fields: Record<string, unknown>; stamps: Record<string, string> }
    statuses: MergeStatus[]
  }[]
  append: { why: string; apply: AppendMutation[]; expect: Record<string, string[]> }[]
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf-8')) as T
}

const HLC = load<HlcVectors>('hlc.json')
const MERGE = load<MergeVectors>('merge.json')

/** Every order of the items, as Python's itertools.permutations. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

describe('hlc', () => {
  it.each(HLC.format)('prints and parses $text', (c) => {
    const stamp = { wallMs: c.wall_ms, counter: c.counter, node: c.node }
    expect(format(stamp)).toBe(c.text)
    expect(parse(c.text)).toEqual(stamp)
  })

  it('sorts as strings as the clock does', () => {
    const texts = HLC.ascending
    expect(texts.length).toBeGreaterThan(1)
    expect([...texts].reverse().sort()).toEqual(texts)
    expect([...texts].reverse().map(parse).sort(compare).map(format)).toEqual(texts)
    for (let i = 1; i < texts.length; i++) {
      expect(compare(parse(texts[i - 1] ?? ''), parse(texts[i] ?? ''))).toBeLessThan(0)
    }
  })

  it.each(HLC.tick)('tick: $why', (c) => {
    const clock = new Clock(c.node, parse(c.last))
    expect(format(clock.tick(c.physical_ms))).toBe(c.expect)
  })

  it.each(HLC.receive)('receive: $why', (c) => {
    const clock = new Clock(c.node, parse(c.last))
    const got = clock.receive(parse(c.remote), c.physical_ms)
    expect(format(got)).toBe(c.expect)
    expect(compare(got, parse(c.remote))).toBeGreaterThan(0)
    expect(compare(got, parse(c.last))).toBeGreaterThan(0)
  })

  it.each(HLC.invalid)('refuses the malformed stamp %j', (text) => {
    expect(() => parse(text)).toThrow(ClockError)
  })

  it('cannot overflow the counter', () => {
    const clock = new Clock('a', { wallMs: 10, counter: MAX_COUNTER, node: 'a' })
    expect(() => clock.tick(10)).toThrow(ClockError)
    expect(() => clock.receive({ wallMs: 10, counter: 1, node: 'b' }, 10)).toThrow(ClockError)
  })
})

describe('merge', () => {
  it.each(MERGE.update)('update converges in every order and replay: $why', (c) => {
    const record = newRecord()
    expect(c.apply.map((m) => update(record, m.fields, m.hlc))).toEqual(c.statuses)
    expect({ fields: record.fields, stamps: record.stamps }).toEqual(c.expect)
    for (const order of permutations(c.apply)) {
      const other = newRecord()
      for (const m of [...order, ...order]) update(other, m.fields, m.hlc)
      expect({ fields: other.fields, stamps: other.stamps }).toEqual(c.expect)
    }
  })

  it.each(MERGE.append)('append converges in every order and replay: $why', (c) => {
    for (const order of permutations(c.apply)) {
      const record = newRecord()
      for (const m of [...order, ...order]) expect(append(record, m.list, m.id, m.element)).toBe('applied')
      const ids = Object.fromEntries(Object.entries(record.lists).map(([name, items]) => [name, Object.keys(items).sort()]))
      expect(ids).toEqual(c.expect)
    }
  })

  it('keeps the first element of a replayed id', () => {
    const record = newRecord()
    append(record, 'comments', 'c1', { text: 'first' })
    append(record, 'comments', 'c1', { text: 'again' })
    expect(record.lists).toEqual({ comments: { c1: { text: 'first' } } })
  })
})
