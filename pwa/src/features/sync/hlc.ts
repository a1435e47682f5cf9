// A hybrid logical clock (Kulkarni et al., 2014): physical milliseconds plus a counter, so every event a device
// makes, online or not, is ordered after everything it has seen. The mirror of offline_sync/hlc.py: the rules are
// pinned by offline_sync/vectors/hlc.json (run by pytest and by vectors.test.ts) and change together with
// offline_sync/*.py. Pure.
//
// On the wire a stamp is a string that sorts as the clock does: {wall_ms:013d}-{counter:04x}-{node}. Ties between
// nodes break by node id, so two stamps are never equal unless they are the same event.

export interface HLC {
  wallMs: number
  counter: number
  node: string
}

/** More than this many events in one millisecond cannot be ordered. */
export const MAX_COUNTER = 0xffff

const FORMAT = /^(\d{13})-([0-9a-f]{4})-([A-Za-z0-9_-]{1,64})$/

/** A malformed stamp, or a counter that would overflow. */
export class ClockError extends Error {
  override name = 'ClockError'
}

export function format(h: HLC): string {
  return `${String(h.wallMs).padStart(13, '0')}-${h.counter.toString(16).padStart(4, '0')}-${h.node}`
}

export function parse(text: string): HLC {
  const found = FORMAT.exec(text)
  if (!found) throw new ClockError(`${JSON.stringify(text)} is not an HLC; it looks like 1763856000123-0000-c7f3a1`)
  return { wallMs: Number(found[1]), counter: parseInt(found[2] ?? '', 16), node: found[3] ?? '' }
}

/** Negative, zero or positive, as a sort comparator: wall time, then counter, then node id (by code unit). */
export function compare(a: HLC, b: HLC): number {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1
  if (a.node !== b.node) return a.node < b.node ? -1 : 1
  return 0
}

/** One node's clock: `tick` for a local event, `receive` when a remote stamp is seen. */
export class Clock {
  readonly node: string
  last: HLC

  constructor(node: string, last?: HLC) {
    this.node = node
    this.last = last ?? { wallMs: 0, counter: 0, node }
  }

  tick(physicalMs: number): HLC {
    const wall = Math.max(this.last.wallMs, physicalMs)
    const counter = wall === this.last.wallMs ? this.last.counter + 1 : 0
    return this.set(wall, counter)
  }

  receive(remote: HLC, physicalMs: number): HLC {
    const wall = Math.max(this.last.wallMs, remote.wallMs, physicalMs)
    let counter: number
    if (wall === this.last.wallMs && wall === remote.wallMs) counter = Math.max(this.last.counter, remote.counter) + 1
    else if (wall === this.last.wallMs) counter = this.last.counter + 1
    else if (wall === remote.wallMs) counter = remote.counter + 1
    else counter = 0
    return this.set(wall, counter)
  }

  private set(wall: number, counter: number): HLC {
    if (counter > MAX_COUNTER) {
      throw new ClockError('more than 65 535 events in one millisecond; the clock cannot order them')
    }
    this.last = { wallMs: wall, counter, node: this.node }
    return this.last
  }
}
