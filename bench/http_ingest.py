"""P2: readings/s through the real server over HTTP (on the engine's database), and through a bare decode-and-202
endpoint, same client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.common import pairs, seed
from bench.engines import Engine

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 2
SECONDS = 10.0
TICKS_PER_BODY = 2  # 4 000 samples per body (~330 kB), a site box's batch of a few poll cycles


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


def _bodies(count: int) -> list[bytes]:
    """Bodies of samples stamped in the minutes before now, one tick a second, as a site box's are: readings more
    than an hour old at arrival are history to the server (detection.engine.HISTORY_S), judged in another lane."""
    channels = pairs()
    bodies = []
    start = time.time() - count * TICKS_PER_BODY - 60
    for n in range(count):
        samples = []
        for k in range(TICKS_PER_BODY):
            ts = start + n * TICKS_PER_BODY + k
            samples += [{"device": d, "channel": c, "ts": ts, "value": 150.0 + (i % 7)}
                        for i, (d, c) in enumerate(channels)]
        bodies.append(msgspec.json.encode({"batch_id": str(uuid.uuid4()), "samples": samples}))
    return bodies


def _drive(url: str, key: str, bodies: list[bytes]) -> float:
    """Readings/s with CLIENTS threads posting bodies in turn for SECONDS."""
    per_body = len(msgspec.json.decode(bodies[0])["samples"])
    counts = [0] * CLIENTS
    stop = time.perf_counter() + SECONDS

    def client(i: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                          timeout=30) as http:
            n = i
            while time.perf_counter() < stop:
                r = http.post(url, content=bodies[n % len(bodies)])
                assert r.status_code in (200, 202), r.text[:200]
                counts[i] += 1
                n += CLIENTS

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) * per_body / (time.perf_counter() - start)


def _serve(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, *args, "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def run(workdir: Path, engine: Engine) -> dict[str, Any]:
    db = engine.database("p2")
    key = seed(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **engine.server_env(workdir)}
    bodies = _bodies(400)  # distinct batch ids: every post is stored, none is a duplicate
    results: dict[str, Any] = {"clients": CLIENTS, "body": len(msgspec.json.decode(bodies[0])["samples"])}
    for name, args in (("bare", ["-m", "uvicorn", "bench.bare_app:app", "--log-level", "warning"]),
                       ("ours", ["-m", "server.cli", "serve", "--db", str(db)])):
        proc, port = _serve(args, env)
        try:
            _wait(f"http://127.0.0.1:{port}/", proc)
            results[name] = _drive(f"http://127.0.0.1:{port}/api/v1/ingest", key, bodies)
        finally:
            proc.terminate()
            proc.wait(10)
    return results
