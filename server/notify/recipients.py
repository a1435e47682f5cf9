"""Who may be told about a site: the one place that decides it, for alarm messages (``plan``) and hazard messages
(``hazards.notices``) alike. A subscription counts when it wants the level at the site and its user is enabled and
still sees the site (a user moved to another company or region stops hearing of the old one's sites)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.reference import Reference
from server.storage import Connection
from server.storage import notify as notify_sql
from server.storage.scopes import sees_site, user_principal

__all__ = ["Seen", "subscribers"]

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
