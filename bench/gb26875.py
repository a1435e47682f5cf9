"""Issue 20: GB/T 26875.3 frames per second through the receiver into the ingest, versus decoding alone.

    .venv/bin/python bench/gb26875.py                  # 100 boxes for 20 s
    .venv/bin/python bench/gb26875.py --boxes 20 --seconds 5

The receiver is a real `andian serve` subprocess (ANDIAN_GB26875_LISTEN, the rate limit raised out of the way) on a
seeded database (bench/common.py) with one gb26875 gateway per box. Each box (tests/gb26875_box.py, a thread with a
blocking socket, speaking through the codec) sends, one after the other as fast as the confirmations come back,
part running states of its 10 parts (type 2, normal) and analogue values (type 3: temperature, voltage, current of
one part a frame). Every frame counted was confirmed after its ingest committed. A warm-up round creates the parts
first. The baseline, in this process: ``gb26875.decode`` of the same frames' bytes.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gb26875
from bench.common import seed
from bench.http_ingest import _free_port, _wait
from gb26875 import CONFIRM
from tests.gb26875_box import Box, analogue, part_state

ROOT = Path(__file__).resolve().parent.parent
PARTS = 10


def address(n: int) -> str:
    return f"b0{n:010x}"


def units(n: int, i: int, now: float) -> gb26875.Unit:
    """The ``i``-th frame's unit of a box: states and analogue values in turn, over its parts."""
    part = 1 + i % PARTS
    if i % 2 == 0:
        return part_state(17, part, 0b001, now, desc=f"{n}号箱{part}回路")
    return analogue([(16, part, 3, 300 + i % 50), (16, part, 8, 2200), (16, part, 9, 100 + i % 30)], now)


def gateways(db: Path, boxes: int) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany("INSERT INTO gateways (site_id, name, key_hash, key_prefix, created_at, protocol, address) "
                         "VALUES (1, ?, ?, ?, 0, 'gb26875', ?)",
                         [(f"box {n}", f"gb-{n}", f"gb-{n}", address(n)) for n in range(boxes)])
    conn.close()


def drive(port: int, boxes: int, seconds: float) -> tuple[float, list[bytes]]:
    """Confirmed frames/s of ``boxes`` boxes for ``seconds``; and a sample of the frames' bytes."""
    counts = [0] * boxes
    sample: list[bytes] = []
    failures: list[str] = []
    stop = [0.0, 0.0]  # began, end: set by the barrier before any box passes it

    def go() -> None:
        stop[0] = time.perf_counter()
        stop[1] = stop[0] + seconds

    start_line = threading.Barrier(boxes + 1, action=go)

    def run(n: int) -> None:
        try:
            box = Box(port, address(n))
            for i in range(2 * PARTS):  # warm-up: every part reported once (its device and channels made)
                assert box.report(units(n, i, time.time()), timeout=60).command == CONFIRM
            start_line.wait()
            i = 0
            while time.perf_counter() < stop[1]:
                frame = box.frame(units(n, i, time.time()))
                if n == 0 and len(sample) < 200:
                    sample.append(gb26875.encode(frame))
                box.send(frame)
                answer = box.answer(frame.serial, timeout=60)
                assert answer is not None and answer.command == CONFIRM, answer
                counts[n] += 1
                i += 1
            box.close()
        except Exception as exc:  # reported after the run
            failures.append(f"box {n}: {exc!r}")
            start_line.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(boxes)]
    for t in threads:
        t.start()
    start_line.wait()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError("; ".join(failures[:5]))
    return sum(counts) / (time.perf_counter() - stop[0]), sample


def decode_rate(frames: list[bytes], seconds: float = 2.0) -> float:
    n, stop = 0, time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < stop:
        for raw in frames:
            gb26875.decode(raw)
        n += len(frames)
    return n / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--boxes", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "gb.db"
        seed(db)
        gateways(db, args.boxes)
        port, listen = _free_port(), _free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ANDIAN_GB26875_LISTEN": f"127.0.0.1:{listen}",
               "ANDIAN_GB26875_FRAMES_PER_S": "100000"}
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--db", str(db), "--port", str(port)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(f"http://127.0.0.1:{port}/", proc)
            for _ in range(100):  # the receiver comes up with the app's lifespan
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", listen)) == 0:
                        break
                time.sleep(0.05)
            received, frames = drive(listen, args.boxes, args.seconds)
        finally:
            proc.terminate()
            proc.wait(10)
    decoded = decode_rate(frames)
    print(f"{args.boxes} boxes, {args.seconds:g} s, {len(os.sched_getaffinity(0))} cores")
    print(f"receiver → ingest (confirmed): {received:10,.0f} frames/s")
    print(f"gb26875.decode alone:          {decoded:10,.0f} frames/s")
    print(f"ratio receiver / decode:       {received / decoded:10.4f}  (1 / {decoded / received:,.0f})")


if __name__ == "__main__":
    main()
