"""Ingest benchmarks P1, P2, P4 and P5: each a ratio against a baseline run in the same process, plus the figure.

    .venv/bin/python bench/ingest.py              # all, at 10 M rows (several minutes on 2 cores)
    .venv/bin/python bench/ingest.py --rows 1e6   # quicker, smaller

P1  store + detect readings/s (the real ingest function on the writer's connection) ÷ raw sqlite3 executemany
    into an unindexed table of the same columns, both measured while the table grows to --rows.
P2  HTTP ingest readings/s (the real app under uvicorn) ÷ a bare Litestar endpoint that decodes the same body
    with msgspec and answers 202, same client, same bodies.
P4  detection time of one tick of 800 k channels ÷ a plain numpy threshold + moving average + slope reference.
P5  24 h range query of one channel while ingest continues, at --rows rows (p50/p99 ms; goal p99 < 20 ms).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_ingest
from bench.common import DEVICES, T0, pairs, seed
from server.detection.engine import Detector
from server.detection.settings import resolve_settings
from server.detection.table import ChannelInfo
from server.ingest.pipeline import Access, Pipeline
from server.ingest.wire import ParsedBatch, Sample
from server.storage import readings as readings_sql
from server.storage.database import connect

INTERVAL_S = 20.0  # so that 10 M rows hold more than a day per channel (P5 asks for 24 h)
TICKS_PER_BATCH = 5  # 10 000 samples per batch


def make_batch(channels: list[tuple[str, str]], values_per_tick: list[np.ndarray[Any, Any]], first_tick: int,
               n: int) -> ParsedBatch:
    samples = []
    for k, values in enumerate(values_per_tick):
        ts = T0 + (first_tick + k) * INTERVAL_S
        samples += [Sample(dev, ch, ts, v) for (dev, ch), v in zip(channels, values.tolist(), strict=True)]
    return ParsedBatch(f"bench-{n}", samples, list(range(len(samples))), [], [])


def p1_p5(rows: int, workdir: Path) -> dict[str, float]:
    rng = np.random.default_rng(1)
    channels = pairs()
    per_batch = len(channels) * TICKS_PER_BATCH

    # Baseline: raw executemany into an unindexed table of the same columns.
    raw_path = workdir / "raw.db"
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("CREATE TABLE readings (channel_id INTEGER, ts REAL, value REAL)")
    channel_ids = np.arange(1, len(channels) + 1, dtype=np.int64)
    raw_time = 0.0
    raw_tail = 0.0
    done = 0
    tick = 0
    while done < rows:
        chunks = []
        for k in range(TICKS_PER_BATCH):
            values = 150.0 + rng.normal(0, 5, len(channels))
            chunks.append(zip(channel_ids.tolist(), [T0 + (tick + k) * INTERVAL_S] * len(channels), values.tolist(),
                              strict=True))
        t = time.perf_counter()
        raw.execute("BEGIN")
        for chunk in chunks:
            raw.executemany("INSERT INTO readings VALUES (?, ?, ?)", chunk)
        raw.execute("COMMIT")
        dt = time.perf_counter() - t
        raw_time += dt
        if done >= rows * 0.9:
            raw_tail += dt
        done += per_batch
        tick += TICKS_PER_BATCH
    raw.close()
    raw_rate = done / raw_time
    raw_tail_rate = (done - int(rows * 0.9)) / raw_tail if raw_tail else raw_rate

    # andian: the real ingest function in one writer transaction per batch, as Database.write runs it.
    path = workdir / "andian.db"
    seed(path)
    conn = connect(path)
    pipeline = Pipeline()
    pipeline.load(conn)
    access = Access(site_id=1)
    ours_time = 0.0
    ours_tail = 0.0
    done = 0
    tick = 0
    n = 0
    stop = threading.Event()
    latencies: list[float] = []
    query_thread: threading.Thread | None = None
    while done < rows:
        values = [np.tile(np.array([150.0, 20.0]), DEVICES) + rng.normal(0, 5, len(channels))
                  for _ in range(TICKS_PER_BATCH)]
        batch = make_batch(channels, values, tick, n)
        now = T0 + (tick + TICKS_PER_BATCH) * INTERVAL_S
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        outcome = pipeline.ingest(conn, batch, access, now, frozenset())
        conn.execute("COMMIT")
        dt = time.perf_counter() - t
        assert outcome.result.accepted == per_batch, outcome.result.rejected[:3]
        ours_time += dt
        if done >= rows * 0.9:
            ours_tail += dt
            if query_thread is None:  # P5: range queries while ingest goes on
                query_thread = threading.Thread(target=_query_loop, args=(path, now, stop, latencies, len(channels)))
                query_thread.start()
        done += per_batch
        tick += TICKS_PER_BATCH
        n += 1
    stop.set()
    if query_thread:
        query_thread.join()
    conn.close()
    ours_rate = done / ours_time
    ours_tail_rate = (done - int(rows * 0.9)) / ours_tail if ours_tail else ours_rate
    latencies.sort()
    return {
        "rows": done, "raw_rate": raw_rate, "ours_rate": ours_rate, "raw_tail": raw_tail_rate,
        "ours_tail": ours_tail_rate, "p5_n": len(latencies),
        "p5_p50": statistics.median(latencies) if latencies else float("nan"),
        "p5_p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
        "p5_points": _points(path, now, len(channels)),
    }


def _query_loop(path: Path, now: float, stop: threading.Event, out: list[float], channels: int) -> None:
    conn = connect(path, read_only=True)
    rng = np.random.default_rng(2)
    while not stop.is_set():
        channel = int(rng.integers(1, channels + 1))
        t = time.perf_counter()
        rows = readings_sql.range_raw(conn, channel, now - 86400, now)
        out.append((time.perf_counter() - t) * 1000)
        assert rows
        time.sleep(0.01)
    conn.close()


def _points(path: Path, now: float, channels: int) -> int:
    conn = connect(path, read_only=True)
    try:
        return len(readings_sql.range_raw(conn, channels // 2, now - 86400, now))
    finally:
        conn.close()


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
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, sqlite {sqlite3.sqlite_version}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "p1"):
            r = p1_p5(int(args.rows), Path(tmp))
            print(f"P1 store+detect ÷ raw executemany, {r['rows']:,} rows: {r['ours_rate'] / r['raw_rate']:.2f} "
                  f"(andian {r['ours_rate']:,.0f}/s, raw {r['raw_rate']:,.0f}/s); over the last 10 %: "
                  f"{r['ours_tail'] / r['raw_tail']:.2f} ({r['ours_tail']:,.0f}/s vs {r['raw_tail']:,.0f}/s); "
                  "goal ≥ 0.5")
            print(f"P5 24 h range of one channel ({r['p5_points']:,} points) while ingesting at {r['rows']:,} rows: "
                  f"p50 {r['p5_p50']:.1f} ms, p99 {r['p5_p99']:.1f} ms over {r['p5_n']} queries; goal < 20 ms")
        if args.only in (None, "p2"):
            r2 = http_ingest.run(Path(tmp))
            print(f"P2 HTTP ingest ÷ bare decode-and-202: {r2['ours'] / r2['bare']:.2f} "
                  f"(andian {r2['ours']:,.0f} readings/s, bare {r2['bare']:,.0f}/s; {r2['body']:,} samples per "
                  f"body, {r2['clients']} clients); goal ≥ 0.5")
        if args.only in (None, "p4"):
            r4 = p4()
            print(f"P4 detection, one tick of {r4['channels']:,} channels ÷ numpy reference: "
                  f"{r4['ours_ms'] / r4['ref_ms']:.2f} (andian {r4['ours_ms']:.1f} ms, reference "
                  f"{r4['ref_ms']:.1f} ms); goal ≤ 2")


if __name__ == "__main__":
    main()
