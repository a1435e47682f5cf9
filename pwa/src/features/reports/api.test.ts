import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { report } from '../../test/reports'
import { getReport, getReportPdf, reportApiPath } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }
const header = (i: number, name: string) => (server.calls[i]?.init.headers as Record<string, string>)[name]

describe('report requests', () => {
  it('reads the JSON report in the page’s language', async () => {
    await startSession(session)
    server.answers.push(json(200, report()))
    expect((await getReport(1, '2026-10', 'en')).grade).toBe('D')
    expect(server.calls[0]?.url).toBe('/api/v1/sites/1/report?period=2026-10&format=json&lang=en')
    expect(reportApiPath(3, '2026-11', 'pdf', 'zh-CN')).toBe('/api/v1/sites/3/report?period=2026-11&format=pdf&lang=zh-CN')
  })

  it('fetches the PDF with the token and the name the server gives it', async () => {
    await startSession(session)
    server.answers.push({
      status: 200,
      text: '%PDF-1.4 …',
      headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'inline; filename="andian-report-1-2026-10.pdf"' },
    })
    const file = await getReportPdf(1, '2026-10', 'zh-CN')
    expect(file.filename).toBe('andian-report-1-2026-10.pdf')
    expect(await file.blob.text()).toBe('%PDF-1.4 …')
    expect(header(0, 'Authorization')).toBe('Bearer tok-abc')
    expect(server.calls[0]?.url).toBe('/api/v1/sites/1/report?period=2026-10&format=pdf&lang=zh-CN')
  })

  it('carries the 503 of a server without a Chinese font', async () => {
    await startSession(session)
    server.answers.push(json(503, { status_code: 503, detail: 'no CJK font found: install fonts-noto-cjk or set ANDIAN_CJK_FONT' }))
    const refused = await getReportPdf(1, '2026-10', 'zh-CN').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({ status: 503 })
  })
})
