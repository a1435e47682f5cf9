"""The raw rows behind regulator statistics, scoped like every query (``s`` is the sites table)."""

from __future__ import annotations

import sqlite3
from typing import Any

from server.storage.scopes import Scope

__all__ = ["alarm_starts", "commissioned_devices", "hazard_rows", "offline_devices", "sites"]


def sites(conn: sqlite3.Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT s.id, s.name, s.region_code, s.venue_type, s.key_unit FROM sites s "
                        f"WHERE {scope.condition}", scope.params)
    return [dict(r) for r in rows]


def commissioned_devices(conn: sqlite3.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Commissioned devices of the visible sites with their channel keys (comma-separated)."""
    rows = conn.execute(
        "SELECT d.site_id, d.kind, group_concat(c.key) AS channels FROM devices d JOIN sites s ON s.id = d.site_id "
        f"LEFT JOIN channels c ON c.device_id = d.id WHERE d.state = 'commissioned' AND ({scope.condition}) "
        "GROUP BY d.id", scope.params)
    return [dict(r) for r in rows]


def hazard_rows(conn: sqlite3.Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT h.state, h.severity, h.due_at, s.venue_type, s.region_code FROM hazards h "
        f"JOIN sites s ON s.id = h.site_id WHERE h.state != 'closed' AND ({scope.condition})", scope.params)
    return [dict(r) for r in rows]


def alarm_starts(conn: sqlite3.Connection, scope: Scope, since: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.started_at, s.region_code FROM alarms a JOIN sites s ON s.id = a.site_id "
        f"WHERE a.level = 'alarm' AND a.test = 0 AND a.started_at >= ? AND ({scope.condition})",
        [since, *scope.params])
    return [dict(r) for r in rows]


def offline_devices(conn: sqlite3.Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT s.id AS site_id, s.name, s.region_code, s.venue_type, COUNT(*) AS devices, MIN(a.started_at) AS since "
        "FROM alarms a JOIN sites s ON s.id = a.site_id WHERE a.cause = 'offline' AND a.cleared_at IS NULL "
        f"AND ({scope.condition}) GROUP BY s.id ORDER BY since", scope.params)
    return [dict(r) for r in rows]
