"""Aliyun (阿里云) SMS and voice notifications as apprise plugins: ``aliyunsms://`` (Dysmsapi SendSms) and
``aliyunvoice://`` (Dyvmsapi SingleCallByTts), RPC-style GET requests signed with HMAC-SHA1
(``signatures.aliyun_signature``). The vendor answers JSON with ``Code`` "OK", or e.g.
"isv.BUSINESS_LIMIT_CONTROL" and a ``Message`` saying why; anything else is a failed send.

    aliyunsms://ACCESS_KEY_ID:ACCESS_KEY_SECRET@SMS_TEMPLATE_CODE/13800138000?sign=签名名称
    aliyunvoice://ACCESS_KEY_ID:ACCESS_KEY_SECRET@TTS_TEMPLATE_CODE/13800138000[?show=被叫显号]
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from server.notify import signatures
from server.notify.cloud_base import CloudTemplateNotifier

__all__ = ["AliyunSms", "AliyunVoice"]


class _Aliyun(CloudTemplateNotifier):
    vendor = "Aliyun"
    version: ClassVar[str] = "2017-05-25"  # the API version of both Dysmsapi and Dyvmsapi
    action: ClassVar[str] = ""

    def call(self, params: dict[str, str]) -> str | None:
        query = {
            "AccessKeyId": self.key_id, "Action": self.action, "Format": "JSON", "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": self.version, **params,
        }
        query["Signature"] = signatures.aliyun_signature(self.secret, "GET", query)
        answer = self.request("GET", f"{self.address().rstrip('/')}/?{signatures.aliyun_query(query)}")
        try:
            body: Any = answer.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return f"HTTP {answer.status_code} without a JSON answer"
        if body.get("Code") == "OK":
            return None
        return f"{body.get('Code') or 'HTTP ' + str(answer.status_code)}: {body.get('Message') or ''}".strip(": ")

    @staticmethod
    def named(values: list[tuple[str, str]]) -> str:
        return json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


class AliyunSms(_Aliyun):
    service_name = "Aliyun SMS"  # type: ignore[assignment]
    secure_protocol = "aliyunsms"  # type: ignore[assignment]
    default_endpoint = "https://dysmsapi.aliyuncs.com/"
    action = "SendSms"
    required: ClassVar[tuple[str, ...]] = ("sign",)

    def send_one(self, phone: str, values: list[tuple[str, str]]) -> str | None:
        return self.call({"PhoneNumbers": phone, "SignName": self.options["sign"], "TemplateCode": self.template,
                          "TemplateParam": self.named(values)})


class AliyunVoice(_Aliyun):
    service_name = "Aliyun voice call"  # type: ignore[assignment]
    secure_protocol = "aliyunvoice"  # type: ignore[assignment]
    default_endpoint = "https://dyvmsapi.aliyuncs.com/"
    action = "SingleCallByTts"

    def send_one(self, phone: str, values: list[tuple[str, str]]) -> str | None:
        params = {"CalledNumber": phone, "TtsCode": self.template, "TtsParam": self.named(values), "PlayTimes": "2"}
        if "show" in self.options:  # without it Aliyun calls from its public number pool
            params["CalledShowNumber"] = self.options["show"]
        return self.call(params)
