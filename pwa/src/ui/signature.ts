// A drawn signature without the DOM: strokes as points in CSS pixels, drawn at the screen's pixel ratio (sharp on
// high-DPI phones), and exported as a PNG on a white ground (legible wherever it is shown). Pure but for the
// canvas handed in, so it is tested with a recording canvas and runs on the real one in SignaturePad.tsx.

export interface Point {
  x: number
  y: number
}

export type Stroke = Point[]

/** The parts of CanvasRenderingContext2D a signature draws with. */
export interface Pen {
  fillStyle: string | CanvasGradient | CanvasPattern
  strokeStyle: string | CanvasGradient | CanvasPattern
  lineWidth: number
  lineCap: CanvasLineCap
  lineJoin: CanvasLineJoin
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void
  clearRect(x: number, y: number, w: number, h: number): void
  fillRect(x: number, y: number, w: number, h: number): void
  beginPath(): void
  moveTo(x: number, y: number): void
  lineTo(x: number, y: number): void
  arc(x: number, y: number, radius: number, start: number, end: number): void
  fill(): void
  stroke(): void
}

/** The parts of HTMLCanvasElement the export needs. */
export interface Sheet {
  width: number
  height: number
  getContext(kind: '2d'): Pen | null
  toBlob(done: (blob: Blob | null) => void, type?: string): void
}

/** A pen line a finger or a mouse leaves legibly on a phone, in CSS pixels. */
export const LINE_WIDTH = 2.5
export const INK = '#10243e'
export const PAPER = '#ffffff'
/** Above 3 the canvas grows without a visible gain, and a phone's memory is better spent elsewhere. */
export const MAX_PIXEL_RATIO = 3

export function pixelRatio(devicePixelRatio: number | undefined): number {
  const ratio = devicePixelRatio && Number.isFinite(devicePixelRatio) ? devicePixelRatio : 1
  return Math.min(Math.max(ratio, 1), MAX_PIXEL_RATIO)
}

/** The canvas's own size in device pixels for a box of `width` × `height` CSS pixels. */
export function backingSize(width: number, height: number, ratio: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(width * ratio)), height: Math.max(1, Math.round(height * ratio)) }
}

/** A pointer's position in the box (CSS pixels from its top-left corner), kept inside it. */
export function pointIn(clientX: number, clientY: number, box: { left: number; top: number; width: number; height: number }): Point {
  const x = Math.min(Math.max(clientX - box.left, 0), box.width)
  const y = Math.min(Math.max(clientY - box.top, 0), box.height)
  return { x, y }
}

/** Nothing drawn yet (or cleared): there is no signature to keep. */
export function isBlank(strokes: readonly Stroke[]): boolean {
  return strokes.every((s) => s.length === 0)
}

/** Draw every stroke at `ratio` device pixels per CSS pixel; a tap (one point) leaves a dot. */
export function drawStrokes(pen: Pen, strokes: readonly Stroke[], ratio: number, size: { width: number; height: number }, paper?: string): void {
  pen.setTransform(1, 0, 0, 1, 0, 0)
  pen.clearRect(0, 0, size.width, size.height)
  if (paper) {
    pen.fillStyle = paper
    pen.fillRect(0, 0, size.width, size.height)
  }
  pen.setTransform(ratio, 0, 0, ratio, 0, 0)
  pen.strokeStyle = INK
  pen.fillStyle = INK
  pen.lineWidth = LINE_WIDTH
  pen.lineCap = 'round'
  pen.lineJoin = 'round'
  for (const stroke of strokes) drawStroke(pen, stroke)
}

/** One stroke (also the last segment while the finger moves). */
export function drawStroke(pen: Pen, stroke: readonly Point[]): void {
  const [first, ...rest] = stroke
  if (!first) return
  if (rest.length === 0) {
    pen.beginPath()
    pen.arc(first.x, first.y, LINE_WIDTH / 2, 0, Math.PI * 2)
    pen.fill()
    return
  }
  pen.beginPath()
  pen.moveTo(first.x, first.y)
  for (const p of rest) pen.lineTo(p.x, p.y)
  pen.stroke()
}

/** The signature as a PNG on white, at the ratio it was drawn at; null when nothing is drawn. */
export function exportPng(sheet: Sheet, strokes: readonly Stroke[], box: { width: number; height: number }, ratio: number): Promise<Blob | null> {
  if (isBlank(strokes)) return Promise.resolve(null)
  const size = backingSize(box.width, box.height, ratio)
  sheet.width = size.width
  sheet.height = size.height
  const pen = sheet.getContext('2d')
  if (!pen) return Promise.resolve(null)
  drawStrokes(pen, strokes, ratio, size, PAPER)
  return new Promise((resolve) => sheet.toBlob(resolve, 'image/png'))
}
