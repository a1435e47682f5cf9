// Photos as evidence, before upload: what kind of file it is, shrinking it (canvas → JPEG), and its sha256
// (the attachment's name on the server). The decisions are pure; decoding and drawing are the browser's,
// behind ImageKit, which is null where there is no canvas (tests in Node, very old browsers).

/**
 * The longest side after shrinking. 1600 px keeps a socket's scorch marks and a breaker's label legible when
 * zoomed on a phone, and makes a 12-megapixel photo (4032 × 3024, 2–6 MB) about 200–500 KB.
 */
export const MAX_SIDE_PX = 1600

/** JPEG quality of a shrunk photo: no visible blocking on wiring and labels, about a third the size of 0.95. */
export const JPEG_QUALITY = 0.8

/** The server refuses larger bodies (server/attachments/service.py MAX_BYTES). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024

/** What the server stores (server/attachments/service.py CONTENT_TYPES). */
export const ACCEPTED_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
  'application/pdf',
])

/** The size to draw at: the same when it fits, else scaled so the longest side is `max`. */
export function fitWithin(width: number, height: number, max: number = MAX_SIDE_PX): { width: number; height: number } {
  const longest = Math.max(width, height)
  if (longest <= max) return { width, height }
  const scale = max / longest
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end))
}

/**
 * The type from the file's first bytes, for files the picker gives without one (some Android camera apps,
 * HEIC on Windows). Null when it is none of the accepted kinds.
 */
export function sniffType(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes[0] === 0x89 && ascii(bytes, 1, 4) === 'PNG') return 'image/png'
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp'
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf'
  if (ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12)
    if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(brand)) return 'image/heic'
    if (['mif1', 'msf1', 'heif'].includes(brand)) return 'image/heif'
  }
  return null
}

/** Lower-case hex sha256 of the bytes, as the server names attachments. */
export async function sha256Hex(data: Blob | ArrayBuffer): Promise<string> {
  const buffer = data instanceof Blob ? await data.arrayBuffer() : data
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** A file the server would refuse: not a photo or PDF, or too large even after shrinking. */
export class PhotoRefused extends Error {
  readonly reason: 'type' | 'size'

  constructor(reason: 'type' | 'size') {
    super(reason === 'type' ? 'not a photo or a PDF' : `larger than ${MAX_UPLOAD_BYTES} bytes`)
    this.name = 'PhotoRefused'
    this.reason = reason
  }
}

export interface DecodedImage {
  width: number
  height: number
  close(): void
}

/** The browser's part: decode a file and encode it again at another size. */
export interface ImageKit<I extends DecodedImage = DecodedImage> {
  /** Null when this browser cannot read it (HEIC outside Safari, a damaged file). */
  decode(blob: Blob): Promise<I | null>
  /** The image drawn at this size, as JPEG; null when the browser cannot encode. */
  encode(image: I, width: number, height: number, quality: number): Promise<Blob | null>
}

export interface Prepared {
  blob: Blob
  /** The Content-Type to upload it with. */
  type: string
  /** True when it was re-encoded (smaller, or turned to JPEG). */
  shrunk: boolean
}

async function typeOf(file: Blob): Promise<string | null> {
  const declared = file.type.toLowerCase()
  if (ACCEPTED_TYPES.has(declared)) return declared
  return sniffType(new Uint8Array(await file.slice(0, 16).arrayBuffer()))
}

/**
 * The photo as it will be uploaded: drawn again as JPEG with the longest side at most MAX_SIDE_PX; the
 * original when the browser cannot decode it, or when it is already small and re-encoding would not make it
 * smaller. PhotoRefused for a file the server would not take.
 */
export async function shrinkPhoto(file: Blob, kit: ImageKit | null): Promise<Prepared> {
  const type = await typeOf(file)
  let result: Prepared | null = null
  if (kit && type !== 'application/pdf') {
    const image = await kit.decode(file).catch(() => null)
    if (image) {
      try {
        const size = fitWithin(image.width, image.height)
        const scaled = size.width !== image.width || size.height !== image.height
        const encoded = await kit.encode(image, size.width, size.height, JPEG_QUALITY).catch(() => null)
        const keepOriginal = type !== null && !scaled && (!encoded || encoded.size >= file.size)
        if (encoded && !keepOriginal) result = { blob: encoded, type: 'image/jpeg', shrunk: true }
      } finally {
        image.close()
      }
    }
  }
  if (!result) {
    if (type === null) throw new PhotoRefused('type')
    result = { blob: file, type, shrunk: false }
  }
  if (result.blob.size > MAX_UPLOAD_BYTES) throw new PhotoRefused('size')
  return result
}

interface BitmapImage extends DecodedImage {
  bitmap: ImageBitmap
}

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Blob | null> {
  const draw = (context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null) => {
    if (!context) return false
    context.fillStyle = '#fff' // a transparent PNG would turn black in JPEG
    context.fillRect(0, 0, width, height)
    context.drawImage(bitmap, 0, 0, width, height)
    return true
  }
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height)
    if (draw(canvas.getContext('2d'))) return canvas.convertToBlob({ type: 'image/jpeg', quality })
  }
  if (typeof document === 'undefined') return null
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  if (!draw(canvas.getContext('2d'))) return null
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
}

/** Decoding with createImageBitmap (turned upright by the photo's EXIF orientation), drawing on a canvas. */
export function browserImageKit(): ImageKit<BitmapImage> | null {
  if (typeof createImageBitmap === 'undefined') return null
  return {
    async decode(blob) {
      try {
        const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' })
        return { bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() }
      } catch {
        return null
      }
    },
    encode: (image, width, height, quality) => encodeJpeg(image.bitmap, width, height, quality),
  }
}
