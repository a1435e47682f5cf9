"""Ingest benchmarks P1, P2, P4 and P5: each a ratio against a baseline run in the same process, plus the figure.

    .venv/bin/python bench/ingest.py                        # both engines, at 10 M rows (long: see performance.md)
    .venv/bin/python bench/ingest.py --rows 1e6             # quicker, smaller
    .venv/bin/python bench/ingest.py --engine postgresql    # one engine: sqlite or postgresql (default both)

P1, P2 and P5 run on each engine asked for; for PostgreSQL the benchmark starts a throwaway cluster of its own with
a production server's durability settings (bench/engines.py). P4 does not touch a database and runs once.

P1  store + detect readings/s (the real ingest function on the writer's connection, one transaction per batch)
    ÷ the same rows appended raw to an unindexed table of (channel_id, ts, value): sqlite3 executemany on SQLite,
    psycopg binary COPY on PostgreSQL; both measured while the table grows to --rows.
P2  HTTP ingest readings/s (the real app under uvicorn, on the engine) ÷ a bare Litestar endpoint that decodes the
    same body with msgspec and answers 202, same client, same bodies.
P4  detection time of one tick of 800 k channels ÷ a plain numpy threshold + moving average + slope reference.
P5  24 h range query of one channel while ingest continues, at --rows rows (p50/p99 ms; goal p99 < 20 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_ingest
from bench.common import DEVICES, T0, pairs, seed
from bench.engines import ENGINES, Engine, engines, values_of
from server.detection.engine import Detector
from server.detection.settings import resolve_settings
from server.detection.table import ChannelInfo
from server.ingest.pipeline import Access, Pipeline
from server.ingest.wire import ParsedBatch, Sample
from server.storage import readings as readings_sql

INTERVAL_S = 20.0  # so that 10 M rows hold more than a day per channel (P5 asks for 24 h)
TICKS_PER_BATCH = 5  # 10 000 samples per batch
IDLE_QUERIES = 200


def make_batch(channels: list[tuple[str, str]], values_per_tick: list[np.ndarray[Any, Any]], first_tick: int,
               n: int) -> ParsedBatch:
    samples = []
    for k, values in enumerate(values_per_tick):
        ts = T0 + (first_tick + k) * INTERVAL_S
        samples += [Sample(dev, ch, ts, v) for (dev, ch), v in zip(channels, values.tolist(), strict=True)]
    return ParsedBatch(f"bench-{n}", samples, list(range(len(samples))), [], [])


def _ticks(rows: int) -> Iterator[tuple[int, list[np.ndarray[Any, Any]]]]:
    """The batches of the run, the same for the baseline and for andian: (first tick, each tick's values)."""
    rng = np.random.default_rng(1)
    for tick in range(0, -(-rows // (2 * DEVICES)), TICKS_PER_BATCH):
        yield tick, [values_of(rng, DEVICES) for _ in range(TICKS_PER_BATCH)]


def _rates(times: list[float], per_batch: int) -> tuple[float, float]:
    """Rows/s over the whole run and over its last 10 % of batches."""
    tail = times[int(len(times) * 0.9):]
    return len(times) * per_batch / sum(times), len(tail) * per_batch / sum(tail)


def p1_p5(engine: Engine, rows: int) -> dict[str, float]:
    channels = pairs()
    per_batch = len(channels) * TICKS_PER_BATCH

    # Baseline: the same rows appended raw to an unindexed table of (channel_id, ts, value).
    channel_ids = list(range(1, len(channels) + 1))
    engine.raw_open()
    raw_times = []
    for tick, values in _ticks(rows):
        batch = [(channel_ids, T0 + (tick + k) * INTERVAL_S, v.tolist()) for k, v in enumerate(values)]
        t = time.perf_counter()
        engine.raw_append(batch)
        raw_times.append(time.perf_counter() - t)
    engine.raw_close()

    # andian: the real ingest function in one writer transaction per batch, as the backend's writer runs it.
    db = engine.database("andian")
    seed(db)
    conn = engine.writer(db)
    pipeline = Pipeline()
    pipeline.load(conn)
    access = Access(site_id=1)
    times: list[float] = []
    stop = threading.Event()
    latencies: list[float] = []
    query_thread: threading.Thread | None = None
    batches = -(-rows // per_batch)
    now = T0
    for n, (tick, values) in enumerate(_ticks(rows)):
        batch = make_batch(channels, values, tick, n)
        now = T0 + (tick + TICKS_PER_BATCH) * INTERVAL_S
        t = time.perf_counter()
        engine.begin(conn)
        outcome = pipeline.ingest(conn, batch, access, now, frozenset())
        engine.commit(conn)
        times.append(time.perf_counter() - t)
        assert outcome.result.accepted == per_batch, outcome.result.rejected[:3]
        if n >= batches * 0.9 and query_thread is None:  # P5: range queries while ingest goes on
            query_thread = threading.Thread(target=_query_loop,
                                            args=(engine, db, now, stop, latencies, len(channels)))
            query_thread.start()
    stop.set()
    if query_thread:
        query_thread.join()
    engine.close(conn)
    idle: list[float] = []  # the same queries with ingest stopped: what the query costs by itself
    _query_loop(engine, db, now, threading.Event(), idle, len(channels), IDLE_QUERIES)
    raw_rate, raw_tail = _rates(raw_times, per_batch)
    ours_rate, ours_tail = _rates(times, per_batch)
    return {
        "rows": len(times) * per_batch, "raw_rate": raw_rate, "ours_rate": ours_rate, "raw_tail": raw_tail,
        "ours_tail": ours_tail, "p5_n": len(latencies), **_percentiles("p5", latencies),
        **_percentiles("p5_idle", idle), "p5_points": _points(engine, db, now, len(channels)),
        "durable": engine.durable_commits,
    }


def _percentiles(name: str, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {f"{name}_p50": float("nan"), f"{name}_p99": float("nan")}
    return {f"{name}_p50": statistics.median(ordered), f"{name}_p99": ordered[int(len(ordered) * 0.99) - 1]}


def _query_loop(engine: Engine, db: Path | str, now: float, stop: threading.Event, out: list[float],
                channels: int, count: int = 0) -> None:
    """Range queries of random channels, 10 ms apart, until ``stop`` is set (or ``count`` of them)."""
    conn = engine.reader(db)
    rng = np.random.default_rng(2)
    while not stop.is_set() and (not count or len(out) < count):
        channel = int(rng.integers(1, channels + 1))
        t = time.perf_counter()
        ts, _ = readings_sql.range_raw(conn, channel, now - 86400, now)
        out.append((time.perf_counter() - t) * 1000)
        assert ts.shape[0]
        time.sleep(0.01)
    engine.close(conn)


def _points(engine: Engine, db: Path | str, now: float, channels: int) -> int:
    conn = engine.reader(db)
    try:
        return int(readings_sql.range_raw(conn, channels // 2, now - 86400, now)[0].shape[0])
    finally:
        engine.close(conn)


def p4(channels: int = 800_000, ticks: int = 5) -> dict[str, float]:
    detector = Detector()
    table = detector.table
    keys = ("current_a", "residual_ma", "temp_c", "voltage_v")
    settings = {k: resolve_settings(k, {}, device_rated_a=32) for k in keys}
    for c in range(channels):
        key = keys[c % 4]
        table.add(ChannelInfo(c + 1, c // 4 + 1, 1, key), settings[key])
    for c in range(2, channels, 4):  # temperatures judged against their device's current (hot joint)
        table.partner[c] = c - 2
    slot = np.arange(channels, dtype=np.int64)
    base = np.tile(np.array([20.0, 150.0, 40.0, 221.0]), channels // 4)
    rng = np.random.default_rng(3)
    ours = []
    for k in range(ticks + 1):
        values = base + rng.normal(0, 1, channels)
        ts = np.full(channels, T0 + k * 10.0)
        t = time.perf_counter()
        detector.detect(slot, ts, values)
        if k:  # the first tick initialises state
            ours.append(time.perf_counter() - t)
    # Reference: threshold + exponential moving average + exponentially weighted slope, per channel.
    alarm = np.tile(np.array([32.0, 300.0, 70.0, 242.0]), channels // 4)
    avg = base.copy()
    slope = np.zeros(channels)
    last = base.copy()
    ref = []
    for k in range(ticks + 1):
        values = base + rng.normal(0, 1, channels)
        t = time.perf_counter()
        over = values >= alarm
        avg += 0.1 * (values - avg)
        slope += 0.1 * ((values - last) / 10.0 - slope)
        last = values
        alarms = np.flatnonzero(over & (avg >= alarm))
        if k:
            ref.append(time.perf_counter() - t)
        assert alarms.size == 0
    return {"ours_ms": statistics.median(ours) * 1000, "ref_ms": statistics.median(ref) * 1000,
            "channels": channels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=float, default=10e6)
    parser.add_argument("--only", choices=("p1", "p2", "p4"), help="run one benchmark (p1 includes p5)")
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both",
                        help="the database engine of P1, P2 and P5 (default both)")
    args = parser.parse_args()
    names = ENGINES if args.engine == "both" else (args.engine,)
    with tempfile.TemporaryDirectory() as tmp, engines(names, Path(tmp)) as chosen:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, numpy {np.__version__}, "
              f"{', '.join(e.version for e in chosen)}")
        for engine in chosen:
            if args.only in (None, "p1"):
                r = p1_p5(engine, int(args.rows))
                baseline = "executemany" if engine.name == "sqlite" else "COPY"
                print(f"[{engine.name}] P1 store+detect ÷ raw {baseline}, {r['rows']:,} rows: "
                      f"{r['ours_rate'] / r['raw_rate']:.2f} (andian {r['ours_rate']:,.0f}/s, raw "
                      f"{r['raw_rate']:,.0f}/s); over the last 10 %: {r['ours_tail'] / r['raw_tail']:.2f} "
                      f"({r['ours_tail']:,.0f}/s vs {r['raw_tail']:,.0f}/s); {r['durable']} durable commits; "
                      "goal ≥ 0.5")
                print(f"[{engine.name}] P5 24 h range of one channel ({r['p5_points']:,} points) while ingesting at "
                      f"{r['rows']:,} rows: p50 {r['p5_p50']:.1f} ms, p99 {r['p5_p99']:.1f} ms over {r['p5_n']} "
                      f"queries; goal < 20 ms; with ingest stopped: p50 {r['p5_idle_p50']:.1f} ms, p99 "
                      f"{r['p5_idle_p99']:.1f} ms over {IDLE_QUERIES}")
            if args.only in (None, "p2"):
                r2 = http_ingest.run(Path(tmp), engine)
                print(f"[{engine.name}] P2 HTTP ingest ÷ bare decode-and-202: {r2['ours'] / r2['bare']:.2f} "
                      f"(andian {r2['ours']:,.0f} readings/s, bare {r2['bare']:,.0f}/s; {r2['body']:,} samples per "
                      f"body, {r2['clients']} clients); goal ≥ 0.5")
            print(f"load average {os.getloadavg()[0]:.1f}")
        if args.only in (None, "p4"):
            r4 = p4()
            print(f"P4 detection, one tick of {r4['channels']:,} channels ÷ numpy reference: "
                  f"{r4['ours_ms'] / r4['ref_ms']:.2f} (andian {r4['ours_ms']:.1f} ms, reference "
                  f"{r4['ref_ms']:.1f} ms); goal ≤ 2")


if __name__ == "__main__":
    main()
