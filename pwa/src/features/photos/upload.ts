// The photos of one form (rectify, comment, report, a checklist item) on their way to the server: each is
// shrunk, hashed, kept on the device (device-copy.ts) and PUT under its sha256, one at a time, with its state for
// the page (上传中 / 已上传 / 已存本机 / 失败-重试). With no network a kept photo is as good as an uploaded one:
// the form's mutation names it and the sync loop uploads it before the mutation. Framework-free: the page
// subscribes.
import { ApiError, NetworkError } from '../../platform/http'
import { t, type Lang } from '../../platform/i18n'
import { isOnline } from '../../platform/online'
import { putAttachment } from './api'
import { keepPhoto, photoUploaded } from './device-copy'
import { browserImageKit, PhotoRefused, sha256Hex, shrinkPhoto, type ImageKit, type Prepared } from './prepare'

/** The server takes at most 20 photos per move or comment (server/hazards/schemas.py Photos). */
export const MAX_PHOTOS = 20

/** `saved`: no network, kept on the device; the sync loop uploads it before the change that names it. */
export type PhotoStatus = 'preparing' | 'uploading' | 'done' | 'saved' | 'failed'

/** Why a photo did not go up: what the user can do differs (retry, or choose another file). */
export type PhotoProblem =
  | { kind: 'network' }
  | { kind: 'refused'; reason: 'type' | 'size' }
  | { kind: 'server'; detail: string }

export interface PhotoItem {
  key: number
  name: string
  status: PhotoStatus
  /** The bytes that are (or will be) uploaded, for the thumbnail; null until shrunk. */
  prepared: Prepared | null
  sha256: string | null
  problem: PhotoProblem | null
}

interface Entry {
  item: PhotoItem
  /** Kept until the photo is up, to start again after a failure. */
  file: Blob | null
}

function problemOf(error: unknown): PhotoProblem {
  if (error instanceof PhotoRefused) return { kind: 'refused', reason: error.reason }
  if (error instanceof NetworkError) return { kind: 'network' }
  if (error instanceof ApiError && error.status === 413) return { kind: 'refused', reason: 'size' }
  if (error instanceof ApiError) return { kind: 'server', detail: error.detail }
  return { kind: 'server', detail: String(error) }
}

/** A failure that may go away by trying again (a dropped connection, a server error); not a refused file. */
export function retryable(item: PhotoItem): boolean {
  return item.status === 'failed' && item.problem?.kind !== 'refused'
}

export function photoStatusText(item: PhotoItem, lang?: Lang): string {
  if (item.status === 'preparing') return t('photo.preparing', undefined, lang)
  if (item.status === 'uploading') return t('photo.uploading', undefined, lang)
  if (item.status === 'done') return t('photo.done', undefined, lang)
  if (item.status === 'saved') return t('photo.saved', undefined, lang)
  const problem = item.problem
  if (problem?.kind === 'refused') return t(problem.reason === 'type' ? 'photo.bad_type' : 'photo.too_big', undefined, lang)
  if (problem?.kind === 'server') return t('photo.failed_detail', { detail: problem.detail }, lang)
  return t('photo.failed', undefined, lang)
}

/** Up, or kept on the device for the sync loop to upload: ready to be named by a change. */
export function ready(item: PhotoItem): boolean {
  return (item.status === 'done' || item.status === 'saved') && item.sha256 !== null
}

/** The hashes to send with the move: the photos that are ready, each once, in the order they were added. */
export function hashesOf(items: readonly PhotoItem[]): string[] {
  return [...new Set(items.flatMap((i) => (ready(i) && i.sha256 ? [i.sha256] : [])))]
}

/** Still shrinking or uploading: the form waits before it sends. */
export function busy(items: readonly PhotoItem[]): boolean {
  return items.some((i) => i.status === 'preparing' || i.status === 'uploading')
}

export class PhotoQueue {
  private entries: Entry[] = []
  private next = 1
  private chain: Promise<void> = Promise.resolve()
  private readonly listeners = new Set<() => void>()
  private snapshot: readonly PhotoItem[] = []

  constructor(private readonly kit: ImageKit | null = browserImageKit()) {}

  /** The photos in the order they were added (a new array after every change). */
  get items(): readonly PhotoItem[] {
    return this.snapshot
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Add files from the picker; those beyond MAX_PHOTOS are left out. Answers how many were left out. */
  add(files: Iterable<Blob>): number {
    let skipped = 0
    for (const file of files) {
      if (this.entries.length >= MAX_PHOTOS) {
        skipped++
        continue
      }
      const name = 'name' in file && typeof file.name === 'string' ? file.name : ''
      const item: PhotoItem = { key: this.next++, name, status: 'preparing', prepared: null, sha256: null, problem: null }
      this.entries.push({ item, file })
      this.schedule(item.key)
    }
    this.changed()
    return skipped
  }

  retry(key: number): void {
    const entry = this.entries.find((e) => e.item.key === key)
    if (!entry || !retryable(entry.item)) return
    this.update(key, { status: entry.item.prepared ? 'uploading' : 'preparing', problem: null })
    this.schedule(key)
  }

  remove(key: number): void {
    this.entries = this.entries.filter((e) => e.item.key !== key)
    this.changed()
  }

  clear(): void {
    this.entries = []
    this.changed()
  }

  /** Resolves once every photo added so far is up or has failed. */
  idle(): Promise<void> {
    return this.chain
  }

  // One photo at a time: decoding several 12-megapixel photos at once can run a phone out of memory, and
  // parallel uploads over one weak link finish no sooner.
  private schedule(key: number): void {
    this.chain = this.chain.then(() => this.process(key))
  }

  private async process(key: number): Promise<void> {
    const entry = this.entries.find((e) => e.item.key === key)
    if (!entry) return // removed while waiting
    let kept = false
    try {
      let { prepared, sha256 } = entry.item
      if (!prepared || !sha256) {
        if (!entry.file) return
        prepared = await shrinkPhoto(entry.file, this.kit)
        sha256 = await sha256Hex(prepared.blob)
        this.update(key, { prepared, sha256, status: 'uploading' })
      }
      kept = await keepPhoto(sha256, prepared.blob, prepared.type)
      if (kept && !isOnline()) {
        entry.file = null
        this.update(key, { status: 'saved' })
        return
      }
      await putAttachment(sha256, prepared.blob, prepared.type)
      if (kept) await photoUploaded(sha256)
      entry.file = null
      this.update(key, { status: 'done' })
    } catch (error) {
      if (kept && error instanceof NetworkError) this.update(key, { status: 'saved', problem: null })
      else this.update(key, { status: 'failed', problem: problemOf(error) })
    }
  }

  private update(key: number, change: Partial<PhotoItem>): void {
    const entry = this.entries.find((e) => e.item.key === key)
    if (!entry) return
    entry.item = { ...entry.item, ...change }
    this.changed()
  }

  private changed(): void {
    this.snapshot = this.entries.map((e) => e.item)
    for (const fn of this.listeners) fn()
  }
}
