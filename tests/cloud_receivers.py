"""Local stand-ins for the SMS and voice APIs of Aliyun and Tencent Cloud: real HTTP servers on 127.0.0.1 that
check each request's signature the way the vendor does and answer with the vendor's success and error bodies.

The verifiers are written here from the vendors' specifications (docs/notifications.md cites them), on purpose
without ``server.notify.signatures``: a signature andian got wrong is refused here as the vendor would refuse it
(Aliyun ``SignatureDoesNotMatch``, Tencent ``AuthFailure.SignatureFailure``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from .receivers import LocalHttpServer, running

__all__ = ["CloudReceiver", "Received", "cloud_receiver"]

KEY_ID, SECRET = "LTAI5tTestKeyId", "TestSecretValue42"
# Errors Tencent answers for the whole request (Response.Error); others are per number (SendStatusSet).
_TENCENT_ERRORS = {"AuthFailure.SignatureFailure": "The provided credentials could not be validated.",
                   "LimitExceeded.AppDailyLimit": "业务短信日下发条数超过设定的上限"}


@dataclass
class Received:
    vendor: str  # aliyun | tencent
    action: str
    phone: str
    template: str
    params: Any  # Aliyun: a dict of named values; Tencent: the ordered list
    sign: str
    signature_ok: bool
    answered: str  # "ok" or the error code answered


def _aliyun_encode(text: str) -> str:
    # RFC 3986: unreserved characters kept, everything else %XY of its UTF-8 bytes.
    return quote(text, safe="-_.~")


def aliyun_signature_ok(query: str, secret: str) -> bool:
    pairs = parse_qsl(query, keep_blank_values=True)
    given = dict(pairs).get("Signature", "")
    rest = sorted(((k, v) for k, v in pairs if k != "Signature"), key=lambda kv: kv[0].encode())
    canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in rest)
    to_sign = "GET&" + _aliyun_encode("/") + "&" + _aliyun_encode(canonical)
    expected = base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, given)


def tencent_signature_ok(headers: Any, body: bytes, secret_key: str) -> bool:
    auth = headers.get("Authorization", "")
    algorithm, _, rest = auth.partition(" ")
    parts = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    credential = parts.get("Credential", "").split("/")
    if algorithm != "TC3-HMAC-SHA256" or len(credential) != 4 or credential[3] != "tc3_request":
        return False
    _, date, service, _ = credential
    timestamp = int(headers.get("X-TC-Timestamp", "0"))
    if date != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d"):
        return False
    signed = parts.get("SignedHeaders", "").split(";")
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed)
    canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/tc3_request",
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = hmac.new(f"TC3{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, service.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), parts.get("Signature", ""))


@dataclass
class CloudReceiver(LocalHttpServer):
    """Answers as Aliyun (GET, RPC) and Tencent Cloud (POST, API 3.0) do. ``behaviour(n)`` decides the n-th
    request's fate: "ok", or a vendor error code to answer with."""

    behaviour: Callable[[int], str] = field(default=lambda n: "ok")
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _fate(self) -> str:
                with receiver._lock:
                    return receiver.behaviour(len(receiver.received))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # Aliyun RPC
                query = urlsplit(self.path).query
                params = dict(parse_qsl(query, keep_blank_values=True))
                ok = params.get("AccessKeyId") == KEY_ID and aliyun_signature_ok(query, SECRET)
                fate = self._fate() if ok else "SignatureDoesNotMatch"
                action = params.get("Action", "")
                named = params.get("TemplateParam") or params.get("TtsParam") or "{}"
                with receiver._lock:
                    receiver.received.append(Received(
                        "aliyun", action, params.get("PhoneNumbers") or params.get("CalledNumber", ""),
                        params.get("TemplateCode") or params.get("TtsCode", ""), json.loads(named),
                        params.get("SignName", ""), ok, fate))
                if fate == "ok":
                    extra = {"BizId": "900619746936498440^0"} if action == "SendSms" else {"CallId": "116012354148^1"}
                    self._answer(200, {"Code": "OK", "Message": "OK", "RequestId": "F655A8D5-B967", **extra})
                elif fate == "SignatureDoesNotMatch":
                    self._answer(400, {"Code": fate, "Message": "Specified signature is not matched with our "
                                                                 "calculation.", "RequestId": "F655A8D5-B968"})
                else:
                    self._answer(200, {"Code": fate, "Message": "触发分钟级流控Permits:1",
                                       "RequestId": "F655A8D5-B969"})

            def do_POST(self) -> None:  # Tencent Cloud API 3.0
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = tencent_signature_ok(self.headers, body, SECRET) and KEY_ID in self.headers.get(
                    "Authorization", "")
                fate = self._fate() if ok else "AuthFailure.SignatureFailure"
                action = self.headers.get("X-TC-Action", "")
                payload = json.loads(body or b"{}")
                phone = (payload.get("PhoneNumberSet") or [payload.get("CalledNumber", "")])[0]
                with receiver._lock:
                    receiver.received.append(Received("tencent", action, phone, payload.get("TemplateId", ""),
                                                      payload.get("TemplateParamSet"), payload.get("SignName", ""),
                                                      ok, fate))
                request_id = "a0aabda6-cf91-4f3e-a2f2-a8eb6ee64e7c"
                if fate in _TENCENT_ERRORS:
                    self._answer(200, {"Response": {"Error": {"Code": fate, "Message": _TENCENT_ERRORS[fate]},
                                                    "RequestId": request_id}})
                elif action == "SendSms":
                    code, words = ("Ok", "send success") if fate == "ok" else (fate, "单个手机号30秒内下发条数超过上限")
                    self._answer(200, {"Response": {"SendStatusSet": [{
                        "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": phone, "Fee": 1,
                        "SessionContext": "", "Code": code, "Message": words, "IsoCode": "CN"}],
                        "RequestId": request_id}})
                else:
                    self._answer(200, {"Response": {"SendStatus": {"CallId": "12582bce-403c-11eb-96b8-525400476c37",
                                                                   "SessionContext": ""}, "RequestId": request_id}})

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._listen(Handler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, scheme: str, template: str, *phones: str, **options: str) -> str:
        query = "&".join(f"{k}={quote(v)}" for k, v in {**options, "endpoint": self.endpoint}.items())
        return f"{scheme}://{KEY_ID}:{SECRET}@{template}/{'/'.join(phones)}?{query}"

    def got(self, action: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if action is None or r.action == action]

def cloud_receiver(behaviour: Callable[[int], str] | None = None) -> AbstractContextManager[CloudReceiver]:
    return running(CloudReceiver(behaviour) if behaviour else CloudReceiver())
