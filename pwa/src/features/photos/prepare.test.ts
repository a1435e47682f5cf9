import { describe, expect, it } from 'vitest'
import {
  fitWithin,
  JPEG_QUALITY,
  MAX_UPLOAD_BYTES,
  PhotoRefused,
  sha256Hex,
  shrinkPhoto,
  sniffType,
  type DecodedImage,
  type ImageKit,
} from './prepare'

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))

const JPEG = bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')
const PNG = bytes([0x89], 'PNG\r\n\x1a\n')

describe('fitWithin', () => {
  it.each([
    [4032, 3024, { width: 1600, height: 1200 }], // a 12-megapixel phone photo
    [3024, 4032, { width: 1200, height: 1600 }], // upright
    [1600, 900, { width: 1600, height: 900 }],
    [800, 600, { width: 800, height: 600 }],
    [20000, 10, { width: 1600, height: 1 }],
  ] as const)('%s × %s → %j', (width, height, size) => {
    expect(fitWithin(width, height)).toEqual(size)
  })
})

describe('sniffType', () => {
  it.each([
    ['JPEG', JPEG, 'image/jpeg'],
    ['PNG', PNG, 'image/png'],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['HEIC from an iPhone', bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0]), 'image/heic'],
    ['HEIF', bytes([0, 0, 0, 0x18], 'ftypmif1', [0, 0, 0, 0]), 'image/heif'],
    ['PDF', bytes('%PDF-1.7\n'), 'application/pdf'],
    ['MP4 video', bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 0, 0]), null],
    ['text', bytes('hello world'), null],
    ['nothing', bytes(), null],
  ] as const)('%s → %s', (_, data, type) => {
    expect(sniffType(data)).toBe(type)
  })
})

describe('sha256Hex', () => {
  it('names bytes as the server does', async () => {
    expect(await sha256Hex(new Blob(['abc']))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(await sha256Hex(new TextEncoder().encode('abc').buffer as ArrayBuffer)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})

/** A browser's canvas where there is none: decodes to the given size, encodes to `encodedBytes` bytes. */
function kit(width: number, height: number, encodedBytes: number | null): ImageKit & { drawn: unknown[]; closed: number } {
  const fake = {
    drawn: [] as unknown[],
    closed: 0,
    decode: async (): Promise<DecodedImage | null> =>
      width ? { width, height, close: () => void fake.closed++ } : null,
    encode: async (_image: DecodedImage, w: number, h: number, quality: number) => {
      fake.drawn.push([w, h, quality])
      return encodedBytes === null ? null : new Blob([new Uint8Array(encodedBytes)], { type: 'image/jpeg' })
    },
  }
  return fake
}

describe('shrinkPhoto', () => {
  const photo = (size: number, type = 'image/jpeg') => new Blob([JPEG, new Uint8Array(size)], { type })

  it('draws a large photo again as JPEG, longest side 1600 px', async () => {
    const canvas = kit(4032, 3024, 400_000)
    const prepared = await shrinkPhoto(photo(4_000_000), canvas)
    expect(prepared).toMatchObject({ type: 'image/jpeg', shrunk: true })
    expect(prepared.blob.size).toBe(400_000)
    expect(canvas.drawn).toEqual([[1600, 1200, JPEG_QUALITY]])
    expect(canvas.closed).toBe(1)
  })

  it('keeps a small photo when drawing it again would not make it smaller', async () => {
    const original = photo(50_000)
    const prepared = await shrinkPhoto(original, kit(800, 600, 90_000))
    expect(prepared).toEqual({ blob: original, type: 'image/jpeg', shrunk: false })
  })

  it('turns a small HEIC the browser can read into JPEG', async () => {
    const heic = new Blob([new Uint8Array(300_000)], { type: 'image/heic' })
    expect(await shrinkPhoto(heic, kit(1200, 900, 150_000))).toMatchObject({ type: 'image/jpeg', shrunk: true })
  })

  it('keeps the original when the browser cannot decode it, or has no canvas', async () => {
    const heic = new Blob([new Uint8Array(300_000)], { type: 'image/heic' })
    expect(await shrinkPhoto(heic, kit(0, 0, null))).toEqual({ blob: heic, type: 'image/heic', shrunk: false })
    expect(await shrinkPhoto(heic, null)).toEqual({ blob: heic, type: 'image/heic', shrunk: false })
    const large = photo(5_000_000)
    expect(await shrinkPhoto(large, kit(4032, 3024, null))).toEqual({ blob: large, type: 'image/jpeg', shrunk: false })
  })

  it('takes the type from the bytes when the picker gives none', async () => {
    const untyped = new Blob([PNG, new Uint8Array(10)])
    expect(await shrinkPhoto(untyped, null)).toMatchObject({ type: 'image/png', shrunk: false })
  })

  it('never decodes a PDF', async () => {
    const pdf = new Blob([bytes('%PDF-1.7\n')], { type: 'application/pdf' })
    const canvas = kit(100, 100, 10)
    expect(await shrinkPhoto(pdf, canvas)).toMatchObject({ type: 'application/pdf', shrunk: false })
    expect(canvas.drawn).toEqual([])
  })

  it('refuses what the server would refuse', async () => {
    const video = new Blob([bytes([0, 0, 0, 0x18], 'ftypisom')], { type: 'video/mp4' })
    await expect(shrinkPhoto(video, null)).rejects.toEqual(new PhotoRefused('type'))
    const huge = new Blob([new Uint8Array(MAX_UPLOAD_BYTES + 1)], { type: 'image/heic' })
    await expect(shrinkPhoto(huge, null)).rejects.toMatchObject({ reason: 'size' })
    // Shrunk, the same photo goes.
    const bigJpeg = photo(MAX_UPLOAD_BYTES + 1)
    expect(await shrinkPhoto(bigJpeg, kit(8000, 6000, 700_000))).toMatchObject({ shrunk: true })
  })
})
