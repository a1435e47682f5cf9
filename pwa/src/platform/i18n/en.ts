// English. The keys must match zh-CN.ts (the compiler checks it).
import type { Catalog } from './types'
import { core } from './en/core'
import { notify } from './en/notify'
import { hazards } from './en/hazards'
import { work } from './en/work'
import { sync } from './en/sync'
import { labels } from './en/labels'
import { wired } from './en/wired'
import { installer } from './en/installer'

export const en: Catalog = {
  messages: { ...core, ...notify, ...hazards, ...work, ...sync, ...wired, ...installer },
  labels,
}
