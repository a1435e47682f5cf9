"""Alarms as people see them, acknowledgement, and a channel's readings over time."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec
import numpy as np

from ..auth.principal import Principal
from ..context import Context
from ..detection.settings import unit_of
from ..errors import Forbidden, InvalidInput, NotFound
from ..ingest.pipeline import LiveEvent
from ..schemas import AlarmOut, Readings, SiteStatus
from ..storage import alarms as sql
from ..storage import readings as readings_sql
from ..storage import sites as site_sql
from ..storage.scopes import site_scope

__all__ = [
    "ACKNOWLEDGERS", "acknowledge", "alarm_out", "get_alarm", "list_alarms", "present", "readings", "site_status",
]

# Who answers for an alarm: the unit's owner and the people who maintain its installation.
ACKNOWLEDGERS = ("admin", "operator", "installer", "owner")
# A raw range longer than this many points must be asked for with a step.
MAX_RAW_POINTS = 200_000
_STATUS_ORDER: tuple[SiteStatus, ...] = ("alarm", "fault", "offline", "power_off", "prealarm")


def alarm_out(row: dict[str, Any]) -> AlarmOut:
    unit = unit_of(row["channel"]) if row.get("channel") else ""
    if row["cause"] == "hot_joint":
        unit = "°C"
    return msgspec.convert({**row, "unit": unit}, AlarmOut)


def present(events: list[LiveEvent]) -> list[LiveEvent]:
    """Live events as clients see them: alarm rows in the shape of the alarm list, plus their transition."""
    out = []
    for event in events:
        if event.event == "alarm":
            shaped = msgspec.to_builtins(alarm_out(event.data))
            event = LiveEvent(event.site_id, "alarm", {**shaped, "transition": event.data["transition"]})
        out.append(event)
    return out


def site_status(levels: list[str]) -> SiteStatus:
    for level in _STATUS_ORDER:
        if level in levels:
            return level
    return "normal"


async def list_alarms(ctx: Context, principal: Principal, *, site_id: int | None, active: bool | None,
                      since: float | None, limit: int) -> list[AlarmOut]:
    where, params = site_scope(principal, ctx.reference)
    rows = await ctx.db.read(lambda c: sql.list_alarms(c, where, params, site_id=site_id, active=active,
                                                       since=since, limit=limit))
    return [alarm_out(r) for r in rows]


async def get_alarm(ctx: Context, principal: Principal, alarm_id: int) -> AlarmOut:
    where, params = site_scope(principal, ctx.reference)
    row = await ctx.db.read(lambda c: sql.get_alarm(c, alarm_id, where, params))
    if row is None:
        raise NotFound("alarm", alarm_id)
    return alarm_out(row)


async def acknowledge(ctx: Context, principal: Principal, alarm_id: int, note: str) -> AlarmOut:
    where, params = site_scope(principal, ctx.reference)
    if await ctx.db.read(lambda c: sql.get_alarm(c, alarm_id, where, params)) is None:
        raise NotFound("alarm", alarm_id)
    if principal.kind != "user" or principal.role not in ACKNOWLEDGERS:
        raise Forbidden(f"role {principal.role} may not acknowledge alarms; the site's owner or operator does")
    now = ctx.clock()

    def ack(conn: sqlite3.Connection) -> dict[str, Any]:
        sql.acknowledge(conn, alarm_id, principal.id, now, note)
        row = sql.get_alarm(conn, alarm_id)
        assert row is not None
        return row

    row = await ctx.db.write(ack, durable=True)
    out = alarm_out(row)
    ctx.hub.publish([LiveEvent(row["site_id"], "alarm", {**msgspec.to_builtins(out), "transition": "acknowledged"})])
    return out


async def readings(ctx: Context, principal: Principal, channel_id: int, start: float | None, end: float | None,
                   step: float | None) -> Readings:
    where, params = site_scope(principal, ctx.reference)
    if await ctx.db.read(lambda c: site_sql.get_channel(c, channel_id, where, params)) is None:
        raise NotFound("channel", channel_id)
    end = ctx.clock() if end is None else end
    start = end - 6 * 3600 if start is None else start
    if start > end:
        raise InvalidInput("from", "must not be after 'to'")
    raw_horizon = ctx.clock() - ctx.settings.raw_retention_days * 86400
    if step is None and end - start > 7 * 86400:
        raise InvalidInput("step", "ask for ranges over 7 days with a step (e.g. step=3600)")

    def query(conn: sqlite3.Connection) -> Readings:
        raw = readings_sql.range_raw(conn, channel_id, max(start, raw_horizon), end) if end >= raw_horizon else []
        if step is None:
            if len(raw) > MAX_RAW_POINTS:
                raise InvalidInput("step", f"{len(raw)} points; ask with a step")
            return Readings(ts=[r[0] for r in raw], value=[r[1] for r in raw])
        older: list[tuple[float, int, float]] = []
        if start < raw_horizon:
            table = "readings_hour" if step >= 3600 else "readings_minute"
            older = readings_sql.range_aggregate(conn, table, channel_id, start, min(end, raw_horizon))
        return _downsample(raw, older, step)

    return await ctx.db.read(query)


def _downsample(raw: list[tuple[float, float]], older: list[tuple[float, int, float]], step: float) -> Readings:
    """Bucket means at bucket start times (aligned to ``step`` from the epoch); empty buckets are left out."""
    ts = np.array([r[0] for r in older] + [r[0] for r in raw], dtype=np.float64)
    sums = np.array([r[2] for r in older] + [r[1] for r in raw], dtype=np.float64)
    counts = np.array([r[1] for r in older] + [1] * len(raw), dtype=np.float64)
    if ts.size == 0:
        return Readings(ts=[], value=[])
    bucket = np.floor(ts / step) * step
    keys, inverse = np.unique(bucket, return_inverse=True)
    total = np.bincount(inverse, weights=sums)
    n = np.bincount(inverse, weights=counts)
    return Readings(ts=keys.tolist(), value=np.round(total / n, 6).tolist())
