"""A channel's readings over time: raw for short ranges, bucket means for long ones, never more than one answer's
worth of points and never a whole range read row by row."""

from __future__ import annotations

import math

import numpy as np

from server.accounts.principal import Principal
from server.context import Context
from server.errors import InvalidInput, NotFound
from server.ingest.admit import MAX_CLOCK_SKEW_S
from server.readings.schemas import Readings
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage import readings as sql
from server.storage.scopes import site_scope

__all__ = ["DEFAULT_RANGE_S", "MAX_POINTS", "MAX_RAW_RANGE_S", "readings"]

# One answer holds at most this many points: a phone chart is a few hundred pixels wide, and a day at a 10 s
# cadence is 8,640 points. More is refused with the step that would fit (a gateway key may ask, so the bound
# protects the server as much as the client).
MAX_POINTS = 10_000
# Raw readings (no step) are given for ranges up to a week; longer ranges are asked for with a step.
MAX_RAW_RANGE_S = 7 * 86400.0
# Without `from`, the last six hours.
DEFAULT_RANGE_S = 6 * 3600.0


async def readings(ctx: Context, principal: Principal, channel_id: int, start: float | None, end: float | None,
                   step: float | None) -> Readings:
    scope = site_scope(principal, ctx.reference)
    if await ctx.db.read(lambda c: device_sql.get_channel(c, channel_id, scope)) is None:
        raise NotFound("channel", channel_id)
    now = ctx.clock()
    end = now if end is None else end
    start = end - DEFAULT_RANGE_S if start is None else start
    if start > end:
        raise InvalidInput("from", "must not be after 'to'")
    span = end - start
    fitting = _fitting_step(span)
    raw_horizon = now - ctx.settings.raw_retention_days * 86400
    # Raw readings are looked up bucket by bucket, so never past what can exist: ingest refuses samples further ahead.
    raw_end = min(end, now + MAX_CLOCK_SKEW_S)
    if step is None:
        if span > MAX_RAW_RANGE_S:
            raise InvalidInput("step", f"raw readings are given for at most 7 days; for {_days(span)} ask with a "
                                       f"step (step={fitting} fits in one answer)")

        def raw(conn: Connection) -> Readings:
            ts, value = sql.range_raw(conn, channel_id, max(start, raw_horizon), raw_end, limit=MAX_POINTS + 1)
            if ts.shape[0] > MAX_POINTS:
                raise InvalidInput("step", f"more than {MAX_POINTS} readings from 'from' to 'to'; ask with a step "
                                           f"(step={fitting} fits in one answer) or a shorter range")
            return Readings(ts=ts.tolist(), value=value.tolist())

        return await ctx.db.read(raw)
    if math.ceil(span / step) > MAX_POINTS:
        raise InvalidInput("step", f"{math.ceil(span / step)} steps of {step:g} s from 'from' to 'to'; one answer "
                                   f"holds at most {MAX_POINTS} points: use step ≥ {fitting} or a shorter range")
    return await ctx.db.read(lambda c: _bucket_means(c, channel_id, start, end, step, (raw_horizon, raw_end)))


def _bucket_means(conn: Connection, channel_id: int, start: float, end: float, step: float,
                  raw_span: tuple[float, float]) -> Readings:
    """Bucket means at bucket starts (aligned to ``step`` from the epoch); empty buckets are left out.

    Each part of the range comes from the coarsest store that serves the step: hour aggregates for steps of an
    hour or more, minute aggregates for a minute or more, both only up to where the rollup has reached (the
    minute mark); raw readings after the mark and for steps under a minute. ``end`` is included.
    """
    raw_horizon, raw_end = raw_span
    end += 1e-6
    mark = sql.minute_mark(conn)
    rolled = raw_horizon if mark is None or step < 60 else max(mark, raw_horizon)
    parts: list[tuple[int, int, float]] = []
    if start < rolled:
        hour_end = min(math.floor(rolled / 3600) * 3600, end) if step >= 3600 else start
        if start < hour_end:
            parts += sql.step_sums(conn, "readings_hour", channel_id, start, hour_end, step)
        parts += sql.step_sums(conn, "readings_minute", channel_id, max(start, hour_end), min(rolled, end), step)
    if min(end, raw_end) > rolled:
        parts += sql.raw_step_sums(conn, channel_id, max(start, rolled), min(end, raw_end + 1e-6), step)
    if not parts:
        return Readings(ts=[], value=[])
    table = np.array(parts, dtype=np.float64)
    keys, inverse = np.unique(table[:, 0], return_inverse=True)
    n = np.bincount(inverse, weights=table[:, 1])
    total = np.bincount(inverse, weights=table[:, 2])
    return Readings(ts=(keys * step).tolist(), value=np.round(total / n, 6).tolist())


def _fitting_step(span: float) -> int:
    """The smallest whole step in seconds that answers ``span`` in one answer."""
    return max(1, math.ceil(span / MAX_POINTS))


def _days(span: float) -> str:
    return f"{span / 86400:.1f} days"
