"""Readings, device events, ingest batches, minute/hour aggregates and retention.

Raw readings are keyed (bucket, channel_id, ts) with 10-minute buckets: appends touch only the newest bucket
and a channel's range is one index seek per bucket (see migrations 0002 and bench/ingest.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.storage.connection import Connection
from server.storage.database import chunks
from server.storage.dialect import newest_reading_per_channel

__all__ = [
    "BUCKET_S", "batch_result", "insert_events", "insert_readings", "latest", "mark_late", "minute_mark", "prune",
    "range_raw", "raw_step_sums", "record_batch", "rollup", "step_sums",
]

BUCKET_S = 600


def batch_result(conn: Connection, sender: str, batch_id: str) -> tuple[int, list[dict[str, Any]]] | None:
    """What the sender's batch of this id was answered, if it was received before (batch ids are per sender)."""
    row = conn.execute("SELECT accepted, rejected FROM ingest_batches WHERE sender = ? AND batch_id = ?",
                       [sender, batch_id]).fetchone()
    return (int(row["accepted"]), json.loads(row["rejected"])) if row else None


def record_batch(conn: Connection, sender: str, batch_id: str, now: float, accepted: int,
                 rejected: list[dict[str, Any]]) -> None:
    conn.execute("INSERT INTO ingest_batches (sender, batch_id, received_at, accepted, rejected) "
                 "VALUES (?, ?, ?, ?, ?)", [sender, batch_id, now, accepted, json.dumps(rejected, ensure_ascii=False)])


def insert_readings(conn: Connection, channel_id: NDArray[np.int64], ts: NDArray[np.float64],
                    value: NDArray[np.float64]) -> None:
    """One executemany for the batch; a reading already stored (same channel and ts) is kept, not doubled."""
    bucket = (ts // BUCKET_S).astype(np.int64)
    order = np.lexsort((ts, channel_id, bucket))  # key order: each B-tree page is visited once per batch
    if conn.dialect == "postgresql":  # one statement over arrays, not one round of the protocol per reading
        conn.execute(
            "INSERT INTO readings (bucket, channel_id, ts, value) SELECT * FROM unnest(CAST(? AS BIGINT[]), "
            "CAST(? AS BIGINT[]), CAST(? AS DOUBLE PRECISION[]), CAST(? AS DOUBLE PRECISION[])) ON CONFLICT DO NOTHING",
            [bucket[order].tolist(), channel_id[order].tolist(), ts[order].tolist(), value[order].tolist()])
        return
    conn.executemany(
        "INSERT INTO readings (bucket, channel_id, ts, value) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        zip(bucket[order].tolist(), channel_id[order].tolist(), ts[order].tolist(), value[order].tolist(),
            strict=True),
    )


def insert_events(conn: Connection, rows: Iterable[tuple[int, str, float, int, float]]) -> None:
    conn.executemany("INSERT INTO events (device_id, kind, ts, count, received_at) VALUES (?, ?, ?, ?, ?)", rows)


def _buckets(start: float, end: float) -> list[int]:
    return list(range(int(start // BUCKET_S), int(end // BUCKET_S) + 1))


def range_raw(conn: Connection, channel_id: int, start: float, end: float,
              limit: int | None = None) -> list[tuple[float, float]]:
    """Raw readings of one channel with ``start <= ts <= end``, oldest first; at most ``limit`` of them."""
    out: list[tuple[float, float]] = []
    # One seek per bucket; IN lists are chunked below SQLite's parameter limit.
    for part in chunks(_buckets(start, end), 500):
        marks = ", ".join("?" * len(part))
        bounded = "" if limit is None else f" LIMIT {int(limit - len(out))}"
        out.extend(conn.execute(
            f"SELECT ts, value FROM readings WHERE bucket IN ({marks}) AND channel_id = ? AND ts >= ? AND ts <= ? "
            f"ORDER BY bucket, ts{bounded}",
            [*part, channel_id, start, end],
        ).fetchall())
        if limit is not None and len(out) >= limit:
            break
    return out


# The newest readings of a site's channels are looked for among the raw readings of at least this last hour and of
# everything not rolled up yet, in one grouped query; a channel silent for longer is found by its newest aggregate
# (one index seek), which says which minute to read. The look-back is capped so a stopped clock (or none yet) costs
# a bounded scan.
LATEST_RECENT_S = 3600.0
LATEST_MAX_S = 7 * 86400.0


def latest(conn: Connection, channel_ids: list[int], now: float) -> dict[int, tuple[float, float]]:
    """Each channel's newest reading as (ts, value); a channel whose raw readings are gone past retention gets its
    newest aggregate's mean at the aggregate's start; a channel that never reported is left out."""
    out: dict[int, tuple[float, float]] = {}
    if not channel_ids:
        return out
    mark = _mark(conn, "minute")  # None: nothing rolled up yet, the raw readings are all there is
    start = max(now - LATEST_MAX_S, min(now - LATEST_RECENT_S, mark - 60 if mark is not None else -math.inf))
    _newest_raw(conn, channel_ids, _buckets(start, now + BUCKET_S), out)
    missing = [c for c in channel_ids if c not in out]
    if not missing:
        return out
    # Readings sent late for minutes behind the mark (a box forwarding after an outage) are in no aggregate until
    # the next rollup recomputes their minutes (rollup_dirty): look in those minutes' buckets too.
    late: dict[int, tuple[float, float]] = {}
    dirty = [int(row["minute"]) for row in conn.execute("SELECT minute FROM rollup_dirty")]
    if dirty:
        _newest_raw(conn, missing, sorted({b for m in dirty for b in _buckets(m, m + 60)}), late)
    for channel_id in missing:
        found = [f for f in (late.get(channel_id), _latest_aggregate(conn, channel_id)) if f is not None]
        if found:
            out[channel_id] = max(found)
    return out


def _newest_raw(conn: Connection, channel_ids: list[int], buckets: list[int],
                out: dict[int, tuple[float, float]]) -> None:
    """Into ``out``: each channel's newest raw reading in ``buckets``, where newer than what ``out`` has."""
    if not channel_ids:
        return
    ids = ", ".join("?" * len(channel_ids))
    for part in chunks(buckets, 500):
        marks = ", ".join("?" * len(part))
        for row in conn.execute(
            newest_reading_per_channel(conn, f"bucket IN ({marks}) AND channel_id IN ({ids})"),
            [*part, *channel_ids],
        ):
            known = out.get(row["channel_id"])
            if known is None or row["ts"] > known[0]:
                out[row["channel_id"]] = (float(row["ts"]), float(row["value"]))


def _latest_aggregate(conn: Connection, channel_id: int) -> tuple[float, float] | None:
    for table, step in (("readings_minute", 60), ("readings_hour", 3600)):
        row = conn.execute(f"SELECT start, n, vsum FROM {table} WHERE channel_id = ? ORDER BY start DESC LIMIT 1",
                           [channel_id]).fetchone()
        if row is None:
            continue
        raw = range_raw(conn, channel_id, row["start"], row["start"] + step)
        if raw:
            return float(raw[-1][0]), float(raw[-1][1])
        return float(row["start"]), float(row["vsum"]) / max(1, int(row["n"]))
    return None


def raw_step_sums(conn: Connection, channel_id: int, start: float, end: float,
                  step: float) -> list[tuple[int, int, float]]:
    """(step number, count, sum) of one channel's raw readings with ``start <= ts < end``, grouped in SQL so that
    a long range never travels row by row; step number k is the bucket ``[k·step, (k+1)·step)`` (a step that
    spans two chunks of buckets comes in two rows: the caller adds them)."""
    out: list[tuple[int, int, float]] = []
    for part in chunks(_buckets(start, end), 500):
        marks = ", ".join("?" * len(part))
        out.extend(conn.execute(
            f"SELECT CAST(floor(ts / ?) AS INTEGER), COUNT(*), SUM(value) FROM readings WHERE bucket IN ({marks}) "
            "AND channel_id = ? AND ts >= ? AND ts < ? GROUP BY 1",
            [step, *part, channel_id, start, end],
        ).fetchall())
    return out


def step_sums(conn: Connection, table: str, channel_id: int, start: float, end: float,
              step: float) -> list[tuple[int, int, float]]:
    """(step number, count, sum) from ``readings_minute`` or ``readings_hour`` rows starting in ``[start, end)``;
    an aggregate row counts whole in the step its start falls in."""
    assert table in ("readings_minute", "readings_hour")
    return conn.execute(
        f"SELECT CAST(floor(start / ?) AS INTEGER), SUM(n), SUM(vsum) FROM {table} WHERE channel_id = ? AND start >= ? "
        "AND start < ? GROUP BY 1",
        [step, channel_id, start, end],
    ).fetchall()


def mark_late(conn: Connection, min_ts: float) -> None:
    """Readings older than the rollup mark arrived: have their minutes rolled up again."""
    mark = _mark(conn, "minute")
    if mark is None or min_ts >= mark:
        return
    conn.execute("INSERT INTO rollup_dirty (minute) VALUES (?) ON CONFLICT DO NOTHING", [int(min_ts // 60) * 60])


def minute_mark(conn: Connection) -> float | None:
    """Minutes before this time are rolled up into ``readings_minute`` (and their hours into ``readings_hour``)."""
    return _mark(conn, "minute")


def _mark(conn: Connection, name: str) -> float | None:
    row = conn.execute("SELECT value FROM rollup_marks WHERE name = ?", [name]).fetchone()
    return float(row["value"]) if row else None


def _set_mark(conn: Connection, name: str, value: float) -> None:
    conn.execute("INSERT INTO rollup_marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
                 "value = excluded.value", [name, value])


def _aggregate(conn: Connection, table: str, step: int, start: float, end: float) -> None:
    buckets = _buckets(start, end - 1e-6)
    marks = ", ".join("?" * len(buckets))
    conn.execute(
        f"INSERT INTO {table} (channel_id, start, n, vmin, vmax, vsum) "
        f"SELECT channel_id, CAST(floor(ts / {step}) AS INTEGER) * {step}, COUNT(*), MIN(value), MAX(value), "
        f"SUM(value) FROM readings WHERE bucket IN ({marks}) AND ts >= ? AND ts < ? GROUP BY 1, 2 "
        "ON CONFLICT (channel_id, start) DO UPDATE SET n = excluded.n, vmin = excluded.vmin, vmax = excluded.vmax, "
        "vsum = excluded.vsum",
        [*buckets, start, end],
    )


def rollup(conn: Connection, now: float, *, settle_s: float = 120.0, max_minutes: int = 60) -> int:
    """Aggregate completed minutes (and the hours they complete) up to ``now - settle_s``; return minutes done.

    Idempotent: a minute is recomputed from raw readings, never added to. Late readings (older than the mark)
    were recorded in ``rollup_dirty`` by ingest and are recomputed here.
    """
    done = 0
    for row in conn.execute("SELECT minute FROM rollup_dirty ORDER BY minute LIMIT ?", [max_minutes]).fetchall():
        minute = int(row["minute"])
        _aggregate(conn, "readings_minute", 60, minute, minute + 60)
        hour = minute // 3600 * 3600
        _aggregate(conn, "readings_hour", 3600, hour, hour + 3600)
        conn.execute("DELETE FROM rollup_dirty WHERE minute = ?", [minute])
        done += 1
    limit = math.floor((now - settle_s) / 60) * 60
    mark = _mark(conn, "minute")
    if mark is None:
        first = conn.execute("SELECT MIN(ts) AS t FROM readings").fetchone()["t"]
        if first is None:
            return done
        mark = math.floor(first / 60) * 60
    end = min(limit, mark + 60 * max_minutes)
    if end <= mark:
        return done
    _aggregate(conn, "readings_minute", 60, mark, end)
    # Hours touched by [mark, end): recompute each from raw, complete or not.
    hour = math.floor(mark / 3600) * 3600
    while hour < end:
        _aggregate(conn, "readings_hour", 3600, hour, min(hour + 3600, end))
        hour += 3600
    _set_mark(conn, "minute", end)
    return done + int((end - mark) // 60)


def prune(conn: Connection, now: float, raw_days: float, minute_days: float) -> None:
    """Drop raw readings and minute aggregates past their retention, and old batch ids. Hours are kept."""
    raw_before = now - raw_days * 86400
    conn.execute("DELETE FROM readings WHERE bucket < ?", [int(raw_before // BUCKET_S)])
    conn.execute("DELETE FROM readings_minute WHERE start < ?", [now - minute_days * 86400])
    # Batch ids guard against a gateway re-sending; a week covers any retry.
    conn.execute("DELETE FROM ingest_batches WHERE received_at < ?", [now - 7 * 86400])
    conn.execute("DELETE FROM events WHERE ts < ?", [raw_before])

