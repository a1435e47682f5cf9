// English messages: how a person was told (the delivery log) and the phone number that is called.
import type { calls as zh } from '../zh-CN/calls'

export const calls: Record<keyof typeof zh, string> = {
  'delivery.sent_by': 'Notified by {channel} {time}',
  'channel.sms': 'SMS',
  'channel.call': 'phone call',
  'channel.email': 'e-mail',
  'channel.wecom': 'WeCom',
  'channel.wechat': 'WeChat',
  'channel.dingtalk': 'DingTalk',
  'channel.feishu': 'Feishu',
  'channel.webhook': 'webhook',
  'phone.title': 'Phone calls',
  'phone.label': 'Mobile number',
  'phone.placeholder': 'e.g. 13800138000',
  'phone.meaning': 'An alarm nobody acknowledges is followed by a phone call after the first escalation step (one call, about {after} after the alarm).',
  'phone.not_called': 'Your number is kept as a contact; phone calls go to site owners only.',
  'phone.unavailable': 'This server has no phone calls set up yet; your number is kept and used once they are.',
  'phone.save': 'Save number',
  'phone.saved': 'Saved',
  'phone.removed': 'Number removed; no more phone calls',
  'phone.invalid': 'Give an 11-digit mainland mobile number, e.g. 13800138000',
}
