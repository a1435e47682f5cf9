// Server-Sent Events wire format (WHATWG HTML §9.2 "Parsing an event stream"), bytes in, events out.
// Pure: no I/O. The live stream feeds it the chunks of a fetch() body as they arrive; chunks may split
// anywhere, also inside a UTF-8 character or between the CR and LF of a line end.

export interface SseEvent {
  /** The `event:` field; "message" when the server sent none. */
  type: string
  /** The `data:` lines joined with "\n". */
  data: string
  /** The last `id:` seen on the stream so far (the spec's "last event ID"), "" if none. */
  lastEventId: string
}

const NUL = '\u0000'

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8')
  private buffer = ''
  /** The previous chunk ended in CR: an LF at the start of the next one belongs to that line end. */
  private pendingCr = false
  private started = false
  private type = ''
  private data: string[] = []
  private lastEventId = ''

  /** Feed a chunk of the stream; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true })
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.startsWith('\uFEFF')) text = text.slice(1) // one leading byte-order mark is ignored
    }
    if (text.length === 0) return []
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1)
    this.pendingCr = false
    this.buffer += text

    const events: SseEvent[] = []
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i]
      if (c !== '\n' && c !== '\r') continue
      const line = this.buffer.slice(start, i)
      if (c === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCr = true
        else if (this.buffer[i + 1] === '\n') i++
      }
      start = i + 1
      const event = this.line(line)
      if (event) events.push(event)
    }
    this.buffer = this.buffer.slice(start)
    return events
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined // a comment: the server's keep-alive
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.type = value
    else if (field === 'data') this.data.push(value)
    else if (field === 'id' && !value.includes(NUL)) this.lastEventId = value
    // `retry` and unknown fields are ignored: the reconnect delays are the client's (live/stream.ts).
    return undefined
  }

  private dispatch(): SseEvent | undefined {
    const type = this.type || 'message'
    const data = this.data
    this.type = ''
    this.data = []
    if (data.length === 0) return undefined // a blank line without data lines dispatches nothing
    return { type, data: data.join('\n'), lastEventId: this.lastEventId }
  }
}
