"""GB/T 26875.3 receiving (server/gb26875): transmission devices by address, the parts they report as devices, the
events kept, the analogue-type mapping, the counters and the commands sent to them."""

from __future__ import annotations

import json
from typing import Any

from server.storage.connection import Connection

__all__ = [
    "EVENTS_KEPT", "add_status", "ensure_part", "gateway_by_address", "get_command", "get_mapping", "get_status",
    "insert_command", "insert_events", "list_commands", "list_events", "set_mapping", "update_command",
]

# Events kept per gateway (the oldest go first): about a month of a box that reports its own state every few
# minutes and a few operations a day, and a bounded table whatever a box sends.
EVENTS_KEPT = 10_000


def gateway_by_address(conn: Connection, address: str) -> dict[str, Any] | None:
    """The live gb26875 gateway with this address: ``{"id", "site_id", "name", "mapping"}``, the mapping as
    ``{analogue type: (channel, scale)}``."""
    row = conn.execute("SELECT id, site_id, name FROM gateways WHERE protocol = 'gb26875' AND address = ? "
                       "AND revoked_at IS NULL", [address]).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["mapping"] = {m["analogue_type"]: (m["channel"], m["scale"]) for m in get_mapping(conn, row["id"])}
    return out


def ensure_part(conn: Connection, part: dict[str, Any], channels: list[tuple[str, dict[str, Any]]],
                now: float) -> tuple[bool, frozenset[str]]:
    """The part's device (``serial``, ``site_id``, ``gateway_id``, ``kind``, ``name``) with at least ``channels``;
    created, completed, or moved to this gateway and site (its address was registered again, on another site).
    Answers whether something changed, and the device's channel keys now."""
    row = conn.execute("SELECT id, site_id, gateway_id FROM devices WHERE serial = ?", [part["serial"]]).fetchone()
    changed = False
    if row is not None and (row["site_id"], row["gateway_id"]) != (part["site_id"], part["gateway_id"]):
        conn.execute("UPDATE devices SET site_id = ?, gateway_id = ? WHERE id = ?",
                     [part["site_id"], part["gateway_id"], row["id"]])
        changed = True
    if row is None:
        cur = conn.execute(
            "INSERT INTO devices (site_id, serial, model, kind, name, circuit, state, created_at, gateway_id) "
            "VALUES (?, ?, 'gb26875', ?, ?, '', 'registered', ?, ?) RETURNING id",
            [part["site_id"], part["serial"], part["kind"], part["name"], now, part["gateway_id"]])
        device_id = int(cur.fetchone()[0])
        changed = True
    else:
        device_id = int(row["id"])
    have = {r["key"] for r in conn.execute("SELECT key FROM channels WHERE device_id = ?", [device_id])}
    new = [(device_id, key, json.dumps(settings)) for key, settings in channels if key not in have]
    if new:
        conn.executemany("INSERT INTO channels (device_id, key, settings) VALUES (?, ?, ?)", new)
    return changed or bool(new), frozenset(have | {key for _, key, _ in new})


def insert_events(conn: Connection, gateway_id: int, rows: list[dict[str, Any]]) -> int:
    """Keep these events (a frame already kept is kept once); the oldest beyond EVENTS_KEPT go. Answers how many
    were new."""
    cur = conn.executemany(
        "INSERT INTO gb26875_events (gateway_id, received_at, device_time, command, type, serial, summary, "
        "raw, digest) VALUES (:gateway_id, :received_at, :device_time, :command, :type, :serial, :summary, :raw, "
        ":digest) ON CONFLICT DO NOTHING",
        [{**r, "gateway_id": gateway_id, "summary": json.dumps(r["summary"], ensure_ascii=False)} for r in rows])
    added = max(0, cur.rowcount)
    if added:
        conn.execute("DELETE FROM gb26875_events WHERE gateway_id = ? AND id <= (SELECT id FROM gb26875_events "
                     "WHERE gateway_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)", [gateway_id, gateway_id, EVENTS_KEPT])
    return added


def list_events(conn: Connection, gateway_id: int, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, received_at, device_time, command, type, serial, summary, raw FROM gb26875_events "
                        "WHERE gateway_id = ? ORDER BY id DESC LIMIT ?", [gateway_id, limit])
    return [{**dict(r), "summary": json.loads(r["summary"]), "raw": bytes(r["raw"]).hex()} for r in rows]


def get_mapping(conn: Connection, gateway_id: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT analogue_type, channel, scale FROM gb26875_mapping WHERE gateway_id = ? "
                        "ORDER BY analogue_type", [gateway_id])
    return [dict(r) for r in rows]


def set_mapping(conn: Connection, gateway_id: int, rows: list[tuple[int, str, float]]) -> None:
    conn.execute("DELETE FROM gb26875_mapping WHERE gateway_id = ?", [gateway_id])
    conn.executemany("INSERT INTO gb26875_mapping (gateway_id, analogue_type, channel, scale) VALUES (?, ?, ?, ?)",
                     [(gateway_id, *r) for r in rows])


_COUNTERS = ("frames", "confirms", "denials", "rejected", "events", "takeovers")


def get_status(conn: Connection, gateway_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM gb26875_status WHERE gateway_id = ?", [gateway_id]).fetchone()
    if row is None:
        return {"counters": dict.fromkeys(_COUNTERS, 0), "last_frame_at": None, "last_frame": None}
    return {"counters": {k: row[k] for k in _COUNTERS}, "last_frame_at": row["last_frame_at"],
            "last_frame": json.loads(row["last_frame"]) if row["last_frame"] else None}


def add_status(conn: Connection, gateway_id: int, deltas: dict[str, int], last_frame_at: float | None,
               last_frame: dict[str, Any] | None) -> None:
    """Add counted frames to a gateway's counters; the last frame replaces the stored one when there is one."""
    values = [deltas.get(k, 0) for k in _COUNTERS]
    conn.execute(
        f"INSERT INTO gb26875_status (gateway_id, {', '.join(_COUNTERS)}, last_frame_at, last_frame) "
        f"VALUES (?, {', '.join('?' * len(_COUNTERS))}, ?, ?) ON CONFLICT (gateway_id) DO UPDATE SET "
        + ", ".join(f"{k} = gb26875_status.{k} + excluded.{k}" for k in _COUNTERS)
        + ", last_frame_at = coalesce(excluded.last_frame_at, gb26875_status.last_frame_at), "
          "last_frame = coalesce(excluded.last_frame, gb26875_status.last_frame)",
        [gateway_id, *values, last_frame_at, json.dumps(last_frame) if last_frame else None])


_COMMAND = "id, gateway_id, kind, serial, sent_at, state, answered_at, attempts"


def insert_command(conn: Connection, gateway_id: int, kind: str, serial: int, now: float,
                   by_user: int | None) -> int:
    cur = conn.execute("INSERT INTO gb26875_commands (gateway_id, kind, serial, sent_at, state, created_by) "
                       "VALUES (?, ?, ?, ?, 'sent', ?) RETURNING id", [gateway_id, kind, serial, now, by_user])
    return int(cur.fetchone()[0])


def update_command(conn: Connection, command_id: int, state: str, answered_at: float | None,
                   attempts: int) -> None:
    conn.execute("UPDATE gb26875_commands SET state = ?, answered_at = coalesce(?, answered_at), attempts = ? "
                 "WHERE id = ?",
                 [state, answered_at, attempts, command_id])


def get_command(conn: Connection, gateway_id: int, command_id: int) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_COMMAND} FROM gb26875_commands WHERE id = ? AND gateway_id = ?",
                       [command_id, gateway_id]).fetchone()
    return dict(row) if row else None


def list_commands(conn: Connection, gateway_id: int, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {_COMMAND} FROM gb26875_commands WHERE gateway_id = ? ORDER BY id DESC LIMIT ?",
                        [gateway_id, limit])
    return [dict(r) for r in rows]
