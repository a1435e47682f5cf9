"""How a person was told, in the words the delivery log uses ("已通过短信通知"): the channel of a subscription,
from its apprise scheme. Never the raw URL, never apprise's own service names ("E-Mail")."""

from __future__ import annotations

from typing import Literal

from server.notify.cloud_plugins import SMS_SCHEMES, VOICE_SCHEMES

__all__ = ["Channel", "channel_of"]

Channel = Literal["sms", "call", "email", "wecom", "wechat", "dingtalk", "feishu", "webhook", "other"]

# apprise's services by what they are to a person; anything else is "other" (the PWA names its service).
_BY_SCHEME: dict[str, Channel] = {
    **{s: "sms" for s in SMS_SCHEMES | {"twilio", "d7sms", "bulksms", "clickatell", "sinch", "msg91", "smseagle",
                                        "kavenegar", "bulkvs", "burstsms", "kudosity", "clicksend", "vonage",
                                        "nexmo", "plivo", "messagebird", "smsmgr", "seven", "46elks"}},
    **{s: "call" for s in VOICE_SCHEMES | {"call"}},
    **{s: "email" for s in ("mailto", "mailtos", "mailgun", "sendgrid", "ses", "sparkpost", "smtp2go",
                            "sendpulse", "resend", "brevo", "postmark")},
    "wecombot": "wecom", "wechat": "wecom", "wxpusher": "wechat", "schan": "wechat",
    "dingtalk": "dingtalk", "feishu": "feishu", "lark": "feishu",
    **{s: "webhook" for s in ("json", "jsons", "xml", "xmls", "form", "forms")},
}


def channel_of(scheme: str) -> Channel:
    return _BY_SCHEME.get(scheme.lower(), "other")
