import type { zhCN } from './zh-CN'

export type Lang = 'zh-CN' | 'en'

/** A message that depends on a count, one form per Intl.PluralRules category. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }

export type MessageKey = keyof typeof zhCN.messages
export type LabelGroup = keyof typeof zhCN.labels

export interface Catalog {
  messages: Record<MessageKey, string | PluralForms>
  labels: Record<LabelGroup, Record<string, string>>
}
