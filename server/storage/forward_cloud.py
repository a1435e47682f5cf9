"""Cloud side of forwarding up (server/upstream/forward_cloud.py): the site's names for what a box forwards, alarms
by origin, events and rollups stored once, commissioning records by origin, and the box's backlog."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.storage.connection import Connection
from server.storage.scopes import Scope

__all__ = [
    "alarm_by_origin", "catching_up", "claim_box", "has_transition", "insert_events", "insert_rollups",
    "note_upload", "save_backlog", "seen_devices", "set_origin", "site_names", "uploaded_by",
    "upsert_commissioning", "user_ids",
]


def site_names(conn: Connection, site_id: int) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The site's devices by serial, and its channels by (serial, channel key)."""
    devices: dict[str, int] = {}
    channels: dict[tuple[str, str], int] = {}
    for row in conn.execute("SELECT d.id, d.serial, c.id AS channel_id, c.key FROM devices d "
                            "LEFT JOIN channels c ON c.device_id = d.id WHERE d.site_id = ?", [site_id]):
        devices[row["serial"]] = int(row["id"])
        if row["channel_id"] is not None:
            channels[(row["serial"], row["key"])] = int(row["channel_id"])
    return devices, channels


def user_ids(conn: Connection, usernames: Iterable[str]) -> dict[str, int]:
    names = sorted(set(usernames))
    if not names:
        return {}
    marks = ", ".join("?" * len(names))
    return {r["username"]: int(r["id"])
            for r in conn.execute(f"SELECT id, username FROM users WHERE username IN ({marks})", names)}


def alarm_by_origin(conn: Connection, origin: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, origin_seq, level, cleared_at, acknowledged_at FROM alarms WHERE origin = ?",
                       [origin]).fetchone()
    return dict(row) if row else None


def has_transition(conn: Connection, alarm_id: int, transition: str, ts: float) -> bool:
    """The alarm has this transition at this time: a box transition seen before (an exact resend)."""
    return conn.execute("SELECT 1 FROM alarm_transitions WHERE alarm_id = ? AND transition = ? AND ts = ? LIMIT 1",
                        [alarm_id, transition, ts]).fetchone() is not None


def claim_box(conn: Connection, gateway_id: int, box_id: str) -> str | None:
    """The box database that forwards with this gateway key: the first one is kept. Answers the kept one when it
    is another (the caller refuses), else None."""
    row = conn.execute("SELECT box_id FROM gateways WHERE id = ?", [gateway_id]).fetchone()
    if row is not None and row[0] is not None:
        return None if row[0] == box_id else str(row[0])
    conn.execute("UPDATE gateways SET box_id = ? WHERE id = ?", [box_id, gateway_id])
    return None


def note_upload(conn: Connection, gateway_id: int, sha256: str, now: float) -> None:
    """The box sent these bytes (PUT /api/v1/upstream/attachments/{sha256}): its records may cite them."""
    conn.execute("INSERT INTO upstream_attachments (gateway_id, sha256, uploaded_at) VALUES (?, ?, ?) "
                 "ON CONFLICT DO NOTHING", [gateway_id, sha256, now])


def uploaded_by(conn: Connection, gateway_id: int, hashes: Iterable[str]) -> set[str]:
    return {sha for sha in set(hashes) if conn.execute(
        "SELECT 1 FROM upstream_attachments WHERE gateway_id = ? AND sha256 = ?", [gateway_id, sha]).fetchone()}


def set_origin(conn: Connection, alarm_id: int, origin: str, seq: int) -> None:
    conn.execute("UPDATE alarms SET origin = ?, origin_seq = ? WHERE id = ?", [origin, seq, alarm_id])


def insert_events(conn: Connection, rows: Iterable[tuple[int, str, float, int, float]]) -> int:
    """Events (device, kind, ts, count, received_at), each unless one of the same device, kind and time is there."""
    stored = 0
    for device_id, kind, ts, count, now in rows:
        stored += conn.execute(
            "INSERT INTO events (device_id, kind, ts, count, received_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM events WHERE device_id = ? AND ts = ? AND kind = ?)",
            [device_id, kind, ts, count, now, device_id, ts, kind]).rowcount
    return stored


def insert_rollups(conn: Connection, rows: Iterable[tuple[int, int, int, float, float, float]]) -> None:
    """Minute rollups (channel, start, n, vmin, vmax, vsum) where the cloud has none: one made here from raw
    readings is never overwritten."""
    conn.executemany("INSERT INTO readings_minute (channel_id, start, n, vmin, vmax, vsum) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)


def upsert_commissioning(conn: Connection, origin: str, record: dict[str, Any]) -> None:
    values = {**record, "origin": origin, "steps": json.dumps(record["steps"], ensure_ascii=False),
              "answers": json.dumps(record["answers"], ensure_ascii=False) if record["answers"] is not None else None}
    conn.execute(
        "INSERT INTO commissionings (site_id, address, model, device_id, state, steps, answers, signed_by, signature, "
        "created_by, created_at, completed_at, origin) VALUES (:site_id, :address, :model, :device_id, :state, "
        ":steps, :answers, :signed_by, :signature, :created_by, :created_at, :completed_at, :origin) "
        "ON CONFLICT (origin) WHERE origin IS NOT NULL DO UPDATE SET address = excluded.address, "
        "model = excluded.model, device_id = excluded.device_id, state = excluded.state, steps = excluded.steps, "
        "answers = excluded.answers, signed_by = excluded.signed_by, signature = excluded.signature, "
        "created_by = excluded.created_by, completed_at = excluded.completed_at", values)


def seen_devices(conn: Connection, newest: dict[int, float], gateway_id: int) -> None:
    """Devices the box forwarded for: seen at their newest forwarded time, and judged by that box (the cloud's
    offline watchdog leaves them to it)."""
    conn.executemany("UPDATE devices SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), ?), "
                     "gateway_id = COALESCE(gateway_id, ?) WHERE id = ?",
                     [(ts, gateway_id, device_id) for device_id, ts in newest.items()])


def save_backlog(conn: Connection, gateway_id: int, backlog: dict[str, int], now: float) -> None:
    conn.execute("UPDATE gateways SET backlog = ?, backlog_at = ? WHERE id = ?", [json.dumps(backlog), now, gateway_id])


def catching_up(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """Boxes of sites in scope that last said they still hold something for the cloud."""
    rows = conn.execute(
        "SELECT g.id, g.site_id, s.name AS site_name, g.backlog, g.backlog_at, g.last_seen_at FROM gateways g "
        "JOIN sites s ON s.id = g.site_id WHERE g.backlog IS NOT NULL AND g.revoked_at IS NULL "
        f"AND ({scope.condition}) ORDER BY s.name, g.id", list(scope.params))
    out = []
    for row in rows:
        item = dict(row)
        item["backlog"] = json.loads(item["backlog"])
        if any(v > 0 for v in item["backlog"].values()):
            out.append(item)
    return out
