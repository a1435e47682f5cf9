import { beforeEach, describe, expect, it } from 'vitest'
import { savePulled } from '../../platform/db'
import { startSession } from '../../platform/session'
import { useFakeServer } from '../../test/fetch'
import { user } from '../../test/fixtures'
import { hazardDetail } from '../../test/hazards'
import { inspection } from '../../test/inspections'
import { forgetIdentity } from './identity'
import { hasPulled, readHazard, readHazards, readInspection, readInspections } from './local'
import { reportHazard } from './writes'

useFakeServer()

const MADE_HERE = '019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17'

beforeEach(async () => {
  forgetIdentity()
  await startSession({ token: 'tok', expires_at: Date.now() / 1000 + 3600, user })
})

describe('reading what the device has', () => {
  it('finds a record by the server’s number or by the id it was made with', async () => {
    expect(await hasPulled()).toBe(false)
    await savePulled(
      [
        { entity: 'hazard', entity_id: MADE_HERE, version: 1, deleted: false, fields: { ...hazardDetail(57), events: [] } },
        { entity: 'hazard', entity_id: '12', version: 2, deleted: false, fields: { ...hazardDetail(12), events: [] } },
        { entity: 'inspection', entity_id: '5', version: 3, deleted: false, fields: { ...inspection(5) } },
        { entity: 'inspection', entity_id: '6', version: 4, deleted: false, fields: { ...inspection(6, { site_id: 2 }) } },
      ],
      { user_id: user.id, cursor: 'c', synced_at: 1 },
    )
    expect(await hasPulled()).toBe(true)
    expect((await readHazard('57', new Set()))?.entity_id).toBe(MADE_HERE)
    expect((await readHazard(MADE_HERE, new Set()))?.id).toBe(57)
    expect((await readHazard('12', new Set()))?.entity_id).toBe('12')
    expect(await readHazard('13', new Set())).toBeNull()
    expect((await readInspection('5', new Set()))?.id).toBe(5)
    expect((await readInspections(2)).map((i) => i.id)).toEqual([6])
  })

  it('an inspection pulled by reference reads with its checklist copy’s items', async () => {
    const { items, ...byRef } = inspection(5)
    await savePulled(
      [
        { entity: 'checklist', entity_id: '7', version: 1, deleted: false, fields: { template_id: 'inspection-market', template_version: 1, title: byRef.title, items } },
        { entity: 'inspection', entity_id: '5', version: 2, deleted: false, fields: { ...byRef, checklist: '7' } },
        { entity: 'inspection', entity_id: '6', version: 3, deleted: false, fields: { ...byRef, id: 6, checklist: '7' } },
      ],
      { user_id: user.id, cursor: 'c', synced_at: 1 },
    )
    expect((await readInspection('5', new Set()))?.items).toEqual(items)
    expect((await readInspections(1)).map((i) => [i.id, i.items.length])).toEqual([
      [5, items.length],
      [6, items.length],
    ])
  })

  it('a hazard reported here is there before any sync, by its new id', async () => {
    const entry = await reportHazard({ site_id: 1, title: '配电箱门损坏', severity: 'major' }, { site_name: '市场', assignee: null })
    const h = await readHazard(entry.mutation.entity_id, new Set())
    expect(h).toMatchObject({ title: '配电箱门损坏', state: 'open', site_name: '市场', pending: 1 })
    expect((await readHazards()).map((x) => x.entity_id)).toEqual([entry.mutation.entity_id])
  })

  it('another user’s pull is not this user’s', async () => {
    await savePulled([], { user_id: user.id + 1, cursor: 'c', synced_at: 1 })
    expect(await hasPulled()).toBe(false)
  })
})
