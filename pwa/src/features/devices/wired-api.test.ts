import { describe, expect, it } from 'vitest'
import { ApiError, NetworkError } from '../../platform/http'
import { startSession } from '../../platform/session'
import { json, noNetwork, server, useFakeServer } from '../../test/fetch'
import { commissioning, user } from '../../test/fixtures'
import { busScan, MODELS, wiredDevice } from '../../test/wired'
import {
  cancelBusScan,
  getBusScan,
  getDevice,
  getModels,
  readDevice,
  registerDevice,
  startBusScan,
  startWiredCommissioning,
  writeLevels,
} from './wired-api'

useFakeServer()

const session = { token: 'tok-abc', expires_at: Date.now() / 1000 + 3600, user: { ...user, role: 'installer' as const } }

const call = (i: number) => ({
  url: server.calls[i]?.url,
  method: server.calls[i]?.init.method,
  body: server.calls[i]?.init.body === undefined ? undefined : JSON.parse(String(server.calls[i]?.init.body)),
})

describe('wired commissioning requests', () => {
  it('starts the acceptance of a registered wired device by its id', async () => {
    await startSession(session)
    const record = commissioning({ via: 'wired', device_id: 7, address: 'modbus-tcp://10.0.0.9:502?unit=3' })
    server.answers.push(json(201, record))
    expect(await startWiredCommissioning(12, 7)).toEqual(record)
    expect(call(0)).toEqual({ url: '/api/v1/commissioning', method: 'POST', body: { site_id: 12, device_id: 7 } })
  })

  it('start, follow and cancel a bus scan on the contract paths', async () => {
    await startSession(session)
    server.answers.push(json(201, busScan()), json(200, busScan({ done: 12 })), { status: 204 })
    const body = { link: 'modbus-rtu:///dev/ttyUSB0?baud=9600&parity=N', first: 1, last: 32 }
    expect(await startBusScan(12, body)).toEqual(busScan())
    expect((await getBusScan(4)).done).toBe(12)
    expect(await cancelBusScan(4)).toBeUndefined()
    expect([call(0), call(1), call(2)]).toEqual([
      { url: '/api/v1/sites/12/bus-scans', method: 'POST', body },
      { url: '/api/v1/bus-scans/4', method: 'GET', body: undefined },
      { url: '/api/v1/bus-scans/4', method: 'DELETE', body: undefined },
    ])
    expect(server.calls[0]?.init.headers).toMatchObject({ Authorization: 'Bearer tok-abc' })
  })

  it('lists models, registers a device on its bus and unit, reads it back', async () => {
    await startSession(session)
    server.answers.push(json(200, MODELS), json(201, wiredDevice()), json(200, wiredDevice()))
    expect(await getModels()).toEqual(MODELS)
    const body = {
      serial: 'unit-3',
      model: 'acrel-asj',
      name: '1号摊位漏电继电器',
      circuit: '1号摊位照明回路',
      link: 'modbus-tcp://192.168.1.20:502?unit=3',
    }
    expect((await registerDevice(12, body)).id).toBe(140)
    await getDevice(140)
    expect([call(0), call(1), call(2)]).toEqual([
      { url: '/api/v1/models', method: 'GET', body: undefined },
      { url: '/api/v1/sites/12/devices', method: 'POST', body },
      { url: '/api/v1/devices/140', method: 'GET', body: undefined },
    ])
  })

  it('reads live values and writes levels only with confirm', async () => {
    await startSession(session)
    const reading = { values: { residual_ma: 12 }, faults: {}, read_at: 1_763_800_200 }
    const written = { channel: 'residual_ma', before: { alarm: 500 }, written: { alarm: 300 }, read_back: { alarm: 300, prealarm: 240 }, matches: true }
    server.answers.push(json(200, reading), json(200, written))
    expect(await readDevice(140)).toEqual(reading)
    expect(await writeLevels(140, { channel: 'residual_ma', alarm: 300, confirm: true })).toEqual(written)
    expect([call(0), call(1)]).toEqual([
      { url: '/api/v1/devices/140/read', method: 'POST', body: undefined },
      { url: '/api/v1/devices/140/thresholds', method: 'POST', body: { channel: 'residual_ma', alarm: 300, confirm: true } },
    ])
  })

  it('a refused scan names the field; no site box is a 503; no answer is a NetworkError', async () => {
    await startSession(session)
    const detail = 'link: an RS-485 link names the serial port after three slashes: modbus-rtu:///dev/ttyUSB0'
    server.answers.push(
      json(400, { status_code: 400, detail, extra: { field: 'link' } }),
      json(503, { status_code: 503, detail: 'this server is not a site box', extra: null }),
      json(409, { status_code: 409, detail: 'alarm: wrote 300, the device reads back 250', extra: null }),
      noNetwork(),
    )
    const body = { link: 'modbus-rtu://dev/ttyUSB0', first: 1, last: 32 }
    await expect(startBusScan(12, body)).rejects.toMatchObject({ status: 400, field: 'link', detail })
    const error = await startBusScan(12, body).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 503 })
    await expect(writeLevels(140, { channel: 'residual_ma', alarm: 300, confirm: true })).rejects.toMatchObject({ status: 409 })
    await expect(getBusScan(4)).rejects.toBeInstanceOf(NetworkError)
  })
})
