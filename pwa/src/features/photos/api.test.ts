import { describe, expect, it } from 'vitest'
import { NetworkError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { getAttachment, putAttachment, UPLOAD_TIMEOUT_MS } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const SHA = 'e'.repeat(64)
const header = (i: number, name: string) => (server.calls[i]?.init.headers as Record<string, string>)[name]

describe('attachments', () => {
  it('PUT the bytes with their own type and a longer timeout', async () => {
    await startSession(session)
    server.answers.push(json(201, { sha256: SHA, size: 3 }))
    const blob = new Blob([new Uint8Array([1, 2, 3])])
    expect(await putAttachment(SHA, blob, 'image/heic')).toEqual({ sha256: SHA, size: 3 })
    expect(server.calls[0]?.url).toBe(`/api/v1/attachments/${SHA}`)
    expect(server.calls[0]?.init.method).toBe('PUT')
    expect(server.calls[0]?.init.body).toBe(blob)
    expect(header(0, 'Content-Type')).toBe('image/heic')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(UPLOAD_TIMEOUT_MS).toBeGreaterThan(10_000)
  })

  it('GET the bytes with the token (an <img> could not send it)', async () => {
    await startSession(session)
    server.answers.push({ status: 200, text: 'JPEGBYTES' })
    const blob = await getAttachment(SHA)
    expect(await blob.text()).toBe('JPEGBYTES')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(header(0, 'Accept')).toBe('*/*')

    server.answers.push(json(404, { status_code: 404, detail: 'attachment eeeeeeeeeeee not found', extra: null }))
    await expect(getAttachment(SHA)).rejects.toMatchObject({ status: 404 })
    server.answers.push(noNetwork())
    await expect(getAttachment(SHA)).rejects.toBeInstanceOf(NetworkError)
  })
})
