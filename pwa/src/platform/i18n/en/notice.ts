// English messages: the unit's drawn signature on the rectification notice (整改通知书).
import type { notice as zh } from '../zh-CN/notice'
import type { PluralForms } from '../types'

export const notice: Record<keyof typeof zh, string | PluralForms> = {
  'notice_sign.title': 'Signature of the person signing',
  'notice_sign.hint': "The unit's representative signs in the box with a finger",
  'notice_sign.draw': "Have the unit's representative sign in the box",
  'notice_sign.wait': 'The signature is being saved; confirm again in a moment',
  'notice_sign.shown': "Signature of the unit's representative",
}
