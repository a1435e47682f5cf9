// Wire shapes of notifications (/api/v1/me/subscriptions, an alarm's deliveries, a site's notify policy).
import type { Role, User } from '../../platform/wire'
import type { AlarmLevel, EscalationTier } from '../alarms/types'

export type NotifyLang = 'zh-CN' | 'en'

/** What a subscription may ask for: the alarm levels, and news of hazards at its sites. */
export type NotifyLevel = AlarmLevel | 'hazard'

/** GET /api/v1/me/subscriptions items, and the answer of POST and PATCH. Secrets never come back. */
export interface Subscription {
  id: number
  label: string
  /** The apprise URL with keys and passwords replaced, e.g. "mailto://user:****@example.com". */
  url_masked: string
  /** Apprise's name of the service, e.g. "E-Mail", "WeCom Bot", "WxPusher". */
  service: string
  scheme: string
  /** Null: every site the user can see, including sites added later. */
  site_ids: number[] | null
  levels: NotifyLevel[]
  lang: NotifyLang
  /** How often pre-alarms and faults are sent together as one digest. */
  digest_interval_s: number
  /** "HH:MM", or null without quiet hours (they hold back digests only; alarms never wait). */
  quiet_start: string | null
  quiet_end: string | null
  /** Unix seconds. */
  created_at: number
}

/** POST /api/v1/me/subscriptions. Left out: the server's default (all sites, all levels, zh-CN, 1 h). */
export interface SubscriptionCreate {
  url: string
  label?: string
  site_ids?: number[] | null
  levels?: NotifyLevel[]
  lang?: NotifyLang
  digest_interval_s?: number
  quiet_start?: string | null
  quiet_end?: string | null
}

/** PATCH /api/v1/me/subscriptions/{id}: only the fields that change; the URL cannot (delete and add again). */
export type SubscriptionPatch = Partial<Omit<SubscriptionCreate, 'url'>>

export type SendStatus = 'SUCCESS' | 'FAILURE' | 'TIMEOUT'

/** One target of a test message (a URL may name several, e.g. two e-mail addresses). */
export interface TestTargetResult {
  service: string
  /** Masked. */
  target: string
  ok: boolean
  status: SendStatus | string
  error: string | null
  elapsed_s: number
}

/** POST /api/v1/me/subscriptions/{id}/test. */
export interface TestResult {
  ok: boolean
  results: TestTargetResult[]
}

export type DeliveryTransition = 'raised' | 'escalated' | 'cleared'
/** immediate: sent at once; digest: held for the recipient's digest; summary: folded by the rate limit. */
export type DeliveryMode = 'immediate' | 'digest' | 'summary'
/** waiting: held for a digest or summary; pending: about to be sent; retrying: failed, next try planned. */
export type DeliveryState = 'waiting' | 'pending' | 'sent' | 'retrying'

export interface DeliveryAttempt {
  /** Unix seconds. */
  ts: number
  ok: boolean
  status: SendStatus | string
  error: string | null
  elapsed_s: number
}

/** GET /api/v1/alarms/{id}/deliveries items, oldest first: one message to one recipient for one transition. */
export interface Delivery {
  id: number
  transition: DeliveryTransition | string
  transition_at: number
  level: AlarmLevel
  /** The recipient's display name. */
  user: string
  role: Role | string
  subscription_id: number
  /** Masked; empty when the target is someone else's (an address or phone number is personal). */
  target: string
  service: string
  tier: EscalationTier
  mode: DeliveryMode | string
  state: DeliveryState | string
  /** When it is (or was) due to go out. Unix seconds. */
  due_at: number
  sent_at: number | null
  attempts: DeliveryAttempt[]
  /** How the person was told; the log says it in words ("已通过短信通知"), never the URL. */
  channel?: DeliveryChannel | string
}

export type DeliveryChannel = 'sms' | 'call' | 'email' | 'wecom' | 'wechat' | 'dingtalk' | 'feishu' | 'webhook' | 'other'

/** The answer of PATCH /api/v1/me: the caller, with the phone number. */
export interface Me extends User {
  phone: string
}

/** GET /api/v1/me/phone-call: whether this server calls owners, and the caller's number. */
export interface PhoneCall {
  available: boolean
  /** Whether the caller's role is called (owners are). */
  called: boolean
  phone: string
  /** Seconds after the alarm the call is made, if it is still unacknowledged (the first rung). */
  after_s: number
}

/** GET /api/v1/sites/{id}/notify-policy: how long an alarm may stay unacknowledged before the next tier is told. */
export interface NotifyPolicy {
  site_id: number
  /** [before the operator company is told, before the grid inspector is told], in seconds. */
  escalate_after_s: [number, number]
}
