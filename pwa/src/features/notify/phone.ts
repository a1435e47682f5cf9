// The phone number that is called for unacknowledged alarms: the same rule as the server's (a mainland mobile
// number; "+86", spaces and dashes allowed), so a typo is said before the request. Pure.

const MOBILE = /^1[3-9]\d{9}$/

/** The 11-digit number, '' for an empty field (remove the number), or null when it is not a mainland mobile. */
export function normalizePhone(text: string): string | null {
  let digits = text.replace(/[\s\-()]/g, '')
  if (digits === '') return ''
  for (const prefix of ['+86', '0086']) {
    if (digits.startsWith(prefix)) digits = digits.slice(prefix.length)
  }
  return MOBILE.test(digits) ? digits : null
}
