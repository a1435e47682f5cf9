import { describe, expect, it } from 'vitest'
import { inspection, ITEMS } from '../../test/inspections'
import type { SyncedRecord } from '../sync/records'
import { checklistRef, withItems } from './checklist-ref'

function pulled(fields: Record<string, unknown>): SyncedRecord {
  return { key: 'inspection/5', entity: 'inspection', entity_id: '5', server_id: 5, version: 3, fields }
}

function byRef(id: number): Record<string, unknown> {
  const { items: _items, ...rest } = inspection(id)
  return { ...rest, checklist: '7' }
}

const COPY = { fields: { template_id: 'inspection-market', template_version: 1, title: { 'zh-CN': '检查', en: 'Check' }, items: ITEMS } }

describe('an inspection pulled by reference', () => {
  it('takes its items from the copy it names, the rest as pulled', () => {
    const record = pulled(byRef(5))
    expect(checklistRef(record)).toBe('7')
    const view = withItems(record, COPY)
    expect(view.fields).toEqual({ ...inspection(5), checklist: '7', checklist_missing: false })
    expect(record.fields.items).toBeUndefined() // the stored record is left as it is
  })

  it('keeps the items it carries (records pulled before copies existed)', () => {
    const record = pulled({ ...inspection(5) })
    expect(checklistRef(record)).toBeNull()
    expect(withItems(record, COPY)).toBe(record)
  })

  it('an older inspection keeps its own copy when the template changed since', () => {
    const changed = { fields: { ...COPY.fields, template_version: 2, items: ITEMS.map((i) => ({ ...i, text: { 'zh-CN': `新 ${i.text['zh-CN']}`, en: i.text.en } })) } }
    expect(withItems(pulled(byRef(5)), COPY).fields.items).toEqual(ITEMS)
    expect(withItems(pulled({ ...byRef(6), checklist: '8' }), changed).fields.items).toEqual(changed.fields.items)
  })

  it('a copy the device does not have yet leaves no items, marked missing, never a throw', () => {
    const view = withItems(pulled(byRef(5)), undefined)
    expect(view.fields.items).toEqual([])
    expect(view.fields.checklist_missing).toBe(true)
    expect(withItems(pulled(byRef(5)), { fields: { items: 'nonsense' } }).fields.checklist_missing).toBe(true)
  })
})
