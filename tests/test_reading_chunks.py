"""Raw readings in packed chunks (migration 0030) answer what one row per reading answered, on the suite's engine:
the same readings — several channels, out-of-order and late batches, duplicates within and across batches, a batch
spanning buckets and days, readings at bucket edges — give the same ranges, step sums, rollups, newest readings
and forwarding reads as a plain-Python reference; on PostgreSQL retention drops whole day partitions."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from server.storage import Connection, upgrade
from server.storage import forward_box as fsql
from server.storage import readings as rsql
from server.storage.chunks import BUCKET_S, BUCKETS_PER_DAY

from . import backends

DAY = 86400.0
T0 = math.floor(1_796_601_600 / DAY) * DAY - 1000.0  # 1000 s before a UTC midnight
CHANNELS = (3, 7, 11)
Reference = dict[tuple[int, float], float]  # (channel, ts) → value: the first stored wins


def _batches() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, bool]]:
    """(channel_id, ts, value, whether the caller says which may be stored) of each batch, in order."""
    rng = np.random.default_rng(21)
    # 1. 40 minutes across midnight: several buckets and two days, every 7 s, in order.
    ts = np.arange(T0, T0 + 2400, 7.0)
    yield np.repeat(CHANNELS, ts.shape[0]), np.tile(ts, 3), rng.normal(size=3 * ts.shape[0]), True
    # 2. Out of order, with duplicates inside the batch (the first of each is kept) and readings on bucket edges.
    ts = np.r_[np.arange(T0 + 2400, T0 + 3000, 5.0), [T0 + 3000, T0 + 3000]]
    edges = np.arange(math.ceil(T0 / BUCKET_S), math.ceil((T0 + 3600) / BUCKET_S)) * float(BUCKET_S)
    ts = np.r_[ts, edges, edges - 0.5, ts[:20]]
    order = rng.permutation(ts.shape[0])
    yield np.full(ts.shape[0], 7)[order], ts[order], rng.normal(size=ts.shape[0]), True
    # 3. Late: older readings between the stored ones, and some stored ones again with other values (kept as were).
    ts = np.r_[np.arange(T0 + 3.5, T0 + 1200, 7.0), np.arange(T0, T0 + 700, 7.0)]
    yield np.full(ts.shape[0], 3), ts, rng.normal(size=ts.shape[0]), False
    # 4. Batch 1 again with other values, said to be "maybe stored" by nobody: looked up in full.
    ts = np.arange(T0, T0 + 2400, 7.0)
    yield np.repeat(CHANNELS, ts.shape[0]), np.tile(ts, 3), rng.normal(size=3 * ts.shape[0]), False
    # 5. Newer readings of one channel, then of all.
    ts = np.arange(T0 + 3000.25, T0 + 4000, 3.0)
    yield np.full(ts.shape[0], 11), ts, rng.normal(size=ts.shape[0]), True


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, Reference]:
    path = tmp_path / "andian.db"
    upgrade(backends.database(path))
    reference: Reference = {}
    for channel_id, ts, value, knows in _batches():
        # A caller that knows nothing says all may be stored; one that knows marks those not newer than it stored.
        newest = {c: max((t for (c2, t) in reference if c2 == c), default=-math.inf) for c in CHANNELS}
        maybe = np.array([t <= newest[int(c)] for c, t in zip(channel_id, ts, strict=True)]) if knows else None
        with backends.connect(path) as conn:
            rsql.insert_readings(conn, channel_id.astype(np.int64), ts.astype(np.float64), value, maybe)
        for c, t, v in zip(channel_id.tolist(), ts.tolist(), value.tolist(), strict=True):
            reference.setdefault((c, t), v)
    return path, reference


def _of(reference: Reference, channel: int, start: float, end: float) -> list[tuple[float, float]]:
    return sorted((t, v) for (c, t), v in reference.items() if c == channel and start <= t <= end)


def test_ranges_are_the_stored_readings_once_in_time_order(stored: tuple[Path, Reference]) -> None:
    path, reference = stored
    with backends.connect(path) as conn:
        for channel in CHANNELS:
            for start, end in ((T0 - 5000, T0 + 9000), (T0 + 1000, T0 + 1000), (T0 + 599.5, T0 + 2400.0),
                               (math.floor(T0 / BUCKET_S) * BUCKET_S, T0 + 1800)):
                ts, value = rsql.range_raw(conn, channel, start, end)
                assert list(zip(ts.tolist(), value.tolist(), strict=True)) == _of(reference, channel, start, end)
            ts, value = rsql.range_raw(conn, channel, T0, T0 + 9000, limit=100)
            assert list(zip(ts.tolist(), value.tolist(), strict=True)) == _of(reference, channel, T0, T0 + 9000)[:100]
    assert len(reference) > 1500


def test_step_sums_rollups_and_the_newest_agree_with_the_reference(stored: tuple[Path, Reference]) -> None:
    path, reference = stored
    with backends.connect(path) as conn:
        for channel in CHANNELS:
            for step in (60.0, 37.0, 600.0):
                got: dict[int, tuple[int, float]] = defaultdict(lambda: (0, 0.0))
                for k, n, total in rsql.raw_step_sums(conn, channel, T0 + 100, T0 + 3700, step):
                    got[k] = (got[k][0] + n, got[k][1] + total)
                want: dict[int, list[float]] = defaultdict(list)
                for t, v in _of(reference, channel, T0 + 100, T0 + 3700 - 1e-9):
                    want[math.floor(t / step)].append(v)
                assert sorted(got) == sorted(want)
                for k, values in want.items():
                    assert got[k][0] == len(values) and got[k][1] == pytest.approx(sum(values))
        newest = rsql.latest(conn, list(CHANNELS), T0 + 4000)
        for channel in CHANNELS:
            t, v = max(_of(reference, channel, -math.inf, math.inf))
            assert newest[channel] == (t, v)
        while rsql.rollup(conn, T0 + 9 * 3600, max_minutes=600):
            pass
        for table, step in (("readings_minute", 60), ("readings_hour", 3600)):
            rows = {(r["channel_id"], r["start"]): r for r in conn.execute(f"SELECT * FROM {table}")}
            groups: dict[tuple[int, int], list[float]] = defaultdict(list)
            for (c, t), v in reference.items():
                groups[(c, math.floor(t / step) * step)].append(v)
            assert sorted(rows) == sorted(groups)
            for key, values in groups.items():
                row = rows[key]
                assert (row["n"], row["vmin"], row["vmax"]) == (len(values), min(values), max(values))
                assert row["vsum"] == pytest.approx(sum(values))


def _in_forward_order(reference: Reference) -> list[tuple[int, float, float, int]]:
    rows = [(c, t, v, math.floor(t / BUCKET_S)) for (c, t), v in reference.items()]
    return sorted(rows, key=lambda r: (r[3], r[1], r[0]))


def test_forwarding_reads_the_buckets_in_their_order(stored: tuple[Path, Reference]) -> None:
    path, reference = stored
    everything = _in_forward_order(reference)
    with backends.connect(path) as conn:
        assert fsql.estimate_readings(conn, None) == len(everything)
        got: list[tuple[int, float, float, int]] = []
        after: fsql.Position | None = None
        while page := fsql.readings_from(conn, after, T0 + 9000, 97):
            got += page
            last = page[-1]
            after = (last[3], last[1], last[0])
            assert fsql.estimate_readings(conn, after) == len(everything) - len(got)
        assert got == everything
        until = T0 + 1500
        assert fsql.readings_from(conn, None, until, 10**6) == [r for r in everything if r[1] <= until]
        for bucket in sorted({r[3] for r in everything}):
            want = sorted((c, t, v) for c, t, v, b in everything if b == bucket)
            late: list[tuple[int, float, float]] = []
            position = (-1, -1.0)
            while rows := fsql.late_rows(conn, bucket, position, 41):
                late += rows
                position = (rows[-1][0], rows[-1][1])
            assert late == want
        first = everything[0][3]
        dropped, ranges = fsql.drop_oldest(conn, None, 1, rolled_up_to=(first + 1) * BUCKET_S, range_s=3600)
        assert dropped == sum(1 for r in everything if r[3] == first) and ranges == [
            (first * BUCKET_S, (first + 1) * BUCKET_S)]
        assert fsql.readings_from(conn, None, T0 + 9000, 10**6) == [r for r in everything if r[3] != first]


def _partitions(conn: Connection) -> list[str]:
    return sorted(str(r[0]) for r in conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = CAST('reading_chunks' AS regclass)"))


def test_retention_keeps_the_answers_of_what_is_left(stored: tuple[Path, Reference]) -> None:
    path, reference = stored
    midnight = T0 + 1000
    cut = midnight + 900.0  # the horizon falls in the second bucket of the second day
    with backends.connect(path) as conn:
        before = _partitions(conn) if conn.dialect == "postgresql" else []
        rsql.prune(conn, cut + DAY, raw_days=1, minute_days=30)
    kept = {k: v for k, v in reference.items() if math.floor(k[1] / BUCKET_S) >= math.floor(cut / BUCKET_S)}
    assert len(kept) < len(reference)
    with backends.connect(path) as conn:
        for channel in CHANNELS:
            ts, value = rsql.range_raw(conn, channel, T0 - DAY, T0 + DAY)
            assert list(zip(ts.tolist(), value.tolist(), strict=True)) == _of(kept, channel, -math.inf, math.inf)
        assert fsql.readings_from(conn, None, T0 + 9000, 10**6) == _in_forward_order(kept)
        if conn.dialect == "postgresql":  # the first day went whole; the second was cut through by a DELETE
            day = int(midnight // DAY)
            assert len(before) == 3 and _partitions(conn) == before[1:]  # the third made a day ahead
            assert before[1].endswith(time.strftime("%Y%m%d", time.gmtime(midnight)))
            assert day * BUCKETS_PER_DAY <= math.floor(cut / BUCKET_S)
        # and ingest into the days still there goes on
        rsql.insert_readings(conn, np.array([3], dtype=np.int64), np.array([T0 + 5000.0]), np.array([1.0]))
        assert rsql.range_raw(conn, 3, T0 + 5000, T0 + 5000)[1].tolist() == [1.0]
