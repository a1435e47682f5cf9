// English. The keys must match zh-CN.ts (the compiler checks it).
import type { Catalog } from './types'
import { core } from './en/core'
import { notify } from './en/notify'
import { hazards } from './en/hazards'
import { work } from './en/work'
import { sync } from './en/sync'
import { labels } from './en/labels'
import { site } from './en/site'
import { wired } from './en/wired'
import { alarmConsole } from './en/console'
import { drill } from './en/drill'
import { inspect } from './en/inspect'
import { installer } from './en/installer'
import { calls } from './en/calls'
import { consoleAdmin } from './en/console_admin'
import { notice } from './en/notice'
import { gateways } from './en/gateways'

export const en: Catalog = {
  messages: { ...core, ...notify, ...hazards, ...work, ...sync, ...wired, ...alarmConsole, ...calls, ...site, ...drill, ...inspect, ...consoleAdmin, ...installer, ...notice, ...gateways },
  labels,
}
