import { describe, expect, it } from 'vitest'
import { controlPath, deviceAnchor } from '../features/console/model'
import { anchorId } from './anchor'

describe('anchorId', () => {
  it.each([
    ['#device-7', 'device-7'],
    ['#alarms', 'alarms'],
    ['', null],
    ['#', null],
    ['device-7', null],
    ['#a b', null],
    ['#%E0%A4%A', null],
    ['#"><img', null],
  ])('%s → %s', (hash, id) => {
    expect(anchorId(hash)).toBe(id)
  })

  it("reads the console's remote-control link back to the device card's id", () => {
    const path = controlPath(12, 7)
    expect(path).toBe('/sites/12#device-7')
    expect(anchorId(new URL(path, 'https://andian.example.cn').hash)).toBe(deviceAnchor(7))
  })
})
