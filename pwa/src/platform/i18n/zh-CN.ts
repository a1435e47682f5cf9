// Simplified Chinese: the default language, and the source of the message keys (en.ts must have them all).
import { core } from './zh-CN/core'
import { notify } from './zh-CN/notify'
import { hazards } from './zh-CN/hazards'
import { work } from './zh-CN/work'
import { sync } from './zh-CN/sync'
import { labels } from './zh-CN/labels'
import { wired } from './zh-CN/wired'
import { installer } from './zh-CN/installer'

export const zhCN = {
  messages: { ...core, ...notify, ...hazards, ...work, ...sync, ...wired, ...installer },
  labels,
}
