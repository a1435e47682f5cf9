"""The raw rows behind regulator statistics, scoped like every query (``s`` is the sites table)."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection
from server.storage.scopes import Scope

__all__ = ["alarm_levels", "alarm_starts", "commissioned_devices", "first_commissioned", "hazard_rows",
           "hazard_times", "offline_devices", "site_hazards", "sites"]


def sites(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT s.id, s.name, s.address, s.region_code, s.venue_type, s.key_unit, s.created_at "
                        f"FROM sites s WHERE {scope.condition} ORDER BY s.id", scope.params)
    return [dict(r) for r in rows]


def commissioned_devices(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """Commissioned devices of the visible sites with their channel keys (comma-separated)."""
    rows = conn.execute(
        "SELECT d.site_id, d.kind, group_concat(c.key) AS channels FROM devices d JOIN sites s ON s.id = d.site_id "
        f"LEFT JOIN channels c ON c.device_id = d.id WHERE d.state = 'commissioned' AND ({scope.condition}) "
        "GROUP BY d.id", scope.params)
    return [dict(r) for r in rows]


def hazard_rows(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT h.state, h.severity, h.due_at, s.venue_type, s.region_code FROM hazards h "
        f"JOIN sites s ON s.id = h.site_id WHERE h.state != 'closed' AND ({scope.condition})", scope.params)
    return [dict(r) for r in rows]


def alarm_starts(conn: Connection, scope: Scope, since: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.started_at, s.region_code FROM alarms a JOIN sites s ON s.id = a.site_id "
        f"WHERE a.level = 'alarm' AND a.test = 0 AND a.started_at >= ? AND ({scope.condition})",
        [since, *scope.params])
    return [dict(r) for r in rows]


def offline_devices(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT s.id AS site_id, s.name, s.region_code, s.venue_type, COUNT(*) AS devices, MIN(a.started_at) AS since "
        "FROM alarms a JOIN sites s ON s.id = a.site_id WHERE a.cause = 'offline' AND a.cleared_at IS NULL "
        f"AND ({scope.condition}) GROUP BY s.id ORDER BY since", scope.params)
    return [dict(r) for r in rows]


def site_hazards(conn: Connection, scope: Scope, now: float) -> dict[int, tuple[int, int]]:
    """Per visible site with hazards not closed: (not closed, open or assigned past their due date)."""
    rows = conn.execute(
        "SELECT h.site_id, COUNT(*), SUM(CASE WHEN h.state IN ('open', 'assigned') AND h.due_at < ? THEN 1 ELSE 0 "
        "END) FROM hazards h JOIN sites s ON s.id = h.site_id "
        f"WHERE h.state != 'closed' AND ({scope.condition}) GROUP BY h.site_id",
        [now, *scope.params])
    return {int(site): (int(total), int(overdue or 0)) for site, total, overdue in rows}


def first_commissioned(conn: Connection, scope: Scope) -> dict[int, float]:
    """Per visible site with a commissioned device: when its first one was accepted (the commissioning's
    completion, or the device's registration when it was commissioned without a recorded commissioning)."""
    rows = conn.execute(
        "SELECT d.site_id, MIN(COALESCE((SELECT MAX(c.completed_at) FROM commissionings c WHERE c.device_id = d.id), "
        "d.created_at)) FROM devices d JOIN sites s ON s.id = d.site_id "
        f"WHERE d.state = 'commissioned' AND ({scope.condition}) GROUP BY d.site_id", scope.params)
    return {int(site): float(at) for site, at in rows}


def alarm_levels(conn: Connection, scope: Scope, since: float) -> list[tuple[float, str]]:
    """(started_at, level) of the alarms and pre-alarms since ``since`` (self-tests do not count)."""
    rows = conn.execute(
        "SELECT a.started_at, a.level FROM alarms a JOIN sites s ON s.id = a.site_id WHERE a.level IN "
        f"('alarm', 'prealarm') AND a.test = 0 AND a.started_at >= ? AND ({scope.condition})", [since, *scope.params])
    return [(float(at), str(level)) for at, level in rows]


def hazard_times(conn: Connection, scope: Scope, since: float) -> list[tuple[float, float | None]]:
    """(created_at, closed_at) of the hazards created or closed since ``since``."""
    rows = conn.execute(
        "SELECT h.created_at, h.closed_at FROM hazards h JOIN sites s ON s.id = h.site_id "
        f"WHERE (h.created_at >= ? OR h.closed_at >= ?) AND ({scope.condition})", [since, since, *scope.params])
    return [(float(created), None if closed is None else float(closed)) for created, closed in rows]
