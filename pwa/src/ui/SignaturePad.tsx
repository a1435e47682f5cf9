// A signature drawn with a finger on a phone or with a mouse: pointer events (one pointer at a time, captured so a
// stroke leaving the box still ends), sharp at the screen's pixel ratio, a clear button, and the drawing handed out
// as a PNG after every stroke (null once cleared). The drawing itself is ui/signature.ts.
import { useEffect, useRef, useState } from 'preact/hooks'
import { backingSize, drawStroke, drawStrokes, exportPng, isBlank, pixelRatio, pointIn, type Stroke } from './signature'

interface Props {
  /** The PNG after each stroke; null when the pad is cleared. */
  onChange: (png: Blob | null) => void
  /** A stroke ended and its PNG is being made (onChange follows): a PNG from before is out of date. */
  onStroke?: () => void
  label: string
  clearLabel: string
  hint?: string
  disabled?: boolean
  /** CSS height of the box; its width is the container's. */
  height?: number
  testid?: string
}

export function SignaturePad({ onChange, onStroke, label, clearLabel, hint, disabled = false, height = 160, testid = 'signature-pad' }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const strokes = useRef<Stroke[]>([])
  const active = useRef<number | null>(null)
  const exports = useRef(0) // only the newest stroke's PNG is handed out
  const [count, setCount] = useState(0)

  /** The drawing area: the canvas's content box (inside its border), in CSS pixels of the viewport. */
  function box(): { left: number; top: number; width: number; height: number } | null {
    const el = canvas.current
    if (!el) return null
    const rect = el.getBoundingClientRect()
    return { left: rect.left + el.clientLeft, top: rect.top + el.clientTop, width: el.clientWidth, height: el.clientHeight }
  }

  // The backing store follows the box's size and the screen's ratio; a resize (rotation) redraws what is there.
  function fit(): void {
    const el = canvas.current
    const rect = box()
    if (!el || !rect) return
    const ratio = pixelRatio(window.devicePixelRatio)
    const size = backingSize(rect.width, rect.height, ratio)
    el.width = size.width
    el.height = size.height
    const pen = el.getContext('2d')
    if (pen) drawStrokes(pen, strokes.current, ratio, size)
  }

  useEffect(() => {
    fit()
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => fit()) : null
    if (canvas.current) observer?.observe(canvas.current)
    return () => observer?.disconnect()
  }, [])

  function publish(): void {
    const turn = ++exports.current
    const rect = box()
    if (!rect || isBlank(strokes.current)) {
      onChange(null)
      return
    }
    void exportPng(document.createElement('canvas'), strokes.current, rect, pixelRatio(window.devicePixelRatio)).then(
      (png) => turn === exports.current && onChange(png),
    )
  }

  function down(e: PointerEvent): void {
    if (disabled || active.current !== null || (e.pointerType === 'mouse' && e.button !== 0)) return
    const rect = box()
    if (!rect) return
    e.preventDefault()
    active.current = e.pointerId
    canvas.current?.setPointerCapture?.(e.pointerId)
    strokes.current.push([pointIn(e.clientX, e.clientY, rect)])
    const pen = canvas.current?.getContext('2d')
    const stroke = strokes.current[strokes.current.length - 1]
    if (pen && stroke) drawStroke(pen, stroke)
  }

  function move(e: PointerEvent): void {
    if (active.current !== e.pointerId) return
    const rect = box()
    const stroke = strokes.current[strokes.current.length - 1]
    if (!rect || !stroke) return
    e.preventDefault()
    // Browsers batch moves between frames; the coalesced ones keep a fast stroke smooth.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : []
    const from = stroke.length - 1 // the segment starts where the stroke stood
    for (const one of events.length > 0 ? events : [e]) stroke.push(pointIn(one.clientX, one.clientY, rect))
    const pen = canvas.current?.getContext('2d')
    if (pen) drawStroke(pen, stroke.slice(from))
  }

  function up(e: PointerEvent): void {
    if (active.current !== e.pointerId) return
    active.current = null
    setCount(strokes.current.length)
    onStroke?.()
    publish()
  }

  function clear(): void {
    strokes.current = []
    active.current = null
    exports.current++
    setCount(0)
    fit()
    onChange(null)
  }

  return (
    <div class="signature-pad" data-testid={testid} data-strokes={String(count)}>
      <span class="signature-label">{label}</span>
      {hint && <span class="muted signature-hint">{hint}</span>}
      <canvas
        ref={canvas}
        class="signature-canvas"
        style={{ height: `${height}px` }}
        role="img"
        aria-label={label}
        data-testid={`${testid}-canvas`}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
      <button type="button" class="link-button" disabled={disabled || count === 0} data-testid={`${testid}-clear`} onClick={clear}>
        {clearLabel}
      </button>
    </div>
  )
}
