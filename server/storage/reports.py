"""The facts behind a site's health-check report for one period."""

from __future__ import annotations

from typing import Any

from server.storage.connection import Connection

__all__ = ["alarms", "commissioned_devices", "daily_max", "devices", "hazards", "offline_spans"]


def devices(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, name, circuit, kind, state, created_at FROM devices WHERE site_id = ? ORDER BY id",
                        [site_id])
    return [dict(r) for r in rows]


def commissioned_devices(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT d.kind, group_concat(c.key) AS channels FROM devices d LEFT JOIN channels c ON c.device_id = d.id "
        "WHERE d.site_id = ? AND d.state = 'commissioned' GROUP BY d.id", [site_id])
    return [dict(r) for r in rows]


def offline_spans(conn: Connection, site_id: int, start: float, end: float) -> list[tuple[float, float]]:
    """Device offline spans overlapping [start, end), clipped to it."""
    rows = conn.execute(
        "SELECT GREATEST(started_at, ?), LEAST(COALESCE(cleared_at, ?), ?) FROM alarms WHERE site_id = ? "
        "AND cause = 'offline' AND started_at < ? AND COALESCE(cleared_at, ?) > ?",
        [start, end, end, site_id, end, end, start])
    return [(float(a), float(b)) for a, b in rows if b > a]


def alarms(conn: Connection, site_id: int, start: float, end: float) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT a.id, a.cause, a.level, a.started_at, a.cleared_at, a.peak, a.acknowledged_at, d.name AS device_name, "
        "d.circuit FROM alarms a JOIN devices d ON d.id = a.device_id WHERE a.site_id = ? AND a.started_at >= ? "
        "AND a.started_at < ? AND a.test = 0 ORDER BY a.started_at", [site_id, start, end])  # self-tests do not count
    return [dict(r) for r in rows]


def daily_max(conn: Connection, site_id: int, start: float, end: float,
              keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per channel of the given quantities, the maxima of its hourly aggregates in the period (hour starts)."""
    marks = " OR ".join("c.key = ? OR c.key LIKE ?" for _ in keys)
    args: list[Any] = []
    for key in keys:
        args += [key, f"{key}_%"]
    rows = conn.execute(
        "SELECT c.id AS channel_id, c.key, d.name AS device_name, d.circuit, h.start, h.vmax FROM readings_hour h "
        "JOIN channels c ON c.id = h.channel_id JOIN devices d ON d.id = c.device_id "
        f"WHERE d.site_id = ? AND ({marks}) AND h.start >= ? AND h.start < ? ORDER BY c.id, h.start",
        [site_id, *args, start, end])
    return [dict(r) for r in rows]


def hazards(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, title, severity, source, state, due_at, created_at, rectified_at, verified_at, closed_at "
        "FROM hazards WHERE site_id = ? ORDER BY created_at", [site_id])
    return [dict(r) for r in rows]
