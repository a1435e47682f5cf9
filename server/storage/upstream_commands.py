"""Commands from the cloud's console to a site box (server/upstream/commands_cloud.py, commands_box.py).

A command is queued for one gateway, taken by the box's long-poll, and done when the box's result arrives or when
it expired. ``done_at`` set means final: nothing changes a done command, and an expired one is never handed out.
"""

from __future__ import annotations

import json
from typing import Any

from server.storage.connection import Connection, Row

__all__ = [
    "command_gateway", "finish_command", "get_command", "has_waiting", "mirrored_user_id", "queue_command",
    "take_commands",
]

_COMMAND = ("c.id, c.gateway_id, c.device_id, c.action, c.reason, c.by_user, c.created_at, c.expires_at, c.taken_at, "
            "c.done_at, c.result, d.serial, d.site_id, u.username AS by_username")
_FROM = "FROM upstream_commands c JOIN devices d ON d.id = c.device_id LEFT JOIN users u ON u.id = c.by_user"


def _command(row: Row) -> dict[str, Any]:
    out = dict(row)
    out["result"] = json.loads(out["result"]) if out["result"] else None
    return out


def command_gateway(conn: Connection, device_id: int, any_box_of_site: bool) -> dict[str, Any] | None:
    """The gateway that executes commands for a device: the box that judges it (``devices.gateway_id``), else, with
    ``any_box_of_site``, the site's unrevoked gateway that last spoke the upstream protocol (its ``device_id`` is set
    on the first upstream request). ``{"id", "revoked_at"}``, or None when no box is there to ask."""
    row = conn.execute("SELECT g.id, g.revoked_at FROM devices d JOIN gateways g ON g.id = d.gateway_id "
                       "WHERE d.id = ?", [device_id]).fetchone()
    if row is not None or not any_box_of_site:
        return dict(row) if row else None
    row = conn.execute(
        "SELECT g.id, g.revoked_at FROM devices d JOIN gateways g ON g.site_id = d.site_id WHERE d.id = ? "
        "AND g.revoked_at IS NULL AND g.device_id IS NOT NULL ORDER BY g.last_seen_at DESC, g.id DESC LIMIT 1",
        [device_id]).fetchone()
    return dict(row) if row else None


def queue_command(conn: Connection, *, gateway_id: int, device_id: int, action: str, reason: str,
                  by_user: int | None, now: float, expires_at: float) -> int:
    cur = conn.execute(
        "INSERT INTO upstream_commands (gateway_id, device_id, action, reason, by_user, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", [gateway_id, device_id, action, reason, by_user, now, expires_at])
    return int(cur.fetchone()[0])


def get_command(conn: Connection, command_id: int) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_COMMAND} {_FROM} WHERE c.id = ?", [command_id]).fetchone()
    return _command(row) if row else None


def has_waiting(conn: Connection, gateway_id: int, now: float) -> bool:
    """Whether the gateway has a command not yet taken that has not expired (a reader's cheap look)."""
    return conn.execute(
        "SELECT 1 FROM upstream_commands WHERE gateway_id = ? AND done_at IS NULL AND taken_at IS NULL "
        "AND expires_at > ? LIMIT 1", [gateway_id, now]).fetchone() is not None


def take_commands(conn: Connection, gateway_id: int, now: float) -> list[dict[str, Any]]:
    """The gateway's commands not yet taken and not expired, oldest first, marked taken now."""
    rows = [_command(r) for r in conn.execute(
        f"SELECT {_COMMAND} {_FROM} WHERE c.gateway_id = ? AND c.done_at IS NULL AND c.taken_at IS NULL "
        "AND c.expires_at > ? ORDER BY c.id", [gateway_id, now])]
    conn.executemany("UPDATE upstream_commands SET taken_at = ? WHERE id = ?", [(now, r["id"]) for r in rows])
    return rows


def finish_command(conn: Connection, command_id: int, now: float, result: dict[str, Any]) -> bool:
    """Make the command final with ``result``; False when it was final already (the first word stands)."""
    cur = conn.execute("UPDATE upstream_commands SET done_at = ?, result = ? WHERE id = ? AND done_at IS NULL",
                       [now, json.dumps(result, ensure_ascii=False), command_id])
    return bool(cur.rowcount)


def mirrored_user_id(conn: Connection, username: str) -> int | None:
    """At the box: the user mirrored from the cloud with this username (a local account of the same name is
    someone else)."""
    row = conn.execute("SELECT id FROM users WHERE username = ? AND mirrored = 1", [username]).fetchone()
    return int(row["id"]) if row else None
