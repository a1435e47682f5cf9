"""Issue 19: how fast a site box drains its backlog into the cloud after an outage.

    .venv/bin/python bench/upstream.py                 # a day of 2,000 channels at 60 s: ~2–3 minutes on 2 cores
    .venv/bin/python bench/upstream.py --hours 6       # a quicker look

The cloud is a real `andian serve` subprocess on a seeded database (bench/common.py: one site, 1,000 breakers with
two channels each, one gateway key). The box is the real app in this process (Litestar's test client, the box's
upstream loops running in its lifespan) on an injected clock, on its own database seeded the same way and paired
with the cloud's key. The box's network is cut while it records ``--hours`` of readings through its own HTTP
ingest (its detection and alarms run as always); then it is mended and the time until the cloud holds every
reading is measured.

Figures: the drain's speed against real time (recorded hours ÷ drain time; the issue's goal is ≥ 5×) and, as the
ratio against a baseline in this run, the drain's readings/s ÷ the cloud's own HTTP ingest of the same readings
with a gateway key (a DTU posting straight to the cloud: decode, detection, storage; the same batch size).
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pairs, seed
from bench.http_ingest import _free_port, _wait
from server.settings import Settings
from server.storage.chunks import decode
from server.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent


class Cable(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.cut = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("cable cut (benchmark)", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def bodies(start: float, hours: float, every_s: float, per_body: int) -> Iterator[tuple[float, dict[str, Any]]]:
    """Readings of every channel every ``every_s`` from ``start``, in bodies of about ``per_body`` samples."""
    channels = pairs()
    ticks = max(1, per_body // len(channels))
    t, end = start, start + hours * 3600
    while t < end:
        samples = []
        for _ in range(ticks):
            if t >= end:
                break
            samples += [{"device": s, "channel": k, "ts": t, "value": 100.0 + (t % 600) / 10} for s, k in channels]
            t += every_s
        yield t, {"batch_id": str(uuid.uuid4()), "samples": samples}


def readings(db: Path, start: float, end: float) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        got = decode(conn.execute("SELECT bucket, channel_id, n, ts, value FROM reading_chunks WHERE bucket >= ? "
                                  "AND bucket <= ? AND t1 >= ? AND t0 < ?",
                                  [int(start // 600), int(end // 600), start, end]))
        return int(np.count_nonzero((got.ts >= start) & (got.ts < end)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between two readings of a channel")
    parser.add_argument("--batch", type=int, default=20_000, help="readings per forward batch and per ingest body")
    args = parser.parse_args()
    from litestar.testing import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        cloud_key = seed(directory / "cloud.db")
        box_key = seed(directory / "box.db")
        port = _free_port()
        log = (directory / "cloud.log").open("w")
        cloud = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--db", str(directory / "cloud.db"),
                                  "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(f"{url}/api/v1/health", cloud)
            # Recent readings: older ones than the raw retention (90 days) the cloud would prune as they arrive.
            start = time.time() - args.hours * 3600 - 600
            clock = Clock(start)
            cable = Cable()
            settings = Settings(db_path=directory / "box.db", static_dir=directory / "static", upstream_url=url,
                                upstream_key=cloud_key, upstream_batch_readings=args.batch, upstream_mirror_s=5.0,
                                upstream_heartbeat_s=5.0, upstream_retry_base_s=0.05, upstream_retry_cap_s=0.5,
                                watchdog_interval_s=3600.0)
            with TestClient(create_app(settings, clock=clock, notify=False, upstream_transport=cable)) as box:
                time.sleep(2.0)  # the first mirror round
                cable.cut = True
                recorded_at = time.perf_counter()
                for sent_at, body in bodies(start, args.hours, args.every, args.batch):
                    clock.now = sent_at
                    answer = box.post("/api/v1/ingest", json=body, headers={"Authorization": f"Bearer {box_key}"})
                    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text[:300]
                record_s = time.perf_counter() - recorded_at
                end = start + args.hours * 3600
                total = readings(directory / "box.db", start, end)
                print(f"box recorded {total:,} readings ({args.hours:g} h of {len(pairs()):,} channels every "
                      f"{args.every:g} s) offline in {record_s:.1f} s")
                clock.now += 60  # time goes on: the box forwards readings once they are 15 s old
                cable.cut = False
                mended = time.perf_counter()
                while readings(directory / "cloud.db", start, end) < total:
                    time.sleep(0.2)
                drain_s = time.perf_counter() - mended
            # Baseline: the same readings of the days before, posted straight to the cloud's ingest with its key.
            direct = 0
            started = time.perf_counter()
            with httpx.Client(base_url=url, timeout=120) as http:
                for _, body in bodies(start - 2 * args.hours * 3600, args.hours, args.every, args.batch):
                    answer = http.post("/api/v1/ingest", json=body, headers={"Authorization": f"Bearer {cloud_key}"})
                    assert answer.status_code == 200, answer.text[:300]
                    direct += answer.json()["accepted"]
            direct_s = time.perf_counter() - started
        finally:
            cloud.terminate()
            cloud.wait(timeout=15)
            log.close()
    drain_rate, direct_rate = total / drain_s, direct / direct_s
    print(f"drain: {total:,} readings in {drain_s:.1f} s = {drain_rate:,.0f} readings/s; "
          f"{args.hours * 3600 / drain_s:,.0f}× real time (goal ≥ 5×)")
    print(f"baseline, the cloud's own HTTP ingest of the same readings: {direct_rate:,.0f} readings/s")
    print(f"ratio drain ÷ direct ingest: {drain_rate / direct_rate:.2f}")


if __name__ == "__main__":
    main()
