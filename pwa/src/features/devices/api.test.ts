import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { commissioning, commissioningDone, controlRecord, user } from '../../test/fixtures'
import { controlDevice, getAcceptance, getCircuits, getCommissioning, getControlLog, runStep, scanBle, startCommissioning } from './api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user }

describe('commissioning and control', () => {
  const call = (i: number) => ({
    url: server.calls[i]?.url,
    method: server.calls[i]?.init.method,
    body: server.calls[i]?.init.body === undefined ? undefined : JSON.parse(String(server.calls[i]?.init.body)),
  })

  it('reads the circuits of a site and the signed acceptance of a device', async () => {
    await startSession(session)
    const circuits = [{ name: '插座回路', devices: 2 }]
    const signed = commissioningDone(3, { state: 'commissioned', signature: 'e'.repeat(64), signed_by: '刘工' })
    server.answers.push(json(200, circuits), json(200, signed), json(404, { detail: 'acceptance of device 9 not found' }))
    expect(await getCircuits(12)).toEqual(circuits)
    expect((await getAcceptance(8)).signature).toBe('e'.repeat(64))
    await expect(getAcceptance(9)).rejects.toBeInstanceOf(ApiError)
    expect([call(0).url, call(1).url, call(2).url]).toEqual([
      '/api/v1/sites/12/circuits',
      '/api/v1/devices/8/acceptance',
      '/api/v1/devices/9/acceptance',
    ])
  })

  it('scan, start, read and run steps on the contract paths', async () => {
    await startSession(session)
    const found = [{ address: 'C4:7F', name: 'AD-B63', rssi: -52, model: 'AD-B63', model_name: null, kind: 'breaker', known: null, device_id: null }]
    server.answers.push(json(200, found), json(201, commissioning()), json(200, commissioning()), json(200, commissioningDone(1)))
    expect(await scanBle(12, 4)).toEqual(found)
    expect(await startCommissioning(12, 'C4:7F')).toEqual(commissioning())
    await getCommissioning(5)
    expect((await runStep(5, 'pair', {})).steps[0]?.status).toBe('done')
    expect([call(0), call(1), call(2), call(3)]).toEqual([
      { url: '/api/v1/sites/12/ble/scan?seconds=4', method: 'GET', body: undefined },
      { url: '/api/v1/commissioning', method: 'POST', body: { site_id: 12, address: 'C4:7F' } },
      { url: '/api/v1/commissioning/5', method: 'GET', body: undefined },
      { url: '/api/v1/commissioning/5/steps/pair', method: 'POST', body: {} },
    ])
  })

  it('a step refused for bad input or order, or without a radio, is an ApiError with the detail', async () => {
    await startSession(session)
    const detail = 'channels.residual_ma.alarm: must be in [20, 1000] mA'
    server.answers.push(
      json(400, { status_code: 400, detail, extra: null }),
      json(409, { status_code: 409, detail: 'run step pair first', extra: null }),
      json(503, { status_code: 503, detail: 'no Bluetooth radio on this server', extra: null }),
    )
    await expect(runStep(5, 'thresholds', { channels: { residual_ma: { alarm: 5 } } })).rejects.toMatchObject({ status: 400, detail })
    expect(call(0).body).toEqual({ channels: { residual_ma: { alarm: 5 } } })
    await expect(runStep(5, 'self_test', {})).rejects.toMatchObject({ status: 409, detail: 'run step pair first' })
    const error = await scanBle(12, 4).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 503 })
  })

  it('controls a device and reads its log', async () => {
    await startSession(session)
    server.answers.push(json(200, controlRecord()), json(200, [controlRecord()]))
    expect(await controlDevice(112, 'trip', '现场冒烟')).toEqual(controlRecord())
    expect(await getControlLog(112)).toEqual([controlRecord()])
    expect([call(0), call(1)]).toEqual([
      { url: '/api/v1/devices/112/control', method: 'POST', body: { action: 'trip', reason: '现场冒烟' } },
      { url: '/api/v1/devices/112/control', method: 'GET', body: undefined },
    ])
  })

  it('a control with no answer is a NetworkError (the outcome is unknown)', async () => {
    await startSession(session)
    server.answers.push(noNetwork())
    await expect(controlDevice(112, 'close', '故障已排除')).rejects.toBeInstanceOf(NetworkError)
  })
})
