"""Request signatures of the two clouds andian sends SMS and voice calls through, as pure functions (text in, text
out; no clock, no randomness, no network), so the vendors' documented worked examples are their tests.

- Aliyun (阿里云) RPC APIs (Dysmsapi, Dyvmsapi), signature version 1.0: the request parameters sorted by name,
  each name and value percent-encoded (RFC 3986: unreserved characters stay, a space is %20, ``*`` is %2A, ``~``
  stays), joined with ``&`` and ``=``; the string to sign is ``METHOD&%2F&`` + that query, percent-encoded once
  more; the signature is Base64(HMAC-SHA1(key = AccessKeySecret + "&", string to sign)).
- Tencent Cloud (腾讯云) API 3.0, TC3-HMAC-SHA256: a canonical request (method, URI ``/``, query, the signed
  headers ``content-type`` and ``host``, SHA-256 of the body), a string to sign (algorithm, timestamp, credential
  scope ``date/service/tc3_request``, SHA-256 of the canonical request) and a signing key derived from
  ``"TC3" + SecretKey`` through the UTC date, the service and ``tc3_request``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

__all__ = [
    "TC3_ALGORITHM", "aliyun_query", "aliyun_signature", "aliyun_string_to_sign", "percent_encode",
    "tc3_authorization", "tc3_canonical_request", "tc3_date", "tc3_signature", "tc3_string_to_sign",
]

TC3_ALGORITHM = "TC3-HMAC-SHA256"
# The headers Tencent requires in every signature; andian signs no others.
_TC3_SIGNED_HEADERS = "content-type;host"


def percent_encode(text: str) -> str:
    """Aliyun's encoding of a name or value: UTF-8, then every byte but A–Z a–z 0–9 - _ . ~ as %XY (upper case)."""
    return quote(text, safe="-_.~")


def aliyun_query(params: Mapping[str, str]) -> str:
    """The canonicalized query string: parameters sorted by name (byte order), encoded, joined."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                    for k, v in sorted(params.items(), key=lambda kv: kv[0].encode()))


def aliyun_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(aliyun_query(params))}"


def aliyun_signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    """The ``Signature`` parameter of an RPC request with these parameters (``Signature`` itself not among them)."""
    digest = hmac.new(f"{secret}&".encode(), aliyun_string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_date(timestamp: int) -> str:
    """The credential scope's date: the UTC date of the request's timestamp (never the local one)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def tc3_canonical_request(host: str, payload: bytes, content_type: str, method: str = "POST",
                          query: str = "") -> str:
    headers = f"content-type:{content_type.strip().lower()}\nhost:{host.strip().lower()}\n"
    return "\n".join((method.upper(), "/", query, headers, _TC3_SIGNED_HEADERS, _sha256_hex(payload)))


def tc3_string_to_sign(timestamp: int, service: str, canonical_request: str) -> str:
    scope = f"{tc3_date(timestamp)}/{service}/tc3_request"
    return "\n".join((TC3_ALGORITHM, str(timestamp), scope, _sha256_hex(canonical_request.encode())))


def tc3_signature(secret_key: str, timestamp: int, service: str, canonical_request: str) -> str:
    secret_date = _hmac256(f"TC3{secret_key}".encode(), tc3_date(timestamp))
    secret_service = _hmac256(secret_date, service)
    secret_signing = _hmac256(secret_service, "tc3_request")
    return hmac.new(secret_signing, tc3_string_to_sign(timestamp, service, canonical_request).encode(),
                    hashlib.sha256).hexdigest()


def tc3_authorization(secret_id: str, secret_key: str, *, service: str, host: str, timestamp: int, payload: bytes,
                      content_type: str = "application/json; charset=utf-8") -> str:
    """The ``Authorization`` header of a POST with this JSON ``payload`` to ``host`` at ``timestamp``."""
    canonical = tc3_canonical_request(host, payload, content_type)
    signature = tc3_signature(secret_key, timestamp, service, canonical)
    return (f"{TC3_ALGORITHM} Credential={secret_id}/{tc3_date(timestamp)}/{service}/tc3_request, "
            f"SignedHeaders={_TC3_SIGNED_HEADERS}, Signature={signature}")
