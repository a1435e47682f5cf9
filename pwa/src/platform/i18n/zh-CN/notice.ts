// Simplified Chinese messages: the unit's drawn signature on the rectification notice (整改通知书).

export const notice = {
  'notice_sign.title': '签收人手写签名',
  'notice_sign.hint': '请被检查单位负责人用手指在框内签名',
  'notice_sign.draw': '请被检查单位负责人在框内手写签名',
  'notice_sign.wait': '签名正在保存，请稍候再确认签收',
  'notice_sign.shown': '被检查单位签收人签名',
}
