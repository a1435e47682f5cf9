"""apprise at the edge: parse and mask a subscription's URL, and send one message to it.

Every send builds a fresh ``Apprise`` object: a long-lived one waits ``request_rate_per_sec`` (5.5 s) between
two sends to the same plugin, and a fire alarm cannot wait in that queue. andian's own per-recipient rate
limit (``policy.rate_slots``) protects paid and rate-limited services instead.

Unless the administrator allows private targets, the hosts a URL makes andian connect to (``hosts``) must be
public when it is saved (``check``) and again right before every send (``send``): see ``addresses``.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import apprise
import msgspec
from apprise.exception import AppriseImproperlyConfigured

from server.errors import InvalidInput
from server.notify import addresses, cloud_plugins

__all__ = ["DELIVERY_HEADER", "SendResult", "Target", "TargetResult", "check", "hosts", "parse", "send"]

log = logging.getLogger("andian.notify")

cloud_plugins.register()  # before any URL is parsed: aliyunsms://, tencentvoice:// …

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
# Services whose URL has a host part that is not where they send: a WeCom agent id, or the mail domain of a
# sender whose mail goes out through the provider's own API host.
_FIXED_HOST = frozenset({"wechat", "mailgun", "sparkpost", "smtp2go", "sendpulse"})
# Modes in which a self-hostable service is reached at its public cloud address, not at the URL's host.
_CLOUD_MODES = frozenset({"cloud", "official", "t2bot"})

Status = Literal["SUCCESS", "FAILURE", "TIMEOUT"]


class Target(msgspec.Struct, frozen=True):
    scheme: str
    service: str
    masked: str
    hosts: tuple[str, ...] = ()  # where andian connects to reach it (``hosts``); none for fixed-host services


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
        reason = _refusal(url) if scheme in cloud_plugins.TEMPLATE_SCHEMES else ""
        raise InvalidInput(field, f"apprise cannot use this {scheme}:// URL; "
                                  f"{reason or 'check the key, token or address parts'} "
                                  "(docs/notifications.md shows each service's form)")
    return Target(scheme=scheme, service=str(plugin.service_name),
                  masked=_mask(str(plugin.url(privacy=True)), scheme),  # type: ignore[no-untyped-call]
                  hosts=tuple(hosts(plugin, scheme)))


def _refusal(url: str) -> str:
    """What andian's own services say is wrong with a URL (a missing ?sign=, a number that is not a mobile)."""
    try:
        apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except AppriseImproperlyConfigured as exc:
        return str(exc)
    return ""


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


def hosts(plugin: object, scheme: str) -> list[str]:
    """The hosts that an apprise plugin instance (made from a ``scheme``:// URL) connects to. Services that talk
    to their own fixed public hosts (wecombot, wxpusher, schan, SMS APIs…) have none: their URL's "host" is a
    key. Email connects to its SMTP server, which apprise may have taken from the domain or ``smtp=``. andian's
    own services say it themselves (``connects_to``: the host of an ``endpoint=`` override)."""
    connects_to = getattr(plugin, "connects_to", None)
    if callable(connects_to):
        return [str(host) for host in connects_to()]
    smtp_host = getattr(plugin, "smtp_host", None)
    if isinstance(smtp_host, str) and smtp_host:
        return [smtp_host]
    relays = getattr(plugin, "relays", None)  # nostr: relays given as ws(s):// URLs
    if isinstance(relays, list) and relays:
        return [host for relay in relays if (host := urlsplit(str(relay)).hostname)]
    templates = getattr(type(plugin), "templates", ())
    if (scheme in _FIXED_HOST or str(getattr(plugin, "mode", "")) in _CLOUD_MODES
            or not any("{host}" in t for t in templates)):
        return []
    host = getattr(plugin, "host", None)
    return [host.strip("[]")] if isinstance(host, str) and host.strip("[]") else []


async def check(target: Target, *, allow_private: bool, field: str = "url") -> None:
    """InvalidInput naming ``field`` unless every host of a parsed ``target`` resolves (within
    ``addresses.RESOLVE_TIMEOUT_S``) to public addresses only; with ``allow_private`` nothing is checked."""
    if allow_private:
        return
    try:
        await addresses.check(target.hosts)
    except addresses.TargetRefused as exc:
        raise InvalidInput(field, exc.detail) from exc


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
               timeout_s: float, allow_private: bool, params: dict[str, str] | None = None) -> SendResult:
    """Send one message through apprise's async API; every target's outcome (named by the subscription's
    ``masked`` URL, made when it was saved), with apprise's error words. Unless ``allow_private``, the hosts
    are resolved and checked again first (DNS may have changed since the URL was saved), and a refused target
    fails without a connection, saying why; nor are redirects followed then (a public host could send the
    request on to a private one). Template services (SMS and voice calls through Aliyun and Tencent Cloud) send
    ``params``, the named values of their pre-approved template, instead of the title and body."""
    sender = apprise.Apprise()
    if not sender.add(_with_key(url, key) if key else url):
        return SendResult(False, [TargetResult("?", masked, False, "FAILURE", "apprise refused the URL", 0.0)])
    for plugin in sender:
        if hasattr(plugin, "template_params"):
            plugin.template_params = params
    started = time.monotonic()
    if not allow_private:
        scheme = url.split("://", 1)[0].lower()
        for plugin in sender:
            plugin.redirects = False  # whatever the URL's ?redirect= says
            try:
                await addresses.check(hosts(plugin, scheme),
                                      timeout_s=min(timeout_s, addresses.RESOLVE_TIMEOUT_S))
            except addresses.TargetRefused as exc:
                log.warning("not sending to %s: %s", masked, exc.detail)
                return SendResult(False, [TargetResult(str(plugin.service_name), masked, False, "FAILURE",
                                                       f"refused: {exc.detail}",
                                                       round(time.monotonic() - started, 3))])
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
