"""What the demo's history writes in bulk: hourly aggregates, sites and devices dated back to when their history
starts, and past alarms as they were, without messages (they happened before anybody was watching)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from server.storage.connection import Connection

__all__ = ["backdate", "insert_hours", "insert_past_alarm"]


def insert_hours(conn: Connection, rows: Iterable[tuple[int, int, int, float, float, float]]) -> None:
    """Hourly aggregates (channel_id, start, n, vmin, vmax, vsum), one executemany."""
    conn.executemany("INSERT INTO readings_hour (channel_id, start, n, vmin, vmax, vsum) VALUES (?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (channel_id, start) DO UPDATE SET n = excluded.n, vmin = excluded.vmin, "
                     "vmax = excluded.vmax, vsum = excluded.vsum", rows)


def backdate(conn: Connection, site_ids: list[int], ts: float) -> None:
    """The sites and their devices exist since ``ts`` (their history begins there)."""
    if not site_ids:
        return
    marks = ", ".join("?" * len(site_ids))
    conn.execute(f"UPDATE sites SET created_at = ? WHERE id IN ({marks})", [ts, *site_ids])
    conn.execute(f"UPDATE devices SET created_at = ? WHERE site_id IN ({marks})", [ts, *site_ids])


def insert_past_alarm(conn: Connection, alarm: dict[str, Any], cleared_at: float,
                      acknowledged: tuple[int, float, str] | None) -> int:
    """A cleared alarm with its raised, acknowledged and cleared transitions, and no outbox rows."""
    cur = conn.execute(
        "INSERT INTO alarms (site_id, device_id, channel_id, cause, level, started_at, cleared_at, peak, threshold, "
        "detail, acknowledged_at, acknowledged_by, ack_note) VALUES (:site_id, :device_id, :channel_id, :cause, "
        ":level, :started_at, :cleared_at, :peak, :threshold, :detail, :ack_at, :ack_by, :ack_note) RETURNING id",
        {**alarm, "detail": json.dumps(alarm.get("detail") or {}), "cleared_at": cleared_at,
         "ack_by": acknowledged[0] if acknowledged else None, "ack_at": acknowledged[1] if acknowledged else None,
         "ack_note": acknowledged[2] if acknowledged else ""})
    alarm_id = int(cur.fetchone()[0])
    steps = [(alarm["started_at"], "raised", alarm["peak"], alarm["threshold"]), (cleared_at, "cleared", None, None)]
    if acknowledged:
        steps.insert(1, (acknowledged[1], "acknowledged", None, None))
    conn.executemany("INSERT INTO alarm_transitions (alarm_id, ts, transition, level, value, threshold) "
                     "VALUES (?, ?, ?, ?, ?, ?)", [(alarm_id, ts, kind, alarm["level"], value, threshold)
                                                   for ts, kind, value, threshold in steps])
    return alarm_id
