"""P6 (issue 7): offline sync through the real server — a grid inspector's first pull of 10 k records, and a push of
500 mutations — each against a bare Litestar baseline served by uvicorn the same way, same client, same bytes.

    .venv/bin/python bench/sync.py              # 1¼–1½ minutes on 2 cores
    .venv/bin/python bench/sync.py --runs 1 --pushes 3    # a quicker look

Data (bench/sync_seed.py): one district, 50 sites, 7,000 hazards with 2–4 events each and 3,000 signed
inspections with every item of their checklist answered (27–40 items, 36 on average), all visible to one
inspector: 10,000 records, plus the 4 checklist copies the inspections name (issue 21: items by reference).

Pull  A real `andian serve` subprocess; the inspector logs in and pulls `GET /api/v1/sync/pull` from no cursor
      until `more` is false, at limit 2000 and at the default 500, with httpx (gzip accepted, as browsers do). The
      client decodes each page's cursor, `more` and each change's entity and id with msgspec (not the records'
      fields) and checks that every record (10,004) came. Goal: the whole first pull in < 1 s. The first pull at
      each limit warms the server and keeps the pages; the baseline serves those same JSON bytes, already encoded,
      from bench/bare_app.py's `sync_app` (same uvicorn, same gzip settings): pull ÷ baseline, lower is better.
      Runs alternate which side goes first; medians. Also, in this process with no HTTP: `services.sync.pull` (SQL
      + building the records) and msgspec's encoding of its answers; the same rows read by five plain SELECTs and
      encoded (a floor for the storage side); and gzip of the pages at level 9 and at the server's level 6.
Push  500 mutations as a phone queues them after a morning offline — 11 inspections started and answered
      (40 items each), 25 comments and 24 title edits on existing hazards — `POST /api/v1/sync/push`, every one of
      which must come back `applied` (else the benchmark stops); the baseline decodes the same body into `Push`
      and each mutation into its `Mutation` struct and answers `applied` for each. Fresh ids every round; rounds
      alternate which side goes first; medians. The figure is a throughput ratio, echo time ÷ push time: higher
      is better, 1.0 would be a push as fast as decoding it. Goal ≥ 0.3.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bare_app import PAGES_ENV
from bench.sync_phone import Phone, Pulled, pull_all
from bench.sync_seed import INSPECTOR, PASSWORD, World, seed
from offline_sync.protocol import Push, PushResult
from server.context import open_context
from server.settings import Settings
from server.storage.scopes import user_principal
from server.sync import service as sync
from tests.server_process import free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
GOAL_PULL_S = 1.0
GOAL_PUSH_RATIO = 0.3
LIMITS = (2000, 500)  # the most a page may hold, and the default


def _post(http: httpx.Client, body: bytes) -> float:
    """Seconds for one push; every mutation must come back applied."""
    start = time.perf_counter()
    r = http.post("/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    seconds = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"push answered {r.status_code}: {r.text[:300]}")
    _applied(msgspec.json.decode(r.content, type=PushResult), len(msgspec.json.decode(body, type=Push).mutations))
    return seconds


def _serve_bare(env: dict[str, str], log: Any) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.bare_app:sync_app", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        if proc.poll() is not None:
            raise SystemExit(f"the bare app exited with {proc.returncode}")
        try:
            httpx.post(f"{url}/api/v1/sync/push", content=b'{"client_id":"x","mutations":[]}', timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the bare app did not start")


@contextmanager
def _login(url: str) -> Iterator[httpx.Client]:
    """A client with the inspector's bearer token (POST /api/v1/auth/login)."""
    with httpx.Client(base_url=url, timeout=120) as http:
        r = http.post("/api/v1/auth/login", json={"username": INSPECTOR, "password": PASSWORD})
        if r.status_code != 200:
            raise SystemExit(f"login answered {r.status_code}: {r.text[:300]}")
        http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        yield http


class Usage:
    """Cores used over a phase by each of ``pids`` and by every other process on the machine (/proc), as
    bench/alarm_latency.py reports them: another job on the same cores makes the figures noisier."""

    def __init__(self, **pids: int) -> None:
        self.pids = pids
        self.start = self._sample()

    def _sample(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
        out = {"machine": (user + nice + system + irq + softirq + steal) / tick, "t": time.perf_counter()}
        for name, pid in self.pids.items():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime, all threads
        return out

    def used(self) -> dict[str, float]:
        end = self._sample()
        seconds = end["t"] - self.start["t"]
        out = {k: (end[k] - self.start[k]) / seconds for k in self.pids}
        out["others"] = (end["machine"] - self.start["machine"]) / seconds - sum(out.values())
        return {k: round(v, 2) for k, v in out.items()}


def _applied(result: PushResult, sent: int) -> None:
    statuses = [x.status for x in result.results]
    if len(statuses) != sent or set(statuses) != {"applied"}:
        odd = [x for x in result.results if x.status != "applied"][:3]
        raise SystemExit(f"push of {sent}: {len(statuses)} results, {statuses.count('applied')} applied; e.g. {odd}")


async def _in_process(db: Path, world: World) -> dict[str, float]:
    """The service behind the endpoint, called in this process with no HTTP while the server idles: a first pull at
    limit 2000 (``services.sync.pull``: SQL + building the records), then msgspec's encoding of each answer."""
    async with open_context(Settings(db_path=db)) as ctx:
        principal = await ctx.db.read(lambda c: user_principal(c, world.inspector_id))
        assert principal is not None
        service = encode = 0.0
        cursor: str | None = None
        more = True
        while more:
            start = time.perf_counter()
            result = await sync.pull(ctx, principal, cursor, 2000)
            middle = time.perf_counter()
            msgspec.json.encode(result)
            service += middle - start
            encode += time.perf_counter() - middle
            cursor, more = result.cursor, result.more
    return {"service_s": round(service, 3), "encode_s": round(encode, 3)}


def _rows_floor(db: Path) -> dict[str, float]:
    """The rows behind the same records (hazards, their events, inspections, their answers, the checklist copies)
    read with five plain SELECTs and fetchall, then msgspec.json.encode of the tuples: median of 3."""
    reads, encodes = [], []
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        for _ in range(3):
            start = time.perf_counter()
            rows = [conn.execute(f"SELECT * FROM {table}").fetchall()
                    for table in ("hazards", "hazard_events", "inspections", "inspection_answers", "checklists")]
            middle = time.perf_counter()
            msgspec.json.encode(rows)
            reads.append(middle - start)
            encodes.append(time.perf_counter() - middle)
    return {"read_s": round(statistics.median(reads), 3), "encode_s": round(statistics.median(encodes), 3)}


def _gzip(bodies: list[bytes]) -> dict[str, float]:
    """Compressing the first pull's pages at gzip level 9 (Litestar's default) and at level 6 (the server's)."""
    out: dict[str, float] = {}
    for level in (9, 6):
        start = time.perf_counter()
        size = sum(len(gzip.compress(b, compresslevel=level)) for b in bodies)
        out[f"level{level}_s"] = round(time.perf_counter() - start, 3)
        out[f"level{level}_mb"] = round(size / 1e6, 2)
    return out


def run(workdir: Path, runs: int, push_rounds: int) -> dict[str, Any]:
    db = workdir / "p6.db"
    rng = random.Random(7)
    started = time.perf_counter()
    world = seed(db, time.time(), rng)
    out: dict[str, Any] = {"records": world.records, "seed_s": round(time.perf_counter() - started, 1)}
    with closing(sqlite3.connect(db)) as conn:
        out["answers_per_inspection"] = round(conn.execute(
            "SELECT COUNT(*) * 1.0 / COUNT(DISTINCT inspection_id) FROM inspection_answers").fetchone()[0], 1)
        out["events_per_hazard"] = round(conn.execute(
            "SELECT COUNT(*) * 1.0 / COUNT(DISTINCT hazard_id) FROM hazard_events").fetchone()[0], 2)
    pages = workdir / "pages.msgpack"
    env = {**os.environ, "PYTHONPATH": str(ROOT), PAGES_ENV: str(pages)}
    phone = Phone(world, rng)
    with open(workdir / "server.log", "w") as log:
        ours, url = start_server(db, log)
        try:
            with _login(url) as http:
                # The first pull at each limit warms the server up; its pages are what the baseline serves.
                first = {limit: pull_all(http, limit, keep=True) for limit in LIMITS}
                pages.write_bytes(msgspec.msgpack.encode([b for p in first.values() for b in p.bodies]))
                bare, bare_url = _serve_bare(env, log)
                usage = Usage(server=ours.pid, bare=bare.pid, bench=os.getpid())
                try:
                    with httpx.Client(base_url=bare_url, timeout=120) as plain:
                        for limit in LIMITS:
                            pull_all(plain, limit)  # warm-up
                            timed: dict[str, list[Pulled]] = {"ours": [], "bare": []}
                            for n in range(runs):
                                for name in (("ours", "bare") if n % 2 == 0 else ("bare", "ours")):
                                    timed[name].append(pull_all(http if name == "ours" else plain, limit))
                            out[f"pull_{limit}"] = _pull_figures(first[limit], timed)
                        out["gzip"] = _gzip([body for _, _, body in first[2000].bodies])
                        del first
                        out["rows_floor"] = _rows_floor(db)
                        out["in_process"] = asyncio.run(_in_process(db, world))
                        out["push"] = _pushes(http, plain, phone, push_rounds)
                        out["cores"] = usage.used()
                finally:
                    bare.terminate()
                    bare.wait(10)
        finally:
            ours.terminate()
            ours.wait(10)
    return out


def _pull_figures(first: Pulled, timed: dict[str, list[Pulled]]) -> dict[str, Any]:
    ours = statistics.median(p.seconds for p in timed["ours"])
    bare = statistics.median(p.seconds for p in timed["bare"])
    return {"first_s": round(first.seconds, 3), "s": round(ours, 3), "bare_s": round(bare, 3),
            "runs_s": [round(p.seconds, 3) for p in timed["ours"]], "pages": first.pages, "records": first.records,
            "json_mb": round(first.json_bytes / 1e6, 2), "wire_mb": round(first.wire_bytes / 1e6, 2),
            "records_per_s": round(first.records / ours), "ratio": round(ours / bare, 2)}


def _pushes(http: httpx.Client, plain: httpx.Client, phone: Phone, rounds: int) -> dict[str, Any]:
    _post(http, phone.morning())  # warm-up
    _post(plain, phone.morning())
    ours: list[float] = []
    bare: list[float] = []
    body = b""
    for n in range(rounds):
        body = phone.morning()
        order = ((http, ours), (plain, bare))
        for client, times in (order if n % 2 == 0 else order[::-1]):
            times.append(_post(client, body))
    push_s, echo_s = statistics.median(ours), statistics.median(bare)
    mutations = len(json.loads(body)["mutations"])
    return {"mutations": mutations, "body_kb": round(len(body) / 1000, 1), "rounds": rounds,
            "s": round(push_s, 4), "echo_s": round(echo_s, 4), "runs_s": [round(s, 4) for s in ours],
            "mutations_per_s": round(mutations / push_s), "ratio": round(echo_s / push_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed first pulls per limit and side (default 3)")
    parser.add_argument("--pushes", type=int, default=7, help="timed pushes per side (default 7)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per page
    with tempfile.TemporaryDirectory() as tmp:
        r = run(Path(tmp), args.runs, args.pushes)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}; "
          f"seeded {r['records']:,} records in {r['seed_s']} s ({r['answers_per_inspection']} answers per "
          f"inspection, {r['events_per_hazard']} events per hazard)")
    print(f"{'first pull, median of ' + str(args.runs):28} {'seconds':>8} {'pages':>6} {'records':>8} {'JSON MB':>8} "
          f"{'wire MB':>8} {'records/s':>10} {'baseline s':>10} {'÷ baseline':>10}")
    for limit in LIMITS:
        p = r[f"pull_{limit}"]
        print(f"{f'  limit {limit}':28} {p['s']:8.3f} {p['pages']:6} {p['records']:8,} {p['json_mb']:8.2f} "
              f"{p['wire_mb']:8.2f} {p['records_per_s']:10,} {p['bare_s']:10.3f} {p['ratio']:10.2f}")
        print(f"    runs {p['runs_s']}; the very first {p['first_s']:.3f} s")
    u = r["cores"]
    print(f"cores used while measuring: server {u['server']}, baseline app {u['bare']}, this process {u['bench']}, "
          f"other processes {u['others']} (another job on the machine makes the figures noisier)")
    ip, floor, gz = r["in_process"], r["rows_floor"], r["gzip"]
    print(f"in this process, limit 2000: services.sync.pull {ip['service_s']:.3f} s + msgspec encode "
          f"{ip['encode_s']:.3f} s; the same rows by five plain SELECTs {floor['read_s']:.3f} s + encode "
          f"{floor['encode_s']:.3f} s (÷ {sum(ip.values()) / sum(floor.values()):.1f})")
    print(f"gzip of the limit-2000 pages: level 9 {gz['level9_s']:.3f} s → {gz['level9_mb']} MB; "
          f"level 6 {gz['level6_s']:.3f} s → {gz['level6_mb']} MB")
    q = r["push"]
    print(f"push of {q['mutations']} mutations ({q['body_kb']} kB), median of {q['rounds']}: {q['s'] * 1000:.1f} ms "
          f"({q['mutations_per_s']:,} mutations/s), runs {q['runs_s']}; echo {q['echo_s'] * 1000:.1f} ms")
    best = min(r[f"pull_{limit}"]["s"] for limit in LIMITS)
    print(f"P6 first pull of {r['records']:,} records: {best:.3f} s at best; ÷ the same bytes pre-encoded "
          f"{r['pull_2000']['ratio']:.2f} at limit 2000 (lower is better); goal < {GOAL_PULL_S:.0f} s — "
          + ("met" if best < GOAL_PULL_S else "missed"))
    print(f"P6 push, echo time ÷ push time (a throughput ratio, higher is better): {q['ratio']:.3f}; goal ≥ "
          f"{GOAL_PUSH_RATIO} — " + ("met" if q["ratio"] >= GOAL_PUSH_RATIO else "missed"))
    print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
