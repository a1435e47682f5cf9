import { describe, expect, it } from 'vitest'
import {
  alarmPath,
  commissionPath,
  wiredDevicePath,
  wiredScanPath,
  DASHBOARD_PATH,
  gatewayPath,
  hazardPath,
  HAZARDS_PATH,
  inspectionPath,
  matchRoute,
  NOTIFICATIONS_PATH,
  reportPath,
  safeNext,
} from './router'

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'sites' }],
    ['', { name: 'sites' }],
    ['/login', { name: 'login' }],
    ['/sites/12', { name: 'site', id: 12 }],
    ['/sites/12/', { name: 'site', id: 12 }],
    ['/sites/12/commission', { name: 'commission', siteId: 12, id: null }],
    ['/sites/12/commission/', { name: 'commission', siteId: 12, id: null }],
    ['/sites/12/commission/5', { name: 'commission', siteId: 12, id: 5 }],
    ['/sites/12/commission/abc', { name: 'notfound' }],
    ['/sites/12/commission/5/pair', { name: 'notfound' }],
    ['/sites/12/commission/wired/112', { name: 'wired-device', siteId: 12, deviceId: 112 }],
    ['/sites/12/commission/wired/', { name: 'notfound' }],
    ['/sites/12/commission/wired/x', { name: 'notfound' }],
    ['/sites/x', { name: 'notfound' }],
    ['/commission', { name: 'notfound' }],
    ['/alarms/42', { name: 'alarm', id: 42 }],
    ['/gateways/3', { name: 'gateway', id: 3 }],
    ['/gateways/3/', { name: 'gateway', id: 3 }],
    ['/gateways/x', { name: 'notfound' }],
    ['/gateways', { name: 'notfound' }],
    ['/alarms/42/', { name: 'alarm', id: 42 }],
    ['/alarms', { name: 'notfound' }],
    ['/alarms/x', { name: 'notfound' }],
    ['/alarms/42/deliveries', { name: 'notfound' }],
    ['/settings/notifications', { name: 'notifications' }],
    ['/settings/notifications/', { name: 'notifications' }],
    ['/settings', { name: 'notfound' }],
    ['/hazards', { name: 'hazards' }],
    ['/hazards/', { name: 'hazards' }],
    ['/hazards/new', { name: 'hazard-new' }],
    ['/hazards/new/', { name: 'hazard-new' }],
    ['/hazards/7', { name: 'hazard', id: '7' }],
    ['/hazards/019A9E3C-5F21-7C3A-9B1E-4D2F8A6C0B17', { name: 'hazard', id: '019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17' }],
    ['/hazards/019a9e3c-5f21', { name: 'notfound' }],
    ['/sync', { name: 'sync' }],
    ['/hazards/7/', { name: 'hazard', id: '7' }],
    ['/hazards/x', { name: 'notfound' }],
    ['/hazards/7/events', { name: 'notfound' }],
    ['/sites/12/hazards', { name: 'notfound' }],
    ['/inspections/5', { name: 'inspection', id: '5' }],
    ['/inspections/019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17', { name: 'inspection', id: '019a9e3c-5f21-7c3a-9b1e-4d2f8a6c0b17' }],
    ['/inspections/5/', { name: 'inspection', id: '5' }],
    ['/inspections', { name: 'notfound' }],
    ['/inspections/x', { name: 'notfound' }],
    ['/inspections/5/answers', { name: 'notfound' }],
    ['/sites/12/report', { name: 'report', siteId: 12 }],
    ['/sites/12/report/', { name: 'report', siteId: 12 }],
    ['/sites/x/report', { name: 'notfound' }],
    ['/sites/12/report/pdf', { name: 'notfound' }],
    ['/dashboard', { name: 'dashboard' }],
    ['/dashboard/', { name: 'dashboard' }],
    ['/dashboard/3', { name: 'notfound' }],
  ] as const)('%s → %j', (path, route) => {
    expect(matchRoute(path)).toEqual(route)
  })

  it('round-trips the commissioning paths', () => {
    expect(commissionPath(12)).toBe('/sites/12/commission')
    expect(commissionPath(12, 5)).toBe('/sites/12/commission/5')
    expect(matchRoute(commissionPath(12, 5))).toEqual({ name: 'commission', siteId: 12, id: 5 })
    expect(wiredScanPath(12)).toBe('/sites/12/commission?via=wired')
    expect(wiredScanPath(12, 3)).toBe('/sites/12/commission?via=wired&scan=3')
    expect(matchRoute(wiredScanPath(12, 3).split('?')[0]!)).toEqual({ name: 'commission', siteId: 12, id: null })
    expect(matchRoute(wiredDevicePath(12, 112))).toEqual({ name: 'wired-device', siteId: 12, deviceId: 112 })
  })

  it('round-trips the alarm and notification paths', () => {
    // The server puts {public_url}/alarms/{id} into every message it sends to phones.
    expect(alarmPath(42)).toBe('/alarms/42')
    expect(matchRoute(alarmPath(42))).toEqual({ name: 'alarm', id: 42 })
    expect(matchRoute(NOTIFICATIONS_PATH)).toEqual({ name: 'notifications' })
  })

  it('round-trips the hazard paths', () => {
    // The server puts {public_url}/hazards/{id} into every message about a hazard.
    expect(hazardPath(7)).toBe('/hazards/7')
    expect(matchRoute(hazardPath(7))).toEqual({ name: 'hazard', id: '7' })
    expect(matchRoute(gatewayPath(3))).toEqual({ name: 'gateway', id: 3 })
    expect(matchRoute(HAZARDS_PATH)).toEqual({ name: 'hazards' })
  })
})

describe('inspection, report and dashboard paths', () => {
  it('round-trips them', () => {
    expect(inspectionPath(5)).toBe('/inspections/5')
    expect(matchRoute(inspectionPath(5))).toEqual({ name: 'inspection', id: '5' })
    expect(reportPath(12)).toBe('/sites/12/report')
    expect(reportPath(12, '2026-10')).toBe('/sites/12/report?period=2026-10')
    expect(matchRoute(reportPath(12, '2026-10').split('?')[0] ?? '')).toEqual({ name: 'report', siteId: 12 })
    expect(matchRoute(DASHBOARD_PATH)).toEqual({ name: 'dashboard' })
  })
})

describe('safeNext', () => {
  it.each([
    ['/sites/12/commission/5', '/sites/12/commission/5'],
    ['//evil.example/x', '/'],
    ['https://evil.example/', '/'],
    ['/login?next=/', '/'],
    ['/alarms/42', '/alarms/42'],
    ['/hazards/7', '/hazards/7'],
    ['/inspections/5', '/inspections/5'],
    ['/sites/12/report?period=2026-10', '/sites/12/report?period=2026-10'],
    [null, '/'],
  ] as const)('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected)
  })
})
