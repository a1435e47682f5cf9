"""A phone call for an alarm nobody acknowledged: the default for owners who give a phone number.

The deployment names one voice service (``ANDIAN_NOTIFY_VOICE_URL``, e.g. ``aliyunvoice://KEY:SECRET@TTS_CODE``,
without the number called). An owner who sets a phone number (PATCH /api/v1/me) gets a subscription of kind
'call' for alarms (one per user, kept by ``phone_changed``); the planner's ladder calls it once when the first
rung's time has come and the alarm is still unacknowledged (``policy.CALL_TIER``), never for a pre-alarm or a test
alarm. The number and the service are put together only when the call is made (``call_url``), so a changed
number or a changed service takes effect at once.
"""

from __future__ import annotations

from server.notify import targets
from server.notify.cloud_base import mainland_mobile
from server.notify.cloud_plugins import VOICE_SCHEMES
from server.storage import Connection
from server.storage import notify as sql

__all__ = ["CallImpossible", "call_url", "check_voice_url", "mainland_mobile", "masked_phone", "phone_changed"]

# The roles whose phone number means "call me": the people a site's alarm concerns first (rung 0).
CALLED_ROLES = frozenset({"owner"})
_EXAMPLE = "13800138000"


class CallImpossible(Exception):
    """A call that cannot be made now (no voice service configured, no phone number); the words say which."""


def call_url(voice_url: str, phone: str) -> str:
    """The voice service's URL with the number to call."""
    if not voice_url.strip():
        raise CallImpossible("no voice service is configured (ANDIAN_NOTIFY_VOICE_URL)")
    if not phone:
        raise CallImpossible("the user has no phone number any more")
    base, _, query = voice_url.strip().partition("?")
    return f"{base.rstrip('/')}/{phone}" + (f"?{query}" if query else "")


def check_voice_url(voice_url: str) -> None:
    """ValueError saying what is wrong with a configured voice service URL (checked at start)."""
    if not voice_url.strip():
        return
    scheme = voice_url.split("://", 1)[0].lower()
    if scheme not in VOICE_SCHEMES:
        raise ValueError(f"ANDIAN_NOTIFY_VOICE_URL must be a voice service ({', '.join(sorted(VOICE_SCHEMES))}), "
                         f"not {scheme}://")
    try:
        targets.parse(call_url(voice_url, _EXAMPLE), field="ANDIAN_NOTIFY_VOICE_URL")
    except Exception as exc:
        raise ValueError(str(exc)) from exc


def masked_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def phone_changed(conn: Connection, user_id: int, role: str, phone: str, now: float) -> None:
    """Keep the user's call subscription in step with their phone number (on the writer, in the same
    transaction as the number): made or updated for an owner with a mobile number, removed otherwise."""
    mobile = mainland_mobile(phone) if role in CALLED_ROLES else None
    if mobile is None:
        if (existing := sql.call_subscription(conn, user_id)) is not None:
            sql.cancel_subscription(conn, existing, now)
        return
    sql.set_call_subscription(conn, user_id, f"tel:{masked_phone(mobile)}", now)
