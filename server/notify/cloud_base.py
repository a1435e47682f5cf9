"""What the SMS and voice services of Aliyun and Tencent Cloud share as apprise plugins (aliyun.py, tencent.py).

- A URL of andian's own form: ``SCHEME://KEY_ID:SECRET@TEMPLATE/PHONE[/PHONE…]?OPTIONS``; the phone numbers are
  mainland mobile numbers (``+86`` allowed), each called or texted on its own.
- No free text: the vendors only deliver pre-approved templates, so a plugin sends the template id and named
  parameters (``template_params``, set by ``targets.send`` from what ``templates.py`` made), in the order of
  ``?params=`` (Tencent numbers its variables {1}, {2}…; Aliyun names them ${site}…). See docs/notifications.md.
- ``?endpoint=http(s)://HOST[:PORT]/`` replaces the vendor's address (tests, private deployments); its host is
  what ``connects_to`` names, so the SSRF rules (``targets.hosts``, ``addresses``) check it like any other host.
- A vendor's refusal (Aliyun ``Code`` other than "OK", Tencent ``Response.Error``) is logged as a warning in the
  vendor's own words, which apprise hands to the delivery log; the outbox retries as for any failure.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from apprise.common import NotifyType
from apprise.exception import AppriseImproperlyConfigured
from apprise.plugins.base import NotifyBase
from apprise.url import PrivacyMode

__all__ = ["DEFAULT_PARAMS", "MAX_PARAM_CHARS", "CloudTemplateNotifier", "mainland_mobile"]

# The parameters andian fills for every message, in this order unless ?params= says otherwise.
DEFAULT_PARAMS = ("level", "site", "circuit", "quantity", "value", "threshold", "time")
# Vendors cap each template variable's length (and reject the send when it is longer); andian cuts each value to
# this many characters, which fits the notification-template limits both vendors published when this was written.
MAX_PARAM_CHARS = 20
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")


def mainland_mobile(text: str) -> str | None:
    """An 11-digit mainland mobile number from what a person typed ('+86 138-0013-8000'), or None."""
    digits = re.sub(r"[\s\-()]", "", text or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits if _MOBILE.match(digits) else None


class CloudTemplateNotifier(NotifyBase):
    """One vendor API that sends a template to phone numbers; subclasses say where and how."""

    vendor: ClassVar[str] = ""
    default_endpoint: ClassVar[str] = ""
    # URL options this service cannot do without, e.g. ("sign",) for an SMS signature.
    required: ClassVar[tuple[str, ...]] = ()
    service_url = "https://github.com/andian"  # type: ignore[assignment]
    setup_url = "docs/notifications.md"  # type: ignore[assignment]
    # Keep the title apart from the body: neither is sent, the template parameters are.
    title_maxlen = 250
    body_maxlen = 32768
    # andian's own per-recipient rate limit protects paid SMS; apprise's pause between sends would delay alarms.
    request_rate_per_sec = 0
    templates = ("{schema}://{key_id}:{secret}@{template}/{targets}",)  # type: ignore[assignment]
    template_tokens = dict(NotifyBase.template_tokens, **{
        "key_id": {"name": "AccessKey / SecretId", "type": "string", "required": True, "private": True},
        "secret": {"name": "Secret", "type": "string", "required": True, "private": True},
        "template": {"name": "Template", "type": "string", "required": True},
        "targets": {"name": "Phone numbers", "type": "list:string", "required": True},
    })
    template_args = dict(NotifyBase.template_args, **{
        "endpoint": {"name": "Endpoint", "type": "string"},
        "params": {"name": "Template parameters", "type": "string"},
        "sign": {"name": "SMS signature", "type": "string"},
        "show": {"name": "Caller number shown", "type": "string"},
        "app": {"name": "SDK App ID", "type": "string"},
        "region": {"name": "Region", "type": "string"},
    })

    def __init__(self, key_id: str | None = None, secret: str | None = None, template: str | None = None,
                 targets: list[str] | None = None, endpoint: str | None = None, params: str | None = None,
                 options: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not key_id or not secret or not template:
            raise AppriseImproperlyConfigured(f"{self.service_name}: give KEY_ID:SECRET@TEMPLATE")
        self.key_id, self.secret, self.template = key_id, secret, template
        self.options = {k: v for k, v in (options or {}).items() if v}
        missing = [name for name in self.required if name not in self.options]
        if missing:
            raise AppriseImproperlyConfigured(f"{self.service_name}: the URL needs ?{missing[0]}=")
        self.targets: list[str] = []
        for raw in targets or []:
            phone = mainland_mobile(raw)
            if phone is None:  # said when the URL is saved, never dropped silently at 3 a.m.
                raise AppriseImproperlyConfigured(f"{self.service_name}: {raw} is not a mainland mobile number")
            self.targets.append(phone)
        self.endpoint = (endpoint or "").strip()
        if self.endpoint:
            parts = urlsplit(self.endpoint)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise AppriseImproperlyConfigured(f"{self.service_name}: endpoint= must be an http(s):// address")
        names = tuple(n.strip() for n in (params or "").split(",") if n.strip()) or DEFAULT_PARAMS
        if not all(_NAME.match(n) for n in names):
            raise AppriseImproperlyConfigured(f"{self.service_name}: params= is a comma-separated list of names")
        self.names = names
        # Set by the sender for each message (targets.send); None: nothing to fill the template with.
        self.template_params: dict[str, str] | None = None

    # ---- what subclasses implement --------------------------------------------------------------------------

    def send_one(self, phone: str, values: list[tuple[str, str]]) -> str | None:
        """Send to one number; None when the vendor accepted it, else the vendor's reason."""
        raise NotImplementedError

    # ---- shared ---------------------------------------------------------------------------------------------

    def connects_to(self) -> list[str]:
        """Hosts andian connects to: the override's, or none (the vendor's own public API host)."""
        host = urlsplit(self.endpoint).hostname if self.endpoint else None
        return [host] if host else []

    def address(self) -> str:
        return self.endpoint or self.default_endpoint

    def values(self) -> list[tuple[str, str]]:
        given = self.template_params or {}
        out = []
        for name in self.names:
            value = str(given.get(name) or "").strip() or "-"
            out.append((name, value if len(value) <= MAX_PARAM_CHARS else value[:MAX_PARAM_CHARS - 1] + "…"))
        return out

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        # Vendor APIs never redirect; a redirect is refused rather than followed (SSRF, docs/security.md).
        return requests.request(method, url, timeout=self.request_timeout, verify=self.verify_certificate,
                                allow_redirects=False, **kwargs)

    def send(self, body: str, title: str = "", notify_type: NotifyType = NotifyType.INFO, **kwargs: Any) -> bool:
        if self.template_params is None:
            self.logger.warning(f"{self.service_name} sends pre-approved templates only; andian fills them in "
                                "(docs/notifications.md)")
            return False
        values = self.values()
        ok = True
        for index, phone in enumerate(self.targets):
            if self.is_delivered(index):
                continue  # a retry does not text or call again the numbers that already got it
            try:
                error = self.send_one(phone, values)
            except requests.RequestException as exc:
                error = f"no answer from {self.vendor} ({type(exc).__name__})"
            if error:
                self.logger.warning(f"{self.vendor} refused {phone[:3]}****{phone[-4:]}: {error}")
                ok = False
            else:
                self.mark_delivered(index)
        return ok

    def url(self, privacy: bool = False, *args: Any, **kwargs: Any) -> str:
        query = {**self.options, **({"endpoint": self.endpoint} if self.endpoint else {})}
        if self.names != DEFAULT_PARAMS:
            query["params"] = ",".join(self.names)
        query.update(self.url_parameters(*args, privacy=privacy, **kwargs))
        return "{schema}://{key}:{secret}@{template}/{targets}?{query}".format(
            schema=self.secure_protocol, key=self.pprint(self.key_id, privacy, safe=""),
            secret=self.pprint(self.secret, privacy, mode=PrivacyMode.Secret, safe=""),
            template=self.quote(self.template, safe=""), targets="/".join(self.targets),
            query=self.urlencode(query))

    def __len__(self) -> int:
        return max(1, len(self.targets))

    @staticmethod
    def parse_url(url: str) -> dict[str, Any] | None:  # type: ignore[override]  # apprise calls it with the URL only
        results = NotifyBase.parse_url(url, verify_host=False)
        if not results:
            return None
        query = results["qsd"]
        results["key_id"] = NotifyBase.unquote(results.get("user") or "")
        results["secret"] = NotifyBase.unquote(results.get("password") or "")
        results["template"] = NotifyBase.unquote(results.get("host") or "")
        results["targets"] = NotifyBase.split_path(results.get("fullpath") or "")
        results["endpoint"] = query.get("endpoint")
        results["params"] = query.get("params")
        results["options"] = {k: query[k] for k in ("sign", "show", "app", "region") if query.get(k)}
        return dict(results)
