"""Tencent Cloud (腾讯云) SMS and voice notifications as apprise plugins: ``tencentsms://`` (sms SendSms,
2021-01-11) and ``tencentvoice://`` (vms SendTtsVoice, 2020-09-02), JSON POSTs signed with TC3-HMAC-SHA256
(``signatures.tc3_authorization``). A refusal is ``Response.Error`` {Code, Message}; for SMS, each number also
has its own ``SendStatusSet`` entry whose ``Code`` must be "Ok".

    tencentsms://SECRET_ID:SECRET_KEY@TEMPLATE_ID/13800138000?app=SMS_SDK_APP_ID&sign=签名内容[&region=ap-guangzhou]
    tencentvoice://SECRET_ID:SECRET_KEY@TEMPLATE_ID/13800138000?app=VOICE_SDK_APP_ID
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

from server.notify import signatures
from server.notify.cloud_base import CloudTemplateNotifier

__all__ = ["TencentSms", "TencentVoice"]

_CONTENT_TYPE = "application/json; charset=utf-8"


class _Tencent(CloudTemplateNotifier):
    vendor = "Tencent Cloud"
    service: ClassVar[str] = ""
    action: ClassVar[str] = ""
    version: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ("app",)

    def call(self, payload: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """(the vendor's refusal or None, the ``Response`` object)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        url = self.address()
        host = urlsplit(url).netloc  # signed as sent: the Host header requests will send
        now = int(time.time())
        headers = {
            "Authorization": signatures.tc3_authorization(self.key_id, self.secret, service=self.service, host=host,
                                                          timestamp=now, payload=body, content_type=_CONTENT_TYPE),
            "Content-Type": _CONTENT_TYPE, "Host": host, "X-TC-Action": self.action, "X-TC-Version": self.version,
            "X-TC-Timestamp": str(now), "X-TC-Region": self.options.get("region", "ap-guangzhou"),
        }
        answer = self.request("POST", url, data=body, headers=headers)
        try:
            response = answer.json().get("Response")
        except (ValueError, AttributeError):
            response = None
        if not isinstance(response, dict):
            return f"HTTP {answer.status_code} without a Response", {}
        error = response.get("Error")
        if isinstance(error, dict):
            return f"{error.get('Code')}: {error.get('Message') or ''}".rstrip(": "), response
        return None, response


class TencentSms(_Tencent):
    service_name = "Tencent Cloud SMS"  # type: ignore[assignment]
    secure_protocol = "tencentsms"  # type: ignore[assignment]
    default_endpoint = "https://sms.tencentcloudapi.com/"
    service, action, version = "sms", "SendSms", "2021-01-11"
    required: ClassVar[tuple[str, ...]] = ("app", "sign")

    def send_one(self, phone: str, values: list[tuple[str, str]]) -> str | None:
        error, response = self.call({
            "PhoneNumberSet": [f"+86{phone}"], "SmsSdkAppId": self.options["app"], "SignName": self.options["sign"],
            "TemplateId": self.template, "TemplateParamSet": [v for _, v in values]})
        if error:
            return error
        statuses = response.get("SendStatusSet") or []
        status = statuses[0] if statuses and isinstance(statuses[0], dict) else {}
        if status.get("Code") == "Ok":
            return None
        return f"{status.get('Code') or 'no send status'}: {status.get('Message') or ''}".rstrip(": ")


class TencentVoice(_Tencent):
    service_name = "Tencent Cloud voice call"  # type: ignore[assignment]
    secure_protocol = "tencentvoice"  # type: ignore[assignment]
    default_endpoint = "https://vms.tencentcloudapi.com/"
    service, action, version = "vms", "SendTtsVoice", "2020-09-02"

    def send_one(self, phone: str, values: list[tuple[str, str]]) -> str | None:
        error, response = self.call({
            "TemplateId": self.template, "CalledNumber": f"+86{phone}", "VoiceSdkAppid": self.options["app"],
            "TemplateParamSet": [v for _, v in values], "PlayTimes": 2})
        if error:
            return error
        status = response.get("SendStatus")
        return None if isinstance(status, dict) and status.get("CallId") else "no CallId in the answer"
