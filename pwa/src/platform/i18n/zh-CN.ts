// Simplified Chinese: the default language, and the source of the message keys (en.ts must have them all).
import { core } from './zh-CN/core'
import { notify } from './zh-CN/notify'
import { hazards } from './zh-CN/hazards'
import { work } from './zh-CN/work'
import { sync } from './zh-CN/sync'
import { labels } from './zh-CN/labels'
import { site } from './zh-CN/site'
import { wired } from './zh-CN/wired'
import { alarmConsole } from './zh-CN/console'
import { drill } from './zh-CN/drill'
import { inspect } from './zh-CN/inspect'
import { installer } from './zh-CN/installer'
import { calls } from './zh-CN/calls'
import { consoleAdmin } from './zh-CN/console_admin'
import { notice } from './zh-CN/notice'
import { gateways } from './zh-CN/gateways'

export const zhCN = {
  messages: { ...core, ...notify, ...hazards, ...work, ...sync, ...wired, ...alarmConsole, ...calls, ...site, ...drill, ...inspect, ...consoleAdmin, ...installer, ...notice, ...gateways },
  labels,
}
