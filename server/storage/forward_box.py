"""Box side of forwarding up (server/upstream/forward_box.py): the cursors, the pending batch, what each stream
still holds for the cloud, late buckets, items the cloud could not take yet, and the bounded backlog.

Positions are JSON in ``upstream_cursors``: alarms, events and commissionings by id (or change number); readings
as ``[bucket, ts, channel_id]`` of the last reading sent (rows in a bucket go in ``ts, channel_id`` order, so a
day's backlog is read in O(n) without a sort of the whole table); rollups as ``[dropped range id, channel_id]``;
the late bucket in progress as ``[bucket, marks, channel_id, ts]``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.storage.chunks import BUCKET_S, Decoded, decode
from server.storage.connection import Connection

__all__ = [
    "Position", "alarm_transitions", "box_id", "channel_names", "commissionings", "count_after", "delete_pending",
    "drop_oldest", "dropped_after", "estimate_readings", "events", "get_cursor", "get_pending", "held", "held_size",
    "hold", "late_bucket", "late_done", "late_rows", "note_late", "read_position", "readings_from", "retried",
    "rollup_rows", "save_pending", "set_cursor", "trim_held", "unhold",
]

Position = tuple[int, float, int]  # (bucket, ts, channel_id)


def get_cursor(conn: Connection, stream: str) -> Any:
    row = conn.execute("SELECT position FROM upstream_cursors WHERE stream = ?", [stream]).fetchone()
    return json.loads(row["position"]) if row else None


def set_cursor(conn: Connection, stream: str, position: Any, now: float) -> None:
    conn.execute("INSERT INTO upstream_cursors (stream, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (stream) "
                 "DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
                 [stream, json.dumps(position), now])


def box_id(conn: Connection, now: float) -> str:
    """This database's random instance id, made at the first call (migration 0024)."""
    row = conn.execute("SELECT box_id FROM upstream_box WHERE id = 1").fetchone()
    if row is not None:
        return str(row[0])
    made = uuid.uuid4().hex
    conn.execute("INSERT INTO upstream_box (id, box_id, created_at) VALUES (1, ?, ?)", [made, now])
    return made


# ---- the pending batch ----------------------------------------------------------------------------------------

def get_pending(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute('SELECT batch_id, body, advance, "full" FROM upstream_pending WHERE id = 1').fetchone()
    if row is None:
        return None
    return {"batch_id": row["batch_id"], "body": bytes(row["body"]), "advance": json.loads(row["advance"]),
            "full": bool(row["full"])}


def save_pending(conn: Connection, batch_id: str, body: bytes, advance: dict[str, Any],
                 readings_to: Position | None, full: bool, now: float) -> None:
    conn.execute('INSERT INTO upstream_pending (id, batch_id, body, advance, readings_to, "full", created_at) '
                 "VALUES (1, ?, ?, ?, ?, ?, ?)",
                 [batch_id, body, json.dumps(advance), json.dumps(readings_to) if readings_to else None, int(full),
                  now])


def delete_pending(conn: Connection) -> None:
    conn.execute("DELETE FROM upstream_pending WHERE id = 1")


# ---- what the streams hold ------------------------------------------------------------------------------------

def alarm_transitions(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Alarm transitions with id > ``after`` in id order, each with its alarm, device serial, channel key and the
    acknowledging user's username."""
    rows = conn.execute(
        "SELECT t.id AS seq, t.alarm_id, t.transition, t.ts, t.level, t.value, t.threshold, t.detail AS t_detail, "
        "a.cause, a.started_at, a.peak, a.detail, a.test, a.cleared_reason, a.ack_note, d.serial AS device, "
        "c.key AS channel, u.username AS acknowledged_by FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id "
        "JOIN devices d ON d.id = a.device_id LEFT JOIN channels c ON c.id = a.channel_id "
        "LEFT JOIN users u ON u.id = a.acknowledged_by WHERE t.id > ? ORDER BY t.id LIMIT ?", [after, limit])
    out = []
    for row in rows:
        item = dict(row)
        item["detail"] = json.loads(item["detail"] or "{}")
        item["t_detail"] = json.loads(item["t_detail"] or "{}")
        item["test"] = bool(item["test"])
        out.append(item)
    return out


def commissionings(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    """Commissioning records changed since change number ``after``, in change order."""
    rows = conn.execute(
        "SELECT c.change_seq, c.id, c.address, c.model, d.serial AS device, c.state, c.steps, c.answers, "
        "c.signed_by, c.signature, u.username AS created_by, c.created_at, c.completed_at FROM commissionings c "
        "LEFT JOIN devices d ON d.id = c.device_id LEFT JOIN users u ON u.id = c.created_by "
        "WHERE c.change_seq > ? ORDER BY c.change_seq LIMIT ?", [after, limit])
    out = []
    for row in rows:
        item = dict(row)
        item["steps"] = json.loads(item["steps"])
        item["answers"] = json.loads(item["answers"]) if item["answers"] else None
        out.append(item)
    return out


def events(conn: Connection, after: int, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT e.id, d.serial AS device, e.kind, e.ts, e.count FROM events e "
                        "JOIN devices d ON d.id = e.device_id WHERE e.id > ? ORDER BY e.id LIMIT ?", [after, limit])
    return [dict(r) for r in rows]


def count_after(conn: Connection, stream: str, after: int) -> int:
    """What a stream still holds past its position (alarms, events: by id; commissionings: by change number;
    rollups: dropped ranges)."""
    sql = {"alarms": "SELECT COUNT(*) FROM alarm_transitions WHERE id > ?",
           "events": "SELECT COUNT(*) FROM events WHERE id > ?",
           "commissionings": "SELECT COUNT(*) FROM commissionings WHERE change_seq > ?",
           "rollups": "SELECT COUNT(*) FROM upstream_dropped WHERE id > ?"}[stream]
    return int(conn.execute(sql, [after]).fetchone()[0])


def channel_names(conn: Connection) -> dict[int, tuple[str, str]]:
    """Every channel's (device serial, channel key): how the cloud knows it."""
    rows = conn.execute("SELECT c.id, d.serial, c.key FROM channels c JOIN devices d ON d.id = c.device_id")
    return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}


def read_position(conn: Connection) -> Position | None:
    """How far raw readings were read for the cloud: the pending batch's end, else the acknowledged cursor."""
    row = conn.execute("SELECT readings_to FROM upstream_pending WHERE readings_to IS NOT NULL").fetchone()
    found = json.loads(row[0]) if row else get_cursor(conn, "readings")
    return (int(found[0]), float(found[1]), int(found[2])) if found else None


def _bucket(conn: Connection, bucket: int, where: str = "", params: tuple[Any, ...] = ()) -> Decoded:
    """A bucket's raw readings (those of its chunks matching ``where``), decoded."""
    return decode(conn.execute(f"SELECT bucket, channel_id, n, ts, value FROM reading_chunks WHERE bucket = ?{where}",
                               [bucket, *params]))


def _after(got: Decoded, ts: float, channel: int) -> NDArray[np.bool_]:
    """Readings after the position (ts, channel_id) in a bucket's (ts, channel_id) order."""
    after: NDArray[np.bool_] = (got.ts > ts) | ((got.ts == ts) & (got.channel_id > channel))
    return after


def readings_from(conn: Connection, after: Position | None, until_ts: float,
                  limit: int) -> list[tuple[int, float, float, int]]:
    """Up to ``limit`` raw readings after ``after`` with ``ts <= until_ts``, as (channel_id, ts, value, bucket), in
    bucket then (ts, channel_id) order: the rest of the cursor's bucket (its chunks reaching past the cursor, sorted
    in numpy), then the next bucket that has rows."""
    out: list[tuple[int, float, float, int]] = []
    if after is None:
        first = conn.execute("SELECT MIN(bucket) FROM reading_chunks").fetchone()[0]
        if first is None:
            return out
        bucket, ts, channel = int(first), -1.0, -1
    else:
        bucket, ts, channel = after
    last_bucket = int(until_ts // BUCKET_S)
    while len(out) < limit and bucket <= last_bucket:
        got = _bucket(conn, bucket, " AND t1 >= ? AND t0 <= ?", (ts, until_ts))
        got = got.take(_after(got, ts, channel) & (got.ts <= until_ts))
        order = np.lexsort((got.channel_id, got.ts))[:limit - len(out)]
        out.extend(zip(got.channel_id[order].tolist(), got.ts[order].tolist(), got.value[order].tolist(),
                       [bucket] * order.shape[0], strict=True))
        if len(out) >= limit:
            break
        following = conn.execute("SELECT MIN(bucket) FROM reading_chunks WHERE bucket > ?", [bucket]).fetchone()[0]
        if following is None:
            break
        bucket, ts, channel = int(following), -1.0, -1
    return out


# ---- late readings --------------------------------------------------------------------------------------------

def note_late(conn: Connection, ts: NDArray[np.float64]) -> None:
    """Readings just stored: those at or behind the readings forwarded (acknowledged or in the pending batch) are
    late — a device's buffered history — and their buckets are sent again whole. A process that forwards nothing
    (the cloud, an unpaired box) has no readings position and returns at once."""
    positions = [json.loads(r[0]) for r in conn.execute(
        "SELECT position FROM upstream_cursors WHERE stream = 'readings' "
        "UNION ALL SELECT readings_to FROM upstream_pending WHERE readings_to IS NOT NULL")]
    if not positions or ts.size == 0:
        return
    behind = float(max(p[1] for p in positions))
    late = ts[ts <= behind]
    if late.size == 0:
        return
    buckets = np.unique((late // BUCKET_S).astype(np.int64)).tolist()
    conn.executemany("INSERT INTO upstream_late (bucket) VALUES (?) ON CONFLICT (bucket) DO UPDATE SET "
                     "marks = upstream_late.marks + 1", [(b,) for b in buckets])


def late_bucket(conn: Connection, bucket: int | None = None, *,
                after: int | None = None) -> tuple[int, int] | None:
    """The late bucket ``bucket`` (or the oldest one, or the oldest after ``after``) with its marks."""
    if bucket is None:
        row = conn.execute("SELECT bucket, marks FROM upstream_late WHERE bucket > ? ORDER BY bucket LIMIT 1",
                           [-1 if after is None else after]).fetchone()
    else:
        row = conn.execute("SELECT bucket, marks FROM upstream_late WHERE bucket = ?", [bucket]).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def late_rows(conn: Connection, bucket: int, after: tuple[int, float],
              limit: int) -> list[tuple[int, float, float]]:
    """A late bucket's readings after (channel_id, ts), in (channel_id, ts) order."""
    channel, ts = after
    got = _bucket(conn, bucket, " AND channel_id >= ?", (channel,))
    got = got.take((got.channel_id > channel) | ((got.channel_id == channel) & (got.ts > ts)))
    order = np.lexsort((got.ts, got.channel_id))[:limit]
    return list(zip(got.channel_id[order].tolist(), got.ts[order].tolist(), got.value[order].tolist(), strict=True))


def late_done(conn: Connection, bucket: int, marks: int) -> bool:
    """The bucket went up whole; forget it unless it was marked again meanwhile (then it goes up once more)."""
    return conn.execute("DELETE FROM upstream_late WHERE bucket = ? AND marks = ?", [bucket, marks]).rowcount == 1


# ---- rollups of dropped ranges --------------------------------------------------------------------------------

def dropped_after(conn: Connection, range_id: int) -> dict[str, Any] | None:
    """The first dropped range with id >= ``range_id``."""
    row = conn.execute('SELECT id, start, "end" FROM upstream_dropped WHERE id >= ? ORDER BY id LIMIT 1',
                       [range_id]).fetchone()
    return dict(row) if row else None


def rollup_rows(conn: Connection, channel_id: int, start: float,
                end: float) -> list[tuple[int, int, float, float, float]]:
    """One channel's minute rollups (start, n, vmin, vmax, vsum) starting in [start, end)."""
    rows = conn.execute("SELECT start, n, vmin, vmax, vsum FROM readings_minute WHERE channel_id = ? AND start >= ? "
                        "AND start < ? ORDER BY start", [channel_id, start, end])
    return [(int(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in rows]


# ---- items the cloud could not take yet -----------------------------------------------------------------------

def held(conn: Connection, stream: str, tried_before: float, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, item, size FROM upstream_held WHERE stream = ? AND tried_at <= ? ORDER BY id "
                        "LIMIT ?", [stream, tried_before, limit])
    return [{"id": int(r[0]), "item": bytes(r[1]), "size": int(r[2])} for r in rows]


def hold(conn: Connection, stream: str, item: bytes, size: int, error: str, now: float) -> None:
    conn.execute("INSERT INTO upstream_held (stream, item, size, error, held_at, tried_at) VALUES (?, ?, ?, ?, ?, ?)",
                 [stream, item, size, error, now, now])


def retried(conn: Connection, held_id: int, error: str, now: float) -> None:
    conn.execute("UPDATE upstream_held SET error = ?, tried_at = ? WHERE id = ?", [error, now, held_id])


def unhold(conn: Connection, held_ids: list[int]) -> None:
    conn.executemany("DELETE FROM upstream_held WHERE id = ?", [(i,) for i in held_ids])


def held_size(conn: Connection, stream: str) -> tuple[int, int]:
    """(items, summed size) held for a stream."""
    row = conn.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM upstream_held WHERE stream = ?",
                       [stream]).fetchone()
    return int(row[0]), int(row[1])


def trim_held(conn: Connection, stream: str, max_size: int) -> int:
    """Forget the oldest held items of ``stream`` past ``max_size`` in all; answers how many went."""
    gone = 0
    while held_size(conn, stream)[1] > max_size:
        row = conn.execute("SELECT id FROM upstream_held WHERE stream = ? ORDER BY id LIMIT 1", [stream]).fetchone()
        conn.execute("DELETE FROM upstream_held WHERE id = ?", [row[0]])
        gone += 1
    return gone


# ---- the bounded backlog --------------------------------------------------------------------------------------

def estimate_readings(conn: Connection, after: Position | None) -> int:
    """Raw readings not forwarded yet: those past the position (chunk counts, and the cursor's bucket decoded)."""
    if after is None:
        return int(conn.execute("SELECT COALESCE(SUM(n), 0) FROM reading_chunks").fetchone()[0])
    bucket, ts, channel = after
    beyond = conn.execute("SELECT COALESCE(SUM(n), 0) FROM reading_chunks WHERE bucket > ?", [bucket]).fetchone()[0]
    got = _bucket(conn, bucket, " AND t1 >= ?", (ts,))
    return int(beyond) + int(np.count_nonzero(_after(got, ts, channel)))


def drop_oldest(conn: Connection, after: Position | None, excess: int, rolled_up_to: float,
                range_s: int) -> tuple[int, list[tuple[float, float]]]:
    """Delete whole buckets of raw readings past the position, oldest first, until ``excess`` readings are gone,
    only buckets rolled up already (ending at or before ``rolled_up_to``); each span of ``range_s`` seconds becomes
    a row of ``upstream_dropped`` whose minute rollups go up instead. Answers (readings dropped, ranges)."""
    floor = -1 if after is None else after[0]
    dropped = 0
    buckets: list[int] = []
    counts = conn.execute("SELECT bucket, SUM(n) FROM reading_chunks WHERE bucket > ? GROUP BY bucket ORDER BY bucket",
                          [floor])
    for row in counts:  # read lazily: only as far as the buckets to drop
        if dropped >= excess or (int(row[0]) + 1) * BUCKET_S > rolled_up_to:
            break
        buckets.append(int(row[0]))
        dropped += int(row[1])
    counts.close()
    if not buckets:
        return 0, []
    conn.execute("DELETE FROM reading_chunks WHERE bucket >= ? AND bucket <= ?", [buckets[0], buckets[-1]])
    ranges: list[tuple[float, float]] = []
    for bucket in buckets:
        start, end = float(bucket * BUCKET_S), float((bucket + 1) * BUCKET_S)
        if ranges and ranges[-1][1] == start and end - ranges[-1][0] <= range_s:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    conn.executemany('INSERT INTO upstream_dropped (start, "end") VALUES (?, ?)', ranges)
    return dropped, ranges
