// Browser tests are written against the test ids in README.md: every id written out in the components is there.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.tsx') ? [path] : []
  })
}

it('documents every data-testid', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf-8')
  const ids = new Set<string>()
  for (const file of sources(__dirname)) {
    for (const match of readFileSync(file, 'utf-8').matchAll(/(?:data-testid|testid)="([a-z0-9-]+)"/g)) {
      if (match[1]) ids.add(match[1])
    }
  }
  expect(ids.size).toBeGreaterThan(100)
  const missing = [...ids].filter((id) => !readme.includes(`\`${id}\``)).sort()
  expect(missing).toEqual([])
})
