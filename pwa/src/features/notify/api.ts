// Notifications: the signed-in user's subscriptions, an alarm's delivery log, and a site's escalation policy.
// Errors as in platform/http.ts.
import { request } from '../../platform/http'
import type {
  Delivery,
  NotifyPolicy,
  Me,
  PhoneCall,
  Subscription,
  SubscriptionCreate,
  SubscriptionPatch,
  TestResult,
} from './types'

/**
 * A test message waits for every target's service to answer (the server gives each up to about 10 s); the
 * extra time covers a slow mobile link before the request counts as unanswered.
 */
export const NOTIFY_TEST_TIMEOUT_MS = 30_000

/** Whether the signed-in user is phoned for unacknowledged alarms, and their number. */
export function getPhoneCall(): Promise<PhoneCall> {
  return request<PhoneCall>('GET', '/api/v1/me/phone-call')
}

/** Set ('' removes) the signed-in user's phone number; 400 naming `phone` unless it is a mainland mobile. */
export function setPhone(phone: string): Promise<Me> {
  return request<Me>('PATCH', '/api/v1/me', { body: { phone } })
}

/** The signed-in user's own subscriptions. */
export function getSubscriptions(): Promise<Subscription[]> {
  return request<Subscription[]>('GET', '/api/v1/me/subscriptions')
}

/** 400 when apprise cannot use the URL, or a site or level is refused: `ApiError.field` names the input. */
export function createSubscription(body: SubscriptionCreate): Promise<Subscription> {
  return request<Subscription>('POST', '/api/v1/me/subscriptions', { body })
}

export function updateSubscription(id: number, patch: SubscriptionPatch): Promise<Subscription> {
  return request<Subscription>('PATCH', `/api/v1/me/subscriptions/${id}`, { body: patch })
}

export function deleteSubscription(id: number): Promise<void> {
  return request<void>('DELETE', `/api/v1/me/subscriptions/${id}`)
}

/** Send a test message to every target of the subscription and report each one's outcome. */
export function testSubscription(id: number): Promise<TestResult> {
  return request<TestResult>('POST', `/api/v1/me/subscriptions/${id}/test`, { timeoutMs: NOTIFY_TEST_TIMEOUT_MS })
}

/** How long an alarm at the site may stay unacknowledged before the operator company, then the inspector, is told. */
export function getNotifyPolicy(siteId: number): Promise<NotifyPolicy> {
  return request<NotifyPolicy>('GET', `/api/v1/sites/${siteId}/notify-policy`)
}

/** Who was told about an alarm, how and when: one item per recipient and transition, oldest first. */
export function getDeliveries(alarmId: number): Promise<Delivery[]> {
  return request<Delivery[]>('GET', `/api/v1/alarms/${alarmId}/deliveries`)
}
