"""andian's own apprise services, registered with apprise once (``register``), before any URL is parsed: SMS and
voice calls through Aliyun and Tencent Cloud. ``TEMPLATE_SCHEMES`` take template parameters instead of text."""

from __future__ import annotations

from apprise.manager_plugins import NotificationManager

from server.notify.aliyun import AliyunSms, AliyunVoice
from server.notify.tencent import TencentSms, TencentVoice

__all__ = ["PLUGINS", "SMS_SCHEMES", "TEMPLATE_SCHEMES", "VOICE_SCHEMES", "register"]

PLUGINS = (AliyunSms, AliyunVoice, TencentSms, TencentVoice)
TEMPLATE_SCHEMES = frozenset(str(p.secure_protocol) for p in PLUGINS)
SMS_SCHEMES = frozenset({"aliyunsms", "tencentsms"})
VOICE_SCHEMES = frozenset({"aliyunvoice", "tencentvoice"})


def register() -> None:
    manager = NotificationManager()
    for plugin in PLUGINS:
        if plugin.secure_protocol not in manager:
            manager.add(plugin)
