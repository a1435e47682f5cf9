"""P7 (issue 15): bounded readings queries — what a range ask costs once the answer is bounded by points.

    .venv/bin/python -m bench.readings_query          # ~1 minute on 2 cores

One channel with 7 days of readings at 1 Hz (604,800 rows), through the real app (Litestar's test client, the real
service and storage). Each ask is timed against a baseline in the same process: one plain sqlite3 query that
reads the same channel's packed readings over the same days (its chunks' blobs), the floor of touching them.
Ratio = ask ÷ baseline (lower is better); absolute milliseconds and the process's peak memory for context. The
first ask is the one an independent test made with a gateway key before the bound (13.6 s and 2 GB then).
"""

from __future__ import annotations

import resource
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from litestar.testing import TestClient

from server.settings import Settings
from server.storage import readings as readings_sql
from server.storage.database import connect
from server.web.app import create_app
from tests.conftest import add_admin, bearer, login

NOW = 1_763_856_000.0
DAYS = 7
RUNS = 5
ASKS: list[tuple[str, dict[str, Any]]] = [
    ("900 years at 1 s (refused, names the step)", {"from": 946684801, "to": 30000000000, "step": 1}),
    ("900 years at the step it names", {"from": 946684801, "to": 30000000000, "step": 2905332}),
    ("7 days at 61 s (9,916 buckets)", {"from": NOW - DAYS * 86400, "to": NOW, "step": 61}),
    ("7 days raw (refused after 10,001 rows)", {"from": NOW - DAYS * 86400, "to": NOW}),
    ("1 hour raw (3,600 points)", {"from": NOW - 3600, "to": NOW}),
]


def _seed(client: TestClient[Any], db: Path, headers: dict[str, str]) -> int:
    site = client.post("/api/v1/sites", headers=headers, json={
        "name": "bench", "address": "bench", "region_code": "430903001001", "venue_type": "market"}).json()["id"]
    device = client.post(f"/api/v1/sites/{site}/devices", headers=headers, json={
        "serial": "Q1", "model": "bench", "kind": "residual", "channels": [{"key": "residual_ma"}]}).json()
    channel = int(device["channels"][0]["id"])
    conn = connect(db)
    conn.execute("BEGIN")
    ts = np.arange(NOW - DAYS * 86400, NOW, 1.0)
    readings_sql.insert_readings(conn, np.full(ts.shape, channel, dtype=np.int64), ts, 40 + (ts % 600) / 60)
    conn.commit()
    conn.close()
    return channel


def _baseline(db: Path, channel: int) -> float:
    conn = sqlite3.connect(db)
    start = time.perf_counter()
    conn.execute("SELECT ts, value FROM reading_chunks WHERE bucket BETWEEN ? AND ? AND channel_id = ?",
                 [int((NOW - DAYS * 86400) // readings_sql.BUCKET_S), int(NOW // readings_sql.BUCKET_S),
                  channel]).fetchall()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "andian.db"
        settings = Settings(db_path=db, static_dir=Path(tmp) / "static")
        add_admin(settings)
        with TestClient(create_app(settings, clock=lambda: NOW, notify=False)) as client:
            headers = bearer(login(client, "root"))
            channel = _seed(client, db, headers)
            url = f"/api/v1/channels/{channel}/readings"
            base = statistics.median(_baseline(db, channel) for _ in range(RUNS))
            print(f"baseline: sqlite3 read of the chunks of {DAYS} days of one channel at 1 Hz: {base * 1000:.0f} ms")
            for name, params in ASKS:
                times = []
                for _ in range(RUNS):
                    start = time.perf_counter()
                    r = client.get(url, params=params, headers=headers)
                    times.append(time.perf_counter() - start)
                took = statistics.median(times)
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
                print(f"{name}: {r.status_code}, {len(r.content):,} bytes, {took * 1000:.0f} ms, "
                      f"ratio {took / base:.2f}, peak RSS {peak} MB")


if __name__ == "__main__":
    main()
