"""Who may be told about a site: the one place that decides it, for alarm messages (``plan``) and hazard messages
(``hazards.notices``) alike. A subscription counts when it wants the level at the site and its user is enabled and
still sees the site (a user moved to another company or region stops hearing of the old one's sites).

Electricians hear of the work dispatched to them, not of every alarm of their company's sites: the hazards assigned
to them through hazard notices (``hazards.notices``, level ``hazard``), and an alarm only while it is dispatched to
them (``alarm_subscribers``), on the operator company's rung (``policy.tier_of``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.reference import Reference
from server.storage import Connection
from server.storage import notify as notify_sql
from server.storage.scopes import sees_site, user_principal

__all__ = ["Seen", "alarm_subscribers", "subscribers"]

# (user id, site id) → whether the user sees the site; kept across one round so each pair is looked up once.
Seen = dict[tuple[int, int], bool]


def subscribers(conn: Connection, reference: Reference, site_id: int, level: str, *,
                seen: Seen | None = None,
                wanted: Callable[[dict[str, Any]], bool] = lambda _sub: True) -> list[dict[str, Any]]:
    """Subscriptions for ``level`` at ``site_id`` whose users may be told; ``wanted`` narrows them first (who an
    event concerns), so visibility is looked up only for those."""
    seen = {} if seen is None else seen
    out = []
    for sub in notify_sql.site_subscriptions(conn, site_id, level):
        if not wanted(sub):
            continue
        key = (sub["user_id"], site_id)
        if key not in seen:
            person = user_principal(conn, sub["user_id"])
            seen[key] = person is not None and sees_site(conn, person, reference, site_id)
        if seen[key]:
            out.append(sub)
    return out


def alarm_subscribers(conn: Connection, reference: Reference, site_id: int, alarm_id: int, level: str, *,
                      seen: Seen | None = None) -> list[dict[str, Any]]:
    """``subscribers`` for one alarm's message: an electrician only when the alarm is dispatched to them (its
    hazard is assigned to them and not yet rectified). Who works on it is looked up only when an electrician
    subscribes, so nobody else's planning pays for it."""
    workers: set[int] | None = None

    def wanted(sub: dict[str, Any]) -> bool:
        nonlocal workers
        if sub["role"] != "electrician":
            return True
        if workers is None:
            workers = notify_sql.dispatched_to(conn, alarm_id)
        return int(sub["user_id"]) in workers

    return subscribers(conn, reference, site_id, level, seen=seen, wanted=wanted)
