"""Owners' requests to switch a circuit off remotely (申请远程断电), and the monitoring centre's answers."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection
from server.storage.scopes import EVERY_SITE, Scope

__all__ = ["decide", "get_request", "insert_request", "list_requests", "pending_of_alarm", "set_control"]

_COLUMNS = (
    "p.id, p.alarm_id, p.site_id, s.name AS site_name, p.device_id, d.name AS device_name, d.circuit, "
    "ru.display_name AS requested_by, p.requested_at, p.reason, p.state, "
    "du.display_name AS decided_by, p.decided_at, p.decision_note, p.control_id"
)
_FROM = (
    "power_off_requests p JOIN sites s ON s.id = p.site_id JOIN devices d ON d.id = p.device_id "
    "JOIN users ru ON ru.id = p.requested_by LEFT JOIN users du ON du.id = p.decided_by"
)


def insert_request(conn: Connection, *, alarm_id: int, site_id: int, device_id: int, user_id: int,
                   ts: float, reason: str) -> int:
    cur = conn.execute(
        "INSERT INTO power_off_requests (alarm_id, site_id, device_id, requested_by, requested_at, reason) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [alarm_id, site_id, device_id, user_id, ts, reason])
    return int(cur.fetchone()[0])


def pending_of_alarm(conn: Connection, alarm_id: int) -> int | None:
    """The id of the alarm's request still waiting for an answer, if any."""
    found = conn.execute("SELECT id FROM power_off_requests WHERE alarm_id = ? AND state = 'pending'",
                         [alarm_id]).fetchone()
    return None if found is None else int(found[0])


def get_request(conn: Connection, request_id: int, scope: Scope = EVERY_SITE) -> dict[str, Any] | None:
    found = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.id = ? AND ({scope.condition})",
                         [request_id, *scope.params]).fetchone()
    return dict(found) if found else None


def list_requests(conn: Connection, scope: Scope, *, alarm_id: int | None, states: list[str] | None,
                  limit: int) -> list[dict[str, Any]]:
    """Requests in ``scope``: pending first, newest first."""
    where = [f"({scope.condition})"]
    args: list[Any] = list(scope.params)
    if alarm_id is not None:
        where.append("p.alarm_id = ?")
        args.append(alarm_id)
    if states:
        where.append(f"p.state IN ({', '.join('?' * len(states))})")
        args += states
    rows = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE {' AND '.join(where)} "
                        "ORDER BY (p.state = 'pending') DESC, p.requested_at DESC, p.id DESC LIMIT ?", [*args, limit])
    return [dict(r) for r in rows]


def decide(conn: Connection, request_id: int, *, state: str, user_id: int, ts: float, note: str,
           control_id: int | None = None) -> bool:
    """Answer a pending request; False when it was answered already (someone else was quicker)."""
    cur = conn.execute(
        "UPDATE power_off_requests SET state = ?, decided_by = ?, decided_at = ?, decision_note = ?, "
        "control_id = COALESCE(?, control_id) WHERE id = ? AND state = 'pending'",
        [state, user_id, ts, note, control_id, request_id])
    return bool(cur.rowcount)


def set_control(conn: Connection, request_id: int, control_id: int) -> None:
    """Remember a trip attempt that did not switch the circuit off; the request stays pending."""
    conn.execute("UPDATE power_off_requests SET control_id = ? WHERE id = ?", [control_id, request_id])
