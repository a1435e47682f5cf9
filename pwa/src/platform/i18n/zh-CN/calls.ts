// Simplified Chinese messages: how a person was told (the delivery log) and the phone number that is called.

export const calls = {
  'delivery.sent_by': '已通过{channel}通知 {time}',
  'channel.sms': '短信',
  'channel.call': '电话',
  'channel.email': '邮件',
  'channel.wecom': '企业微信',
  'channel.wechat': '微信',
  'channel.dingtalk': '钉钉',
  'channel.feishu': '飞书',
  'channel.webhook': '网络接口',
  // The phone number on the notifications page (PATCH /api/v1/me).
  'phone.title': '电话通知',
  'phone.label': '手机号',
  'phone.placeholder': '例如 13800138000',
  'phone.meaning': '未确认的报警将在第一级升级后电话通知您（报警后约 {after} 仍无人确认时拨打一次）。',
  'phone.not_called': '您的手机号仅作为联系方式；电话通知只拨打场所业主。',
  'phone.unavailable': '本系统尚未开通电话通知；手机号会先保存，开通后即生效。',
  'phone.save': '保存手机号',
  'phone.saved': '已保存',
  'phone.removed': '已删除手机号，不再电话通知',
  'phone.invalid': '请填写 11 位中国大陆手机号，例如 13800138000',
}
