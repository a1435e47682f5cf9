import { describe, expect, it } from 'vitest'
import { backingSize, exportPng, isBlank, PAPER, pixelRatio, pointIn, type Pen, type Sheet, type Stroke } from './signature'

/** A canvas that records what is drawn on it, and answers toBlob with a PNG's signature bytes. */
class RecordingSheet implements Sheet {
  width = 300
  height = 150
  readonly calls: string[] = []
  readonly fills: string[] = []
  getContext(): Pen {
    const calls = this.calls
    const fills = this.fills
    const pen: Pen = {
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      setTransform: (a, _b, _c, d) => calls.push(`scale ${a} ${d}`),
      clearRect: () => calls.push('clear'),
      fillRect: (x, y, w, h) => {
        fills.push(String(pen.fillStyle))
        calls.push(`fill ${x} ${y} ${w} ${h}`)
      },
      beginPath: () => calls.push('begin'),
      moveTo: (x, y) => calls.push(`move ${x} ${y}`),
      lineTo: (x, y) => calls.push(`line ${x} ${y}`),
      arc: (x, y) => calls.push(`dot ${x} ${y}`),
      fill: () => calls.push('fill'),
      stroke: () => calls.push('stroke'),
    }
    return pen
  }
  toBlob(done: (blob: Blob | null) => void, type?: string): void {
    done(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: type ?? '' }))
  }
}

const BOX = { width: 320, height: 160 }

describe('the drawn signature', () => {
  it('draws at the screen’s pixel ratio, capped, for a sharp line on high-DPI phones', () => {
    expect(pixelRatio(2.625)).toBe(2.625)
    expect(pixelRatio(undefined)).toBe(1)
    expect(pixelRatio(0.5)).toBe(1)
    expect(pixelRatio(4)).toBe(3)
    expect(backingSize(320, 160, 2.625)).toEqual({ width: 840, height: 420 })
  })

  it('keeps a pointer inside the box, in CSS pixels from its corner', () => {
    const box = { left: 10, top: 100, ...BOX }
    expect(pointIn(50, 130, box)).toEqual({ x: 40, y: 30 })
    expect(pointIn(-5, 400, box)).toEqual({ x: 0, y: 160 })
  })

  it('exports nothing while the pad is blank', async () => {
    expect(isBlank([])).toBe(true)
    expect(isBlank([[]])).toBe(true)
    expect(await exportPng(new RecordingSheet(), [], BOX, 2)).toBeNull()
  })

  it('exports a PNG of the strokes on white paper at the drawing’s ratio', async () => {
    const sheet = new RecordingSheet()
    const strokes: Stroke[] = [
      [
        { x: 10, y: 20 },
        { x: 30, y: 40 },
      ],
      [{ x: 5, y: 5 }],
    ]
    const png = await exportPng(sheet, strokes, BOX, 2)
    expect(png?.type).toBe('image/png')
    expect([sheet.width, sheet.height]).toEqual([640, 320])
    expect(sheet.fills[0]).toBe(PAPER)
    expect(sheet.calls).toContain('fill 0 0 640 320')
    expect(sheet.calls).toContain('scale 2 2')
    // A line for the stroke, a dot for the tap, in CSS pixels (the transform scales them).
    expect(sheet.calls.join('|')).toContain('begin|move 10 20|line 30 40|stroke|begin|dot 5 5|fill')
  })
})
