import { describe, expect, it } from 'vitest'
import { ApiError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, server, useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { addGateway, answerDutyCheck, getCommand, getEvents, getGateway, getSiteGateways, getStatus, getUplink, putMapping, sendCommand } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user: { ...user, role: 'operator' as const } }

const call = (i: number) => ({
  url: server.calls[i]?.url,
  method: server.calls[i]?.init.method,
  body: server.calls[i]?.init.body === undefined ? undefined : JSON.parse(String(server.calls[i]?.init.body)),
})

describe('GB/T 26875.3 requests', () => {
  it('go to the contract paths with the contract bodies', async () => {
    await startSession(session)
    for (let i = 0; i < 10; i++) server.answers.push(json(200, {}))
    await getGateway(3)
    await getSiteGateways(12)
    await addGateway(12, { name: '传输装置', protocol: 'gb26875', address: '1527082020fe' })
    await getStatus(3)
    await putMapping(3, [{ analogue_type: 200, channel: 'residual_ma', scale: 0.1 }])
    await getEvents(3)
    await sendCommand(3, { kind: 'duty_check', timeout_min: 10 })
    await getCommand(3, 9)
    await getUplink()
    await answerDutyCheck(4)
    expect(server.calls.map((_, i) => [call(i).method, call(i).url])).toEqual([
      ['GET', '/api/v1/gateways/3'],
      ['GET', '/api/v1/sites/12/gateways'],
      ['POST', '/api/v1/sites/12/gateways'],
      ['GET', '/api/v1/gateways/3/gb26875'],
      ['PUT', '/api/v1/gateways/3/gb26875/mapping'],
      ['GET', '/api/v1/gateways/3/gb26875/events?limit=50'],
      ['POST', '/api/v1/gateways/3/gb26875/commands'],
      ['GET', '/api/v1/gateways/3/gb26875/commands/9'],
      ['GET', '/api/v1/gb26875/uplink'],
      ['POST', '/api/v1/gb26875/uplink/duty-checks/4/answer'],
    ])
    expect(call(2).body).toEqual({ name: '传输装置', protocol: 'gb26875', address: '1527082020fe' })
    expect(call(4).body).toEqual({ mapping: [{ analogue_type: 200, channel: 'residual_ma', scale: 0.1 }] })
    expect(call(6).body).toEqual({ kind: 'duty_check', timeout_min: 10 })
  })

  it('brings a 400 mapping refusal back with its field', async () => {
    await startSession(session)
    server.answers.push(json(400, { status_code: 400, detail: 'mapping[1].channel: not a channel key', extra: { field: 'mapping[1].channel' } }))
    const error = await putMapping(3, []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).field).toBe('mapping[1].channel')
  })
})
