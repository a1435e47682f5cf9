// Writes the app icons (PNG) into public/icons/ without any image library:
// the shapes are implicit functions sampled 4×4 per pixel, encoded with zlib.
// Run `npm run icons` after changing the design; the PNGs are committed.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons')

// Keep in sync with THEME_COLOR in vite.config.ts and index.html.
const BLUE = [14, 90, 167]
const WHITE = [255, 255, 255]
const FLAME = [217, 72, 15]

const BOLT = [
  [0.16, -0.66], [-0.36, 0.12], [-0.04, 0.12], [-0.18, 0.7], [0.38, -0.14], [0.06, -0.14],
]

function inPolygon(x, y, poly) {
  let inside = false
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]
    const [xj, yj] = poly[j]
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

// Shield in [-1, 1]² (y down): straight sides, then curving to a point at the bottom.
function inShield(x, y) {
  const top = -0.82
  const shoulder = 0.1
  const bottom = 0.95
  if (y < top || y > bottom) return false
  let half = 0.74
  if (y > shoulder) {
    const t = (y - shoulder) / (bottom - shoulder)
    half *= Math.pow(Math.cos((t * Math.PI) / 2), 0.75)
  }
  const r = 0.14 // rounded top corners
  if (y < top + r && Math.abs(x) > half - r) {
    const dx = Math.abs(x) - (half - r)
    const dy = top + r - y
    return dx * dx + dy * dy <= r * r
  }
  return Math.abs(x) <= half
}

function inRoundedSquare(x, y, radius) {
  const ax = Math.abs(x) - (1 - radius)
  const ay = Math.abs(y) - (1 - radius)
  if (ax <= 0 || ay <= 0) return Math.abs(x) <= 1 && Math.abs(y) <= 1
  return ax * ax + ay * ay <= radius * radius
}

// Colour of one sample point in [-1, 1]², or null for transparent.
function sample(x, y, { maskable }) {
  if (!maskable && !inRoundedSquare(x, y, 0.36)) return null
  // Maskable icons keep their content inside the central 80 % circle (the safe zone).
  const scale = maskable ? 0.58 : 0.74
  const sx = x / scale
  const sy = y / scale
  if (inShield(sx, sy)) return inPolygon(sx, sy, BOLT) ? FLAME : WHITE
  return BLUE
}

function render(size, opts) {
  const n = 4
  const rgba = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = ((px + (sx + 0.5) / n) / size) * 2 - 1
          const y = ((py + (sy + 0.5) / n) / size) * 2 - 1
          const c = sample(x, y, opts)
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1 }
        }
      }
      const o = (py * size + px) * 4
      if (a > 0) {
        rgba[o] = Math.round(r / a)
        rgba[o + 1] = Math.round(g / a)
        rgba[o + 2] = Math.round(b / a)
      }
      rgba[o + 3] = Math.round((a / (n * n)) * 255)
    }
  }
  return rgba
}

const CRC_TABLE = Array.from({ length: 256 }, (_, k) => {
  let c = k
  for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf) {
  let c = 0xffffffff
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const ICONS = [
  ['icon-192.png', 192, { maskable: false }],
  ['icon-512.png', 512, { maskable: false }],
  ['icon-maskable-192.png', 192, { maskable: true }],
  ['icon-maskable-512.png', 512, { maskable: true }],
  ['apple-touch-icon-180.png', 180, { maskable: true }],
  ['favicon-32.png', 32, { maskable: false }],
]

mkdirSync(OUT, { recursive: true })
for (const [name, size, opts] of ICONS) {
  const file = png(size, render(size, opts))
  writeFileSync(join(OUT, name), file)
  console.log(`${name}: ${size}×${size}, ${file.length} bytes`)
}
