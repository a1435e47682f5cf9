"""Hazards, their events (transitions and comments) with photos, and the per-site rules that make hazards from
alarms."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec

from server.storage.connection import Connection
from server.storage.database import chunks
from server.storage.dialect import insertion_order
from server.storage.scopes import EVERY_SITE, Scope

__all__ = [
    "add_event", "alarms_for_rules", "assignees", "commissioning_hazard_open", "event_actors", "events_of",
    "get_hazard", "get_hazards", "get_rules", "hazard_events", "hazard_of_alarm", "insert_hazard", "link_alarm",
    "list_hazards", "newly_overdue",
    "open_hazard_of_fault", "set_rules", "update_hazard", "user_name",
]

_COLUMNS = (
    "h.id, h.site_id, s.name AS site_name, h.title, h.description, h.severity, h.source, h.alarm_id, "
    "h.commissioning_id, h.inspection_id, h.state, h.assignee_id, a.display_name AS assignee, h.due_at, "
    "h.created_by AS creator_id, "
    "c.display_name AS created_by, h.created_at, h.updated_at, h.rectified_by AS rectifier_id, "
    "r.display_name AS rectified_by, h.rectified_at, v.display_name AS verified_by, h.verified_at, h.closed_at"
)
_FROM = (
    "hazards h JOIN sites s ON s.id = h.site_id LEFT JOIN users a ON a.id = h.assignee_id "
    "LEFT JOIN users c ON c.id = h.created_by LEFT JOIN users r ON r.id = h.rectified_by "
    "LEFT JOIN users v ON v.id = h.verified_by"
)


def insert_hazard(conn: Connection, record: dict[str, Any]) -> int:
    fields = ", ".join(record)
    marks = ", ".join(f":{k}" for k in record)
    cur = conn.execute(f"INSERT INTO hazards ({fields}) VALUES ({marks}) RETURNING id", record)
    return int(cur.fetchone()[0])


def update_hazard(conn: Connection, hazard_id: int, fields: dict[str, Any]) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    conn.execute(f"UPDATE hazards SET {sets} WHERE id = :id", {**fields, "id": hazard_id})


def add_event(conn: Connection, hazard_id: int, ts: float, actor_id: int | None, kind: str, state: str,
              note: str = "", detail: dict[str, Any] | None = None, attachments: Iterable[str] = ()) -> int:
    cur = conn.execute(
        "INSERT INTO hazard_events (hazard_id, ts, actor_id, kind, state, note, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [hazard_id, ts, actor_id, kind, state, note, json.dumps(detail or {}, ensure_ascii=False)])
    event_id = int(cur.fetchone()[0])
    conn.executemany("INSERT INTO hazard_event_attachments (event_id, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     [(event_id, sha) for sha in attachments])
    return event_id


def user_name(conn: Connection, user_id: int) -> str:
    found = conn.execute("SELECT display_name FROM users WHERE id = ?", [user_id]).fetchone()
    return str(found[0]) if found else ""


def get_hazard(conn: Connection, hazard_id: int, scope: Scope = EVERY_SITE) -> dict[str, Any] | None:
    found = conn.execute(f"SELECT {_COLUMNS}, s.owner_id FROM {_FROM} WHERE h.id = ? AND ({scope.condition})",
                         [hazard_id, *scope.params]).fetchone()
    return dict(found) if found else None


def list_hazards(conn: Connection, scope: Scope, *, site_id: int | None, states: list[str] | None,
                 overdue_at: float | None, assignee_id: int | None, limit: int) -> list[dict[str, Any]]:
    where = [f"({scope.condition})"]
    args: list[Any] = list(scope.params)
    if site_id is not None:
        where.append("h.site_id = ?")
        args.append(site_id)
    if states:
        where.append(f"h.state IN ({', '.join('?' * len(states))})")
        args += states
    if overdue_at is not None:
        where.append("h.state IN ('open', 'assigned') AND h.due_at < ?")
        args.append(overdue_at)
    if assignee_id is not None:
        where.append("h.assignee_id = ?")
        args.append(assignee_id)
    rows = conn.execute(
        f"SELECT {_COLUMNS}, s.owner_id FROM {_FROM} WHERE {' AND '.join(where)} "
        "ORDER BY (h.state = 'closed'), h.due_at, h.id LIMIT ?", [*args, limit])
    return [dict(r) for r in rows]


def hazard_events(conn: Connection, hazard_id: int) -> list[dict[str, Any]]:
    return events_of(conn, [hazard_id]).get(hazard_id, [])


def events_of(conn: Connection, hazard_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The timelines of many hazards at once (sync pulls them by the thousand), each in order."""
    rows: list[dict[str, Any]] = []
    for chunk in chunks(hazard_ids):
        rows += [dict(r) for r in conn.execute(
            "SELECT e.id, e.hazard_id, e.ts, e.kind, e.state, e.note, e.detail, e.actor_id, u.display_name AS actor, "
            "u.role AS actor_role FROM hazard_events e LEFT JOIN users u ON u.id = e.actor_id "
            f"WHERE e.hazard_id IN ({', '.join('?' * len(chunk))}) ORDER BY e.id", chunk)]
    photos: dict[int, list[str]] = {}
    for chunk in chunks([r["id"] for r in rows]):
        for event_id, sha in conn.execute(
            f"SELECT event_id, sha256 FROM hazard_event_attachments WHERE event_id IN ({', '.join('?' * len(chunk))}) "
            f"ORDER BY {insertion_order(conn)}", chunk):
            photos.setdefault(event_id, []).append(sha)
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        row["detail"] = {} if row["detail"] == "{}" else msgspec.json.decode(row["detail"])
        row["attachments"] = photos.get(row["id"], [])
        out.setdefault(row.pop("hazard_id"), []).append(row)
    return out


def get_hazards(conn: Connection, hazard_ids: list[int]) -> list[dict[str, Any]]:
    """Many hazards by id, unscoped (the caller has scoped the ids)."""
    rows: list[dict[str, Any]] = []
    for chunk in chunks(hazard_ids):
        rows += [dict(r) for r in conn.execute(
            f"SELECT {_COLUMNS}, s.owner_id FROM {_FROM} WHERE h.id IN ({', '.join('?' * len(chunk))}) ORDER BY h.id",
            chunk)]
    return rows


def newly_overdue(conn: Connection, now: float) -> list[dict[str, Any]]:
    """Hazards past their due date not yet announced as overdue."""
    rows = conn.execute(f"SELECT {_COLUMNS}, s.owner_id FROM {_FROM} WHERE h.state IN ('open', 'assigned') "
                        "AND h.due_at < ? AND h.overdue_notified_at IS NULL ORDER BY h.id", [now])
    return [dict(r) for r in rows]


def assignees(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """Who can take a site's hazard: its owner, its operator company's staff, the inspectors of its grid."""
    rows = conn.execute(
        "SELECT u.id, u.display_name, u.role, CASE WHEN u.id = s.owner_id THEN 0 WHEN u.role = 'inspector' THEN 2 "
        "ELSE 1 END AS tier FROM sites s JOIN users u ON u.disabled = 0 AND (u.id = s.owner_id "
        "OR (u.role IN ('operator', 'installer', 'electrician') AND u.company_id = s.company_id) "
        "OR (u.role = 'inspector' AND EXISTS (SELECT 1 FROM user_regions ur JOIN regions r ON r.code = ur.region_code "
        "JOIN regions sr ON sr.code = s.region_code WHERE ur.user_id = u.id AND sr.path LIKE r.path || '%'))) "
        "WHERE s.id = ? ORDER BY tier, u.display_name", [site_id])
    return [dict(r) for r in rows]


def get_rules(conn: Connection, site_id: int) -> dict[str, Any] | None:
    found = conn.execute("SELECT rules FROM site_hazard_rules WHERE site_id = ?", [site_id]).fetchone()
    return None if found is None else dict(json.loads(found[0]))


def set_rules(conn: Connection, site_id: int, rules: dict[str, Any]) -> None:
    conn.execute("INSERT INTO site_hazard_rules (site_id, rules) VALUES (?, ?) ON CONFLICT (site_id) DO UPDATE "
                 "SET rules = excluded.rules", [site_id, json.dumps(rules)])


def alarms_for_rules(conn: Connection, since: float) -> list[dict[str, Any]]:
    """Alarm-level alarms started after ``since`` that made or joined no hazard yet and that a rule may turn into
    one (active, arc, or ended by a breaker trip), with their site's rules (NULL: the defaults). Test alarms never."""
    rows = conn.execute(
        "SELECT a.id, a.site_id, a.device_id, a.cause, a.level, a.started_at, a.cleared_at, a.peak, a.threshold, "
        "a.cleared_reason, d.name AS device_name, d.circuit, c.key AS channel, r.rules FROM alarms a "
        "JOIN devices d ON d.id = a.device_id "
        "LEFT JOIN channels c ON c.id = a.channel_id "
        "LEFT JOIN site_hazard_rules r ON r.site_id = a.site_id LEFT JOIN hazard_alarms ha ON ha.alarm_id = a.id "
        "WHERE a.level = 'alarm' AND a.test = 0 AND a.started_at > ? AND ha.alarm_id IS NULL "
        "AND (a.cleared_at IS NULL OR a.cause = 'arc' OR a.cleared_reason = 'trip') ORDER BY a.id",
        [since])
    out = []
    for r in rows:
        item = dict(r)
        item["rules"] = json.loads(item["rules"]) if item["rules"] else None
        out.append(item)
    return out


def open_hazard_of_fault(conn: Connection, device_id: int, cause: str) -> dict[str, Any] | None:
    """The newest hazard not yet closed that an alarm of this device and cause made or joined."""
    row = conn.execute(
        "SELECT h.id, h.state FROM hazards h JOIN hazard_alarms ha ON ha.hazard_id = h.id "
        "JOIN alarms a ON a.id = ha.alarm_id WHERE h.state != 'closed' AND a.device_id = ? AND a.cause = ? "
        "ORDER BY h.id DESC LIMIT 1", [device_id, cause]).fetchone()
    return dict(row) if row else None


def hazard_of_alarm(conn: Connection, alarm_id: int) -> int | None:
    """The hazard an alarm made or joined, if any."""
    found = conn.execute("SELECT hazard_id FROM hazard_alarms WHERE alarm_id = ?", [alarm_id]).fetchone()
    return None if found is None else int(found[0])


def commissioning_hazard_open(conn: Connection, commissioning_id: int) -> bool:
    """Whether a commissioning already has a hazard that is not closed."""
    return conn.execute("SELECT 1 FROM hazards WHERE commissioning_id = ? AND state != 'closed'",
                        [commissioning_id]).fetchone() is not None


def event_actors(conn: Connection, hazard_id: int, kinds: tuple[str, ...] = ()) -> list[int]:
    """Everyone who made an event of the hazard (of ``kinds`` only, when given)."""
    where = f" AND kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    return [int(r[0]) for r in conn.execute(
        f"SELECT DISTINCT actor_id FROM hazard_events WHERE hazard_id = ? AND actor_id IS NOT NULL{where}",
        [hazard_id, *kinds])]


def link_alarm(conn: Connection, alarm_id: int, hazard_id: int) -> None:
    conn.execute("INSERT INTO hazard_alarms (alarm_id, hazard_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                 [alarm_id, hazard_id])
