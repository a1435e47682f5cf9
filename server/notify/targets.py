"""apprise at the edge: parse and mask a subscription's URL, and send one message to it.

Every send builds a fresh ``Apprise`` object: a long-lived one waits ``request_rate_per_sec`` (5.5 s) between
two sends to the same plugin, and a fire alarm cannot wait in that queue. andian's own per-recipient rate
limit (``policy.rate_slots``) protects paid and rate-limited services instead.
"""

from __future__ import annotations

import functools
import re
import time
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import apprise
import msgspec

from ..errors import InvalidInput

__all__ = ["DELIVERY_HEADER", "SendResult", "Target", "TargetResult", "parse", "send"]

# Carried by every message to services that take custom headers (webhooks, email): the same value on every
# retry of one message, so a receiver can drop a repeat (delivery is at-least-once).
DELIVERY_HEADER = "X-Andian-Delivery"
_HEADER_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"})
_WEBHOOK_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
# apprise's own defaults, which it writes into every URL it prints; they only add noise to a masked URL.
_NOISE = frozenset({"overflow", "retry", "wait", "optional", "format", "method", "cto", "rto", "emojis",
                    "store", "verify", "tz"})
# Webhook paths often carry the token itself (https://host/hook/3f9c…): long segments are masked too.
_LONG_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]{12,}$")

Status = Literal["SUCCESS", "FAILURE", "TIMEOUT"]


class Target(msgspec.Struct, frozen=True):
    scheme: str
    service: str
    masked: str


class TargetResult(msgspec.Struct):
    service: str
    target: str
    ok: bool
    status: Status
    error: str | None
    elapsed_s: float


class SendResult(msgspec.Struct):
    ok: bool
    results: list[TargetResult]


def parse(url: str, field: str = "url") -> Target:
    """The target of an apprise URL, or InvalidInput naming ``field`` when apprise cannot use it."""
    url = url.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if not scheme:
        raise InvalidInput(field, "not an apprise URL; it starts with a service, e.g. wecombot://KEY or "
                                  "mailto://user:password@smtp.example.com")
    if scheme not in _schemes():
        raise InvalidInput(field, f"apprise has no service {scheme}://; see docs/notifications.md for the list")
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise InvalidInput(field, f"apprise cannot use this {scheme}:// URL; check the key, token or address "
                                  "parts (docs/notifications.md shows each service's form)")
    return Target(scheme=scheme, service=str(plugin.service_name), masked=_mask(str(plugin.url(privacy=True)), scheme))  # type: ignore[no-untyped-call]


@functools.cache
def _schemes() -> frozenset[str]:
    """Every URL scheme of the apprise services installed here."""
    out: set[str] = set()
    for entry in apprise.Apprise().details().get("schemas", []):
        for key in ("protocols", "secure_protocols"):
            protocols = entry.get(key) or ()
            out.update(str(p).lower() for p in ((protocols,) if isinstance(protocols, str) else protocols))
    return frozenset(out)


def _mask(private: str, scheme: str) -> str:
    parts = urlsplit(private)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _NOISE]
    path = unquote(parts.path)
    if scheme in _WEBHOOK_SCHEMES:
        path = "/".join(f"{s[:2]}****" if _LONG_SEGMENT.match(s) else s for s in path.split("/"))
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") or "", urlencode(query, safe="@,:*"), ""))


def _with_key(url: str, key: str) -> str:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in _HEADER_SCHEMES:
        return url
    glue = "&" if "?" in url else "?"
    return f"{url}{glue}{urlencode({'+' + DELIVERY_HEADER: key})}"


_TYPES = {"alarm": apprise.NotifyType.FAILURE, "offline": apprise.NotifyType.FAILURE,
          "prealarm": apprise.NotifyType.WARNING, "fault": apprise.NotifyType.WARNING,
          "cleared": apprise.NotifyType.SUCCESS}


async def send(url: str, *, masked: str, title: str, body: str, key: str | None, tone: str,
               timeout_s: float) -> SendResult:
    """Send one message through apprise's async API; every target's outcome (named by the subscription's
    ``masked`` URL, made when it was saved), with apprise's error words."""
    sender = apprise.Apprise()
    if not sender.add(_with_key(url, key) if key else url):
        return SendResult(False, [TargetResult("?", masked, False, "FAILURE", "apprise refused the URL", 0.0)])
    started = time.monotonic()
    # Plain text in, so line breaks survive in mail and the services convert it as they need.
    outcome = await sender.async_notify(body=body, title=title, notify_type=_TYPES.get(tone, apprise.NotifyType.INFO),
                                        body_format=apprise.NotifyFormat.TEXT, timeout=timeout_s)
    results = []
    for item in outcome:
        status: Status = "SUCCESS" if item.status.name == "SUCCESS" else (
            "TIMEOUT" if item.status.name == "TIMEOUT" else "FAILURE")
        error = None
        if status != "SUCCESS":
            words = [entry.message for entry in item.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
            error = words[-1] if words else ("no answer in time" if status == "TIMEOUT" else "failed")
        results.append(TargetResult(str(item.name), masked, status == "SUCCESS", status, error,
                                    round(float(item.elapsed), 3)))
    if not results:
        results.append(TargetResult("?", masked, False, "FAILURE", outcome.status.name.lower(),
                                    round(time.monotonic() - started, 3)))
    return SendResult(all(r.ok for r in results), results)
