import { describe, expect, it, vi } from 'vitest'
import * as db from '../../platform/db'
import { loadPhoto } from '../../platform/db'
import { reportReachable } from '../../platform/online'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { sha256Hex } from './prepare'
import { busy, hashesOf, MAX_PHOTOS, photoStatusText, PhotoQueue, retryable } from './upload'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
const photo = (marker: number, name = `IMG_${marker}.jpg`) =>
  new File([JPEG, new Uint8Array([marker])], name, { type: 'image/jpeg' })
const header = (i: number, name: string) => (server.calls[i]?.init.headers as Record<string, string>)[name]

describe('PhotoQueue', () => {
  it('hashes each photo and PUTs it under its sha256 with its type, one at a time', async () => {
    await startSession(session)
    const queue = new PhotoQueue(null) // no canvas here: the originals go up
    const seen: string[] = []
    queue.subscribe(() => seen.push(queue.items.map((i) => i.status).join(',')))
    server.answers.push(json(201, {}), json(200, {}))
    queue.add([photo(1), photo(2)])
    expect(busy(queue.items)).toBe(true)
    await queue.idle()

    const [a, b] = [await sha256Hex(photo(1)), await sha256Hex(photo(2))]
    expect(server.calls.map((c) => [c.init.method, c.url])).toEqual([
      ['PUT', `/api/v1/attachments/${a}`],
      ['PUT', `/api/v1/attachments/${b}`],
    ])
    expect(header(0, 'Content-Type')).toBe('image/jpeg')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(await sha256Hex(server.calls[0]?.init.body as Blob)).toBe(a)
    expect(queue.items.map((i) => [i.name, i.status, i.sha256])).toEqual([
      ['IMG_1.jpg', 'done', a],
      ['IMG_2.jpg', 'done', b],
    ])
    expect(hashesOf(queue.items)).toEqual([a, b])
    expect(busy(queue.items)).toBe(false)
    // The second waited for the first.
    expect(seen).toContain('done,preparing')
    expect(seen).toContain('done,uploading')
  })

  it('keeps a photo on the device when the upload gets no answer: ready to be named, the sync uploads it', async () => {
    await startSession(session)
    const queue = new PhotoQueue(null)
    server.answers.push(noNetwork())
    queue.add([photo(3)])
    await queue.idle()
    const [kept] = queue.items
    const sha = await sha256Hex(photo(3))
    expect(kept).toMatchObject({ status: 'saved', problem: null, sha256: sha })
    expect(retryable(kept!)).toBe(false)
    expect(busy(queue.items)).toBe(false)
    expect(photoStatusText(kept!, 'zh-CN')).toBe('已存本机，联网后上传')
    expect(hashesOf(queue.items)).toEqual([sha])
    const stored = await loadPhoto(sha)
    expect(stored).toMatchObject({ sha256: sha, type: 'image/jpeg', uploaded: false, user_id: user.id })

    // Offline already: not even tried.
    queue.add([photo(4)])
    await queue.idle()
    expect(queue.items[1]?.status).toBe('saved')
    expect(server.calls).toHaveLength(1)
  })

  it('marks a photo the device could not keep failed when no answer came, and retries it', async () => {
    await startSession(session)
    const queue = new PhotoQueue(null)
    const saving = vi.spyOn(db, 'savePhoto').mockRejectedValueOnce(new Error('QuotaExceededError'))
    server.answers.push(noNetwork())
    queue.add([photo(7)])
    await queue.idle()
    saving.mockRestore()
    const [failed] = queue.items
    expect(failed).toMatchObject({ status: 'failed', problem: { kind: 'network' } })
    expect(retryable(failed!)).toBe(true)
    expect(photoStatusText(failed!, 'zh-CN')).toBe('上传失败，请重试')

    reportReachable(true)
    server.answers.push(json(201, {}))
    queue.retry(failed!.key)
    await queue.idle()
    expect(queue.items[0]).toMatchObject({ status: 'done', problem: null, sha256: failed!.sha256 })
    expect((await loadPhoto(failed!.sha256!))?.uploaded).toBe(true)
  })

  it("shows the server's refusal, and does not offer to retry a file it cannot take", async () => {
    await startSession(session)
    const queue = new PhotoQueue(null)
    server.answers.push(json(400, { status_code: 400, detail: 'sha256: the body was damaged', extra: { field: 'sha256' } }))
    queue.add([photo(4), new File(['just text'], 'notes.txt', { type: 'text/plain' })])
    await queue.idle()
    const [refusedByServer, notAPhoto] = queue.items
    expect(photoStatusText(refusedByServer!, 'en')).toBe('Upload failed: sha256: the body was damaged')
    expect(retryable(refusedByServer!)).toBe(true)
    expect(notAPhoto).toMatchObject({ status: 'failed', problem: { kind: 'refused', reason: 'type' } })
    expect(retryable(notAPhoto!)).toBe(false)
    expect(photoStatusText(notAPhoto!, 'zh-CN')).toBe('不支持这种文件，请选择照片或 PDF')
    expect(server.calls).toHaveLength(1) // the text file never went up
  })

  it('sends the same photo once, drops removed ones, and stops at the limit', async () => {
    await startSession(session)
    const queue = new PhotoQueue(null)
    server.answers.push(json(201, {}), json(200, {}))
    queue.add([photo(5), photo(5, 'copy.jpg'), photo(6)])
    queue.remove(queue.items[2]!.key) // removed while waiting: never uploaded
    await queue.idle()
    expect(server.calls).toHaveLength(2)
    expect(hashesOf(queue.items)).toEqual([await sha256Hex(photo(5))])

    queue.clear()
    const many = Array.from({ length: MAX_PHOTOS + 2 }, (_, i) => photo(10 + i))
    server.answers.push(...many.map(() => json(201, {})))
    expect(queue.add(many)).toBe(2)
    expect(queue.items).toHaveLength(MAX_PHOTOS)
    await queue.idle()
  })
})
