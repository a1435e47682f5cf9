"""City load (issue 21): 10⁵ sites × 8 channels at a 60 s cadence through HTTP ingest to two `andian serve` workers
on one PostgreSQL database, with alarms injected at known times and one worker SIGKILLed mid-run.

    .venv/bin/python bench/city.py                              # 10⁵ sites, 10 minutes: about 15 minutes in all
    .venv/bin/python bench/city.py --sites 2000 --minutes 2     # a quick look

The database is a throwaway cluster of the benchmark's own with a production server's durability
(tests/backends.py's ``Cluster(durable=True)``). Sites are seeded in SQL: each has two breakers of four channels
(residual current, current, wire temperature, voltage), reporting every 60 s. A load process offers each site's
eight readings once a minute, spread over the minute (1/60 of the sites each second), as an integrator's platform
would forward them: bodies of BODY_SITES sites, posted by CLIENTS threads with an operator's token, alternating
between the workers as a round-robin balancer does; a body that finds its worker gone is sent to the other.

Probes: PROBES extra sites whose owner subscribes a local HTTP receiver. At known times one probe device reports
450 mA residual current for ten seconds (an alarm after its 5 s delay); latency = the POST's 200 → the receiver's
arrival of the 【报警】 message naming its circuit. Every probe must arrive once: lost (none in time) and doubled
(two for one probe) are counted, from the receiver and from the alarms table.

At KILL_AT of the run the worker that does not lead is SIGKILLed; a probe for a site it judged is sent at once to
the survivor. Measured: time until the survivor holds all partitions, and until that probe's reading is accepted
(its channels judged again) and its message arrives.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.alarm_latency import cpu_s, pct
from bench.city_traffic import CADENCE_S, Probe, load, login, seed, seed_probes
from server.settings import Settings
from tests import server_process
from tests.backends import Cluster
from tests.conftest import add_admin
from tests.receivers import wait_for, webhook_receiver

CLIENTS = 16  # bodies in flight at once: a city's gateways do not wait for each other
PROBES = 40
KILL_AT = 0.6
RECEIPT_TIMEOUT_S = 120.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def postgres_cpu_s(cluster: Cluster) -> float:
    """CPU seconds of the cluster's postmaster and its backends."""
    root = int((cluster.dir / "data" / "postmaster.pid").read_text().split()[0])
    total = cpu_s(root)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == root:
                total += cpu_s(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return total


def sizes(pg: psycopg.Connection[Any]) -> tuple[int, int]:
    """Bytes of the whole database, and of the readings' tables with their indexes (raw and aggregates)."""
    row = pg.execute("SELECT pg_database_size(current_database()), (SELECT COALESCE(SUM(pg_total_relation_size("
                     "oid)), 0) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'reading%%')").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def run(workdir: Path, sites: int, minutes: float, clients: int = CLIENTS) -> dict[str, Any]:
    cluster = Cluster(durable=True)
    r: dict[str, Any] = {"sites": sites, "channels": sites * 8, "minutes": minutes, "cores": os.cpu_count(),
                         "clients": clients,
                         "offered_rate": round(sites * 8 / CADENCE_S)}
    procs: list[Any] = []
    logs: list[Any] = []
    stop: Any = None
    try:
        url = cluster.new_database()
        t = time.perf_counter()
        seed(url, sites)
        add_admin(Settings(db_path=workdir / "unused.db", db_url=url, data_dir=workdir))
        r["seed_s"] = round(time.perf_counter() - t, 1)
        server_process.START_S = 600.0  # two workers load 10⁵ sites' channels before they answer
        env = {"ANDIAN_DATA_DIR": str(workdir), "ANDIAN_NOTIFY_RATE_MAX": "100000"}
        t = time.perf_counter()
        urls = []
        for n in range(2):
            logs.append((workdir / f"worker{n}.log").open("w"))
            proc, worker_url = server_process.start_server(url, logs[-1], env)
            procs.append(proc)
            urls.append(worker_url)

        def health(n: int) -> dict[str, Any]:
            return dict(httpx.get(f"{urls[n]}/api/v1/health", timeout=10).json()["worker"])

        wait_for(lambda: sorted(len(health(n)["partitions"]) for n in (0, 1)) == [8, 8], 120, "a fair share each")
        r["start_s"] = round(time.perf_counter() - t, 1)
        with webhook_receiver() as hooks:
            probes = seed_probes(urls[0], hooks, PROBES + 1)
            token = login(urls[0], "root")
            spawn = mp.get_context("spawn")
            stop, alive, counts = spawn.Event(), spawn.Array("b", [1, 1]), spawn.Array("q", 4)
            loader = spawn.Process(target=load, args=(urls, token, sites, stop, alive, counts, clients), daemon=True)
            prober = Probe(urls, token, hooks)
            with psycopg.connect(url, autocommit=True) as pg:
                size0 = sizes(pg)
                loader.start()
                start = time.perf_counter()
                cpu0 = {n: cpu_s(p.pid) for n, p in enumerate(procs)} | {"postgres": postgres_cpu_s(cluster)}
                duration = minutes * 60
                kill_at = start + KILL_AT * duration
                spacing = duration / PROBES
                rss: dict[int, float] = {0: 0.0, 1: 0.0}
                victim = next(n for n in (0, 1) if not health(n)["leader"])
                survivor = 1 - victim
                parts = set(health(victim)["partitions"])
                killed: dict[str, Any] = {}
                cpu_pre_kill: dict[Any, float] = {}
                fired = 0
                while time.perf_counter() < start + duration:
                    if not killed and time.perf_counter() >= kill_at:
                        cpu_pre_kill = {k: cpu_s(procs[k].pid) - cpu0[k] for k in (0, 1)}
                        cpu_pre_kill["s"] = time.perf_counter() - start
                        killed = kill(procs, victim, survivor, parts, probes[PROBES], prober, health, alive)
                    for k in (0, 1):
                        if procs[k].poll() is None:
                            rss[k] = max(rss[k], rss_mb(procs[k].pid))
                    if fired < PROBES and time.perf_counter() >= start + fired * spacing:
                        prober.fire(*probes[fired], fired, alive)
                        fired += 1
                    time.sleep(0.2)
                seconds = time.perf_counter() - start
                r["accepted_rate"] = round(counts[1] / seconds)
                r["offered_in_run"], r["accepted_in_run"] = counts[0], counts[1]
                r["failed_bodies"], r["behind_schedule"] = counts[2], counts[3]
                r["postgres_cores"] = round((postgres_cpu_s(cluster) - cpu0["postgres"]) / seconds, 2)
                r["worker_cores_before_kill"] = [round(cpu_pre_kill.get(k, 0) / cpu_pre_kill.get("s", 1), 2)
                                                 for k in (0, 1)]
                r["worker_rss_mb_max"] = [round(rss[k]) for k in (0, 1)]
                size1 = sizes(pg)
                r["db_size_mb"] = round(size1[0] / 1e6)
                r["db_growth_mb_per_day"] = round((size1[0] - size0[0]) / seconds * 86400 / 1e6)
                r["readings_growth_mb_per_day"] = round((size1[1] - size0[1]) / seconds * 86400 / 1e6)
                stop.set()
                loader.join(180)
                deadline = time.time() + RECEIPT_TIMEOUT_S
                while time.time() < deadline and len(prober.receipts()) < len(prober.sent):
                    time.sleep(0.5)
                time.sleep(5)  # time for a doubled message, were there one
                alarms: dict[str, int] = dict(pg.execute(
                    "SELECT d.circuit, COUNT(*) FROM alarms a JOIN devices d ON d.id = a.device_id "
                    "WHERE d.serial LIKE 'PROBE-%%' AND a.cause = 'leakage' GROUP BY d.circuit").fetchall())
        receipts = prober.receipts()
        latencies = [min(receipts[p["circuit"]]) - p["t0"] for p in prober.sent if p["circuit"] in receipts]
        r["probe_latencies"] = [[round(p["sent"] - prober.sent[0]["sent"], 1), round(min(receipts[p["circuit"]])
                                 - p["t0"], 3)] for p in prober.sent if p["circuit"] in receipts]
        r["probes"] = len(prober.sent)
        r["alarm_p50_ms"] = round(pct(latencies, 0.5) * 1000)
        r["alarm_p99_ms"] = round(pct(latencies, 0.99) * 1000)
        r["alarms_lost"] = sum(1 for p in prober.sent if p["circuit"] not in receipts)
        r["messages_doubled"] = sum(len(v) - 1 for v in receipts.values() if len(v) > 1)
        r["alarms_in_table"] = {"probes": len(prober.sent), "raised": sum(alarms.values()),
                                "doubled": sum(n - 1 for n in alarms.values() if n > 1)}
        if killed:
            probe = killed.pop("probe")
            killed["message_after_kill_s"] = (round(min(receipts[probe["circuit"]]) - killed.pop("at"), 2)
                                              if probe["circuit"] in receipts else None)
        r["kill"] = killed
    finally:
        if stop is not None:
            stop.set()
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except Exception:
                proc.kill()
        for log in logs:
            log.close()
        cluster.stop()
    return r


def kill(procs: list[Any], victim: int, survivor: int, parts: set[int], probe: tuple[int, str, str],
         prober: Probe, health: Any, alive: Any) -> dict[str, Any]:
    """SIGKILL ``victim``; a probe for a site of its partitions goes to the survivor at once. Answers the times."""
    site, serial, circuit = probe
    at = time.time()
    os.kill(procs[victim].pid, signal.SIGKILL)
    procs[victim].wait(timeout=30)
    alive[victim] = 0
    out: dict[str, Any] = {"victim_partitions": len(parts), "at": at}
    done = threading.Event()

    def fire() -> None:
        p = prober.fire(site, serial, circuit, survivor, alive)
        out["probe_accepted_after_s"] = round(p["t0"] - at, 2)
        out["probe"] = p
        done.set()

    threading.Thread(target=fire).start()
    try:
        wait_for(lambda: len(health(survivor)["partitions"]) == 16, 300, "the survivor holding every partition")
        out["partitions_moved_after_s"] = round(time.time() - at, 2)
    except AssertionError:
        out["partitions_moved_after_s"] = None
    out["probe_site_was_victims"] = site % 16 in parts
    done.wait(180)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=100_000, help="sites of 8 channels (default 100,000)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the loaded run (default 10)")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"bodies in flight at once ({CLIENTS})")
    parser.add_argument("--keep", type=Path, help="keep the workers' logs in this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        r = run(args.keep, args.sites, args.minutes, args.clients)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            r = run(Path(tmp), args.sites, args.minutes, args.clients)
    ratio = r["accepted_rate"] / r["offered_rate"]
    print(f"city: {r['sites']:,} sites × 8 channels every {CADENCE_S:.0f} s on 2 workers, {r['minutes']} min, "
          f"{r['cores']} cores, {r['clients']} clients; seeded in {r['seed_s']} s, workers ready in {r['start_s']} s")
    print(f"sustained {r['accepted_rate']:,} readings/s ÷ offered {r['offered_rate']:,}/s: {ratio:.2f} "
          f"({r['failed_bodies']} failed bodies; {r['behind_schedule']:,} readings sent > 5 s behind schedule)")
    print(f"alarm → message: p50 {r['alarm_p50_ms']} ms, p99 {r['alarm_p99_ms']} ms over {r['probes']} probes; "
          f"lost {r['alarms_lost']}, doubled messages {r['messages_doubled']}, alarms {r['alarms_in_table']}")
    print(f"cores: workers {r['worker_cores_before_kill']} (before the kill), PostgreSQL {r['postgres_cores']}; "
          f"worker RSS max {r['worker_rss_mb_max']} MB; database {r['db_size_mb']:,} MB, growing "
          f"{r['db_growth_mb_per_day']:,} MB/day (readings' tables {r['readings_growth_mb_per_day']:,} MB/day)")
    print(f"kill: {r['kill']}")
    print(json.dumps(r, ensure_ascii=False))
    if not math.isfinite(ratio):
        sys.exit(1)


if __name__ == "__main__":
    main()
