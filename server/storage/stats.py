"""The raw rows behind regulator statistics, scoped like every query (``s`` is the sites table)."""

from __future__ import annotations

import sqlite3
from typing import Any

__all__ = ["alarm_starts", "commissioned_devices", "hazard_rows", "in_region", "of_venue_types", "offline_devices",
           "sites"]


def in_region(region: str) -> tuple[str, list[Any]]:
    """A scope condition on ``s``: the site lies in ``region`` or a region under it."""
    return ("s.region_code IN (SELECT r.code FROM regions r JOIN regions u ON r.path LIKE u.path || '%' "
            "WHERE u.code = ?)", [region])


def of_venue_types(venue_types: tuple[str, ...] | list[str]) -> tuple[str, list[Any]]:
    """A scope condition on ``s``: the site is of one of ``venue_types``."""
    return f"s.venue_type IN ({', '.join('?' * len(venue_types))})", list(venue_types)


def sites(conn: sqlite3.Connection, scope_sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT s.id, s.name, s.region_code, s.venue_type, s.key_unit FROM sites s WHERE {scope_sql}",
                        params)
    return [dict(r) for r in rows]


def commissioned_devices(conn: sqlite3.Connection, scope_sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Commissioned devices of the visible sites with their channel keys (comma-separated)."""
    rows = conn.execute(
        "SELECT d.site_id, d.kind, group_concat(c.key) AS channels FROM devices d JOIN sites s ON s.id = d.site_id "
        f"LEFT JOIN channels c ON c.device_id = d.id WHERE d.state = 'commissioned' AND ({scope_sql}) "
        "GROUP BY d.id", params)
    return [dict(r) for r in rows]


def hazard_rows(conn: sqlite3.Connection, scope_sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT h.state, h.severity, h.due_at, s.venue_type, s.region_code FROM hazards h "
        f"JOIN sites s ON s.id = h.site_id WHERE h.state != 'closed' AND ({scope_sql})", params)
    return [dict(r) for r in rows]


def alarm_starts(conn: sqlite3.Connection, scope_sql: str, params: list[Any], since: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.started_at, s.region_code FROM alarms a JOIN sites s ON s.id = a.site_id "
        f"WHERE a.level = 'alarm' AND a.test = 0 AND a.started_at >= ? AND ({scope_sql})", [since, *params])
    return [dict(r) for r in rows]


def offline_devices(conn: sqlite3.Connection, scope_sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT s.id AS site_id, s.name, s.region_code, s.venue_type, COUNT(*) AS devices, MIN(a.started_at) AS since "
        "FROM alarms a JOIN sites s ON s.id = a.site_id WHERE a.cause = 'offline' AND a.cleared_at IS NULL "
        f"AND ({scope_sql}) GROUP BY s.id ORDER BY since", params)
    return [dict(r) for r in rows]
