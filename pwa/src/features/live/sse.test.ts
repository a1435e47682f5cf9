import { describe, expect, it } from 'vitest'
import { SseParser, type SseEvent } from './sse'

const bytes = (text: string) => new TextEncoder().encode(text)

/** Every event the parser completes when `chunks` arrive one after the other. */
function parse(chunks: (string | Uint8Array)[]): Pick<SseEvent, 'type' | 'data'>[] {
  const parser = new SseParser()
  return chunks.flatMap((chunk) => parser.push(chunk)).map(({ type, data }) => ({ type, data }))
}

const READING = 'event: reading\ndata: {"channel_id":3,"value":420}\n\n'

describe('SseParser', () => {
  it.each([
    ['one event', [READING], [{ type: 'reading', data: '{"channel_id":3,"value":420}' }]],
    ['no event: field means "message"', ['data: x\n\n'], [{ type: 'message', data: 'x' }]],
    ['data spanning lines', ['event: alarm\ndata: {"a":\ndata: 1}\n\n'], [{ type: 'alarm', data: '{"a":\n1}' }]],
    ['keep-alive comments', [': ping\n\n', ':\n', READING, ': ping\n\n'], [{ type: 'reading', data: '{"channel_id":3,"value":420}' }]],
    ['a comment inside an event', ['event: a\n: ignore me\ndata: 1\n\n'], [{ type: 'a', data: '1' }]],
    ['CRLF line ends', ['event: a\r\ndata: 1\r\n\r\n'], [{ type: 'a', data: '1' }]],
    ['CR line ends', ['event: a\rdata: 1\r\r'], [{ type: 'a', data: '1' }]],
    ['CRLF split between chunks', ['event: a\r', '\ndata: 1\r', '\n\r', '\n'], [{ type: 'a', data: '1' }]],
    ['an empty chunk between CR and LF', ['data: 1\r', '', '\n\r\n'], [{ type: 'message', data: '1' }]],
    ['no space after the colon', ['event:a\ndata:1\n\n'], [{ type: 'a', data: '1' }]],
    ['only one leading space is removed', ['data:  two\n\n'], [{ type: 'message', data: ' two' }]],
    ['a field without a colon', ['data\n\n'], [{ type: 'message', data: '' }]],
    ['blank lines without data', ['\n\nevent: lonely\n\n', READING], [{ type: 'reading', data: '{"channel_id":3,"value":420}' }]],
    ['an unfinished event is held back', ['event: a\ndata: 1\n'], []],
    ['unknown fields and retry are ignored', ['retry: 10\nfoo: bar\ndata: 1\n\n'], [{ type: 'message', data: '1' }]],
    ['a byte-order mark at the start', ['\uFEFFdata: 1\n\n'], [{ type: 'message', data: '1' }]],
    ['two events in one chunk', ['data: 1\n\ndata: 2\n\n'], [{ type: 'message', data: '1' }, { type: 'message', data: '2' }]],
  ] as const)('%s', (_name, chunks, expected) => {
    expect(parse([...chunks])).toEqual(expected)
  })

  it('gives the same events however the stream is split', () => {
    const stream = `: hello\n\n${READING}event: alarm\r\ndata: {"id":7,\r\ndata: "level":"alarm"}\r\n\r\n`
    const whole = parse([stream])
    expect(whole).toHaveLength(2)
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = []
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size))
      expect(parse(chunks), `chunks of ${size}`).toEqual(whole)
    }
  })

  it('decodes UTF-8 split inside a character', () => {
    const all = bytes('event: alarm\ndata: {"device_name":"插座回路断路器"}\n\n')
    const cut = all.indexOf(0xe6) + 1 // inside the first Chinese character
    expect(parse([all.slice(0, cut), all.slice(cut)])).toEqual([
      { type: 'alarm', data: '{"device_name":"插座回路断路器"}' },
    ])
  })

  it('remembers the last event id', () => {
    const parser = new SseParser()
    expect(parser.push('id: 41\ndata: a\n\ndata: b\n\n').map((e) => e.lastEventId)).toEqual(['41', '41'])
  })
})
