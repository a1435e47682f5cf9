"""Readings, device events, ingest batches, minute/hour aggregates and retention.

Raw readings are stored in packed per-channel chunks (``reading_chunks``, migration 0030; server/storage/chunks.py):
one row per channel per ingest batch per 10-minute bucket, keyed (bucket, channel_id, t0). Appends touch only the
newest bucket, a channel's range is one index seek per bucket, and a reading costs 16 bytes and no Python row.
On PostgreSQL the table is partitioned by UTC day (server/storage/partitions.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.storage import partitions
from server.storage.chunks import BUCKET_S, Decoded, decode, first_of_each, group, unpack
from server.storage.connection import Connection
from server.storage.database import chunks
from server.storage.dialect import newest_chunk_per_channel

__all__ = [
    "BUCKET_S", "batch_result", "insert_events", "insert_readings", "latest", "mark_late", "minute_mark", "prune",
    "range_raw", "raw_step_sums", "record_batch", "rollup", "step_sums",
]

_CHUNK = "bucket, channel_id, n, ts, value"
_COLUMNS = ("bucket", "channel_id", "t0", "t1", "n", "ts", "value")
_PG_TYPES = ("int8", "int8", "float8", "float8", "int8", "bytea", "bytea")


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
                    value: NDArray[np.float64], maybe_stored: NDArray[np.bool_] | None = None) -> None:
    """Store a batch as one chunk per (bucket, channel). A reading already stored (same channel and ts) is kept, not
    doubled, and of equal (channel, ts) in the batch the first is kept. Only the readings ``maybe_stored`` marks
    (default: all) are looked for among the stored chunks — the caller knows the rest are newer than anything stored
    for their channel — in one query for the batch."""
    order = first_of_each(channel_id, ts)
    channel_id, ts, value = channel_id[order], ts[order], value[order]
    check = np.ones(ts.shape[0], dtype=np.bool_) if maybe_stored is None else maybe_stored[order]
    if check.any():
        fresh = ~_stored(conn, channel_id, ts, check)
        channel_id, ts, value = channel_id[fresh], ts[fresh], value[fresh]
    rows = group(channel_id, ts, value)
    if not rows:
        return
    if conn.dialect == "postgresql":  # COPY: the chunks travel in binary, no statement per row
        partitions.ensure(conn, {r[0] for r in rows})
        conn.copy_rows("reading_chunks", _COLUMNS, rows, _PG_TYPES)  # type: ignore[attr-defined]
        return
    conn.executemany("INSERT INTO reading_chunks (bucket, channel_id, t0, t1, n, ts, value) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _stored(conn: Connection, channel_id: NDArray[np.int64], ts: NDArray[np.float64],
            check: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which of the readings marked ``check`` are stored already: the stored chunks of their (bucket, channel)
    pairs that overlap their times, decoded."""
    c, t = channel_id[check], ts[check]
    bucket = np.floor_divide(t, BUCKET_S).astype(np.int64)
    buckets, ids = np.unique(bucket).tolist(), np.unique(c).tolist()
    found: list[Decoded] = []
    for part in chunks(ids, 500):
        marks, bmarks = ", ".join("?" * len(part)), ", ".join("?" * len(buckets))
        found.append(decode(conn.execute(
            f"SELECT {_CHUNK} FROM reading_chunks WHERE bucket IN ({bmarks}) AND channel_id IN ({marks}) "
            "AND t1 >= ? AND t0 <= ?", [*buckets, *part, float(t.min()), float(t.max())])))
    out = np.zeros(ts.shape[0], dtype=np.bool_)
    stored_c = np.concatenate([f.channel_id for f in found])
    if stored_c.shape[0]:
        stored_t = np.concatenate([f.ts for f in found])
        out[check] = np.isin(c + 1j * t, stored_c + 1j * stored_t)
    return out


def insert_events(conn: Connection, rows: Iterable[tuple[int, str, float, int, float]]) -> None:
    conn.executemany("INSERT INTO events (device_id, kind, ts, count, received_at) VALUES (?, ?, ?, ?, ?)", rows)


def _buckets(start: float, end: float) -> list[int]:
    return list(range(int(start // BUCKET_S), int(end // BUCKET_S) + 1))


def _chunks_of(conn: Connection, channel_id: int, start: float, end: float,
               limit: int | None = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One channel's readings with ``start <= ts <= end`` as (ts, value), oldest first (at most ``limit``)."""
    ts_parts: list[NDArray[np.float64]] = []
    value_parts: list[NDArray[np.float64]] = []
    total = 0
    # Buckets before the oldest stored and after the newest are not asked for (a range reaching back to the raw
    # horizon); the others one seek each, in IN lists chunked below SQLite's parameter limit.
    first, last = conn.execute("SELECT (SELECT MIN(bucket) FROM reading_chunks WHERE bucket >= ?), "
                               "(SELECT MAX(bucket) FROM reading_chunks WHERE bucket <= ?)",
                               [int(start // BUCKET_S), int(end // BUCKET_S)]).fetchone()
    if first is None or last is None:
        return np.empty(0), np.empty(0)
    for part in chunks(_buckets(max(start, first * BUCKET_S), min(end, (last + 1) * BUCKET_S - 1e-6)), 500):
        marks = ", ".join("?" * len(part))
        got = decode(conn.execute(
            f"SELECT {_CHUNK} FROM reading_chunks WHERE bucket IN ({marks}) AND channel_id = ? AND t1 >= ? "
            "AND t0 <= ? ORDER BY bucket, t0", [*part, channel_id, start, end]))
        keep = (got.ts >= start) & (got.ts <= end)
        ts, value = got.ts[keep], got.value[keep]
        if ts.shape[0] > 1 and not bool(np.all(ts[1:] >= ts[:-1])):  # a late batch's chunk overlaps others
            order = np.argsort(ts, kind="stable")
            ts, value = ts[order], value[order]
        ts_parts.append(ts)
        value_parts.append(value)
        total += ts.shape[0]
        if limit is not None and total >= limit:
            break
    if not ts_parts:
        return np.empty(0), np.empty(0)
    ts, value = np.concatenate(ts_parts), np.concatenate(value_parts)
    return (ts, value) if limit is None else (ts[:limit], value[:limit])


def range_raw(conn: Connection, channel_id: int, start: float, end: float,
              limit: int | None = None) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Raw readings of one channel with ``start <= ts <= end`` as arrays (ts, value), oldest first; at most
    ``limit`` of them."""
    return _chunks_of(conn, channel_id, start, end, limit)


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
    """Into ``out``: each channel's newest raw reading in ``buckets``, where newer than what ``out`` has: the last
    reading of its chunk with the greatest t1."""
    if not channel_ids:
        return
    ids = ", ".join("?" * len(channel_ids))
    for part in chunks(buckets, 500):
        marks = ", ".join("?" * len(part))
        for row in conn.execute(
            newest_chunk_per_channel(conn, f"bucket IN ({marks}) AND channel_id IN ({ids})"),
            [*part, *channel_ids],
        ):
            known = out.get(row["channel_id"])
            if known is None or row["t1"] > known[0]:
                out[row["channel_id"]] = (float(row["t1"]), float(unpack(bytes(row["value"]))[-1]))


def _latest_aggregate(conn: Connection, channel_id: int) -> tuple[float, float] | None:
    for table, step in (("readings_minute", 60), ("readings_hour", 3600)):
        row = conn.execute(f"SELECT start, n, vsum FROM {table} WHERE channel_id = ? ORDER BY start DESC LIMIT 1",
                           [channel_id]).fetchone()
        if row is None:
            continue
        ts, value = range_raw(conn, channel_id, row["start"], row["start"] + step)
        if ts.shape[0]:
            return float(ts[-1]), float(value[-1])
        return float(row["start"]), float(row["vsum"]) / max(1, int(row["n"]))
    return None


def raw_step_sums(conn: Connection, channel_id: int, start: float, end: float,
                  step: float) -> list[tuple[int, int, float]]:
    """(step number, count, sum) of one channel's raw readings with ``start <= ts < end``, grouped in numpy so that
    a long range never travels row by row; step number k is the bucket ``[k·step, (k+1)·step)``."""
    ts, value = _chunks_of(conn, channel_id, start, end)
    keep = ts < end
    ts, value = ts[keep], value[keep]
    if not ts.shape[0]:
        return []
    step_no = np.floor(ts / step).astype(np.int64)  # ascending, as ts is: each step's readings side by side
    edges = np.flatnonzero(np.r_[True, step_no[1:] != step_no[:-1]])
    counts = np.diff(np.r_[edges, step_no.shape[0]])
    sums = np.add.reduceat(value, edges)
    return list(zip(step_no[edges].tolist(), counts.tolist(), sums.tolist(), strict=True))


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
    """Recompute ``table``'s rows of the steps in [start, end) from the raw readings: (channel, step start) with
    n, min, max and sum, grouped in numpy."""
    buckets = _buckets(start, end - 1e-6)
    rows: list[tuple[int, int, int, float, float, float]] = []
    for part in chunks(buckets, 500):
        marks = ", ".join("?" * len(part))
        got = decode(conn.execute(f"SELECT {_CHUNK} FROM reading_chunks WHERE bucket IN ({marks}) AND t1 >= ? "
                                  "AND t0 < ?", [*part, start, end]))
        got = got.take((got.ts >= start) & (got.ts < end))
        if not len(got):
            continue
        first = np.floor(got.ts / step).astype(np.int64) * step
        order = np.lexsort((first, got.channel_id))
        channel, first, value = got.channel_id[order], first[order], got.value[order]
        edges = np.flatnonzero(np.r_[True, (channel[1:] != channel[:-1]) | (first[1:] != first[:-1])])
        n = np.diff(np.r_[edges, channel.shape[0]])
        rows += zip(channel[edges].tolist(), first[edges].tolist(), n.tolist(),
                    np.minimum.reduceat(value, edges).tolist(), np.maximum.reduceat(value, edges).tolist(),
                    np.add.reduceat(value, edges).tolist(), strict=True)
    conn.executemany(
        f"INSERT INTO {table} (channel_id, start, n, vmin, vmax, vsum) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (channel_id, start) DO UPDATE SET n = excluded.n, vmin = excluded.vmin, vmax = excluded.vmax, "
        "vsum = excluded.vsum", rows)


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
        first = conn.execute("SELECT MIN(t0) AS t FROM reading_chunks WHERE bucket = "
                             "(SELECT MIN(bucket) FROM reading_chunks)").fetchone()["t"]
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
    partitions.drop_before(conn, int(raw_before // BUCKET_S))
    conn.execute("DELETE FROM readings_minute WHERE start < ?", [now - minute_days * 86400])
    # Batch ids guard against a gateway re-sending; a week covers any retry.
    conn.execute("DELETE FROM ingest_batches WHERE received_at < ?", [now - 7 * 86400])
    conn.execute("DELETE FROM events WHERE ts < ?", [raw_before])

