"""A crash run: start `andian serve`, let the gateways and the operator of tests/crash_rig.py work for a moment
drawn from a seed, SIGKILL it, look at what it died on (on SQLite, in a recovered copy of its files); over and over;
then a last start, the re-sends, and the checks of the whole database. The same run on either engine.

Used by tests/test_crash_safety.py (a short run in `make test`) and bench/crash_safety.py (≥ 200 kills).
``crash_run`` answers a ``Report``; ``Report.violations()`` is empty when every promise held:

- no acknowledged batch is lost, and a batch the server died on is stored whole or not at all (a re-send says
  `duplicate` exactly when it was stored, and is stored once);
- no acknowledgement of an alarm is lost (the alarm keeps the `acknowledged_at` its answer gave);
- no (device, channel, cause) has two active alarms; on SQLite, `PRAGMA integrity_check` says ok (on PostgreSQL the
  database server outlives the killed andian process: its integrity is not andian's to check).
"""

from __future__ import annotations

import contextlib
import random
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from server.storage import readings as readings_sql
from server.storage.connection import Connection

from . import backends
from .conftest import add_admin
from .crash_rig import (
    BACKLOG_S,
    CHANNELS,
    SAMPLES_PER_BATCH,
    Batch,
    Device,
    Gateway,
    Ledger,
    Operator,
    Server,
    seed_site,
)

__all__ = ["Report", "crash_run"]

RUN_S = (0.05, 0.5)  # how long the server runs between a start and its kill, drawn from the seed
RESENT_CHECKED = 40  # acknowledged batches sent again at the end, to see them answered as duplicates
WHOLE = (True, SAMPLES_PER_BATCH * len(CHANNELS), 1)  # (batch recorded, readings, events) of a stored batch


@dataclass
class Report:
    """What a crash run did and found; ``violations()`` names every broken promise."""

    kills: int
    seed: int
    restart_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    batches: int = 0  # batches made by the gateways
    acknowledged: int = 0  # batches answered 200
    stored: int = 0  # acknowledged batches found whole at the end
    lost: list[str] = field(default_factory=list)  # acknowledged batches not found whole at the end
    torn: list[str] = field(default_factory=list)  # batches found half stored after a kill
    queued: int = 0  # batches cut while handed over (PostgreSQL), still queued for the next owner
    cut: list[Batch] = field(default_factory=list)  # posts cut off by a kill
    cut_during_alarm: int = 0  # of those, posts whose batch raised or cleared an alarm
    kills_during_ingest: int = 0  # kills with at least one post in flight
    acks: int = 0  # alarm acknowledgements answered 200
    acks_cut: int = 0  # acknowledgements in flight at a kill
    acks_cut_stored: int = 0
    lost_acks: list[str] = field(default_factory=list)
    raised: int = 0
    cleared: int = 0
    # Leakage alarms cleared while the stream was still over the level (and raised again one delay later): what
    # happened while the detector state behind an alarm was lost at a kill, before it was saved with the alarm.
    cleared_over_level: int = 0
    cleared_over_level_acknowledged: int = 0
    doubled: list[Any] = field(default_factory=list)  # (device, channel, cause) with two active alarms
    integrity: list[str] = field(default_factory=list)  # failed checks, after a kill or at the end
    problems: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        found = [*self.problems, *self.integrity, *self.torn, *self.lost, *self.lost_acks]
        found += [f"two active alarms for (device, channel, cause, count) {row}" for row in self.doubled]
        if self.cleared_over_level:
            found.append(f"{self.cleared_over_level} alarms cleared while the leakage was still over the level "
                         "(the detector state behind an alarm was lost at a kill: cleared, then raised again)")
        if self.acknowledged != self.batches:
            found.append(f"only {self.acknowledged} of {self.batches} batches made were acknowledged in the end")
        # The run must have done what it claims to test.
        if self.batches < 2 * self.kills:
            found.append(f"only {self.batches} batches in {self.kills} runs: was there any ingest?")
        if len(self.cut) < self.kills:
            found.append(f"only {len(self.cut)} posts were cut off by {self.kills} kills")
        if self.raised < 2 or self.cleared < 1 or not self.cut_during_alarm:
            found.append(f"alarm commits were not in the mix ({self.raised} raised, {self.cleared} cleared, "
                         f"{self.cut_during_alarm} posts cut off while raising or clearing one)")
        if not self.acks:
            found.append("no alarm was acknowledged")
        return found

    def summary(self) -> str:
        mean = sum(self.restart_s) / max(1, len(self.restart_s))
        stored_when_cut = sum(1 for b in self.cut if b.committed)
        return "\n".join([
            f"kills: {self.kills} (seed {self.seed}); {self.kills_during_ingest} with a post in flight",
            f"batches: {self.batches} sent, {self.acknowledged} acknowledged, {self.stored} stored whole; "
            f"lost {len(self.lost)}, torn {len(self.torn)}",
            f"posts cut off by a kill: {len(self.cut)} ({stored_when_cut} stored before the kill, re-sent as "
            f"duplicates; {self.queued} handed over and still queued for the next owner; {self.cut_during_alarm} "
            f"were raising or clearing an alarm)",
            f"alarms: {self.raised} leakage alarms raised, {self.cleared} cleared; duplicate active alarms "
            f"{len(self.doubled)}",
            f"alarms cleared while the leakage was still over the level (detector state lost at a kill): "
            f"{self.cleared_over_level}, {self.cleared_over_level_acknowledged} of them acknowledged",
            f"acknowledgements: {self.acks} answered, {self.acks_cut} cut off by a kill ({self.acks_cut_stored} "
            f"stored before it); lost {len(self.lost_acks)}",
            f"integrity: {'ok' if not self.integrity else '; '.join(self.integrity[:3])} (after every kill and at "
            "the end)",
            f"restart: mean {mean:.2f} s, max {max(self.restart_s, default=0):.2f} s (start to /api/v1/health 200)",
            f"wall time: {self.wall_s:.0f} s",
        ])



def _stored(conn: Connection, batch: Batch, device: Device) -> tuple[bool, int, int]:
    """(batch id recorded, readings of the batch stored with its values, its events stored)."""
    recorded = conn.execute("SELECT 1 FROM ingest_batches WHERE batch_id = ?", [batch.batch_id]).fetchone()
    readings = 0
    times = batch.ts()
    for key, channel_id in device.channels.items():
        ts, value = readings_sql.range_raw(conn, channel_id, min(times), max(times))
        readings += int(np.count_nonzero(np.isin(ts, times) & (value == batch.value(key))))
    events = conn.execute("SELECT COUNT(*) FROM events WHERE device_id = ? AND kind = 'tamper' AND ts = ?",
                          [device.id, batch.event_ts()]).fetchone()[0]
    return recorded is not None, readings, events


def _doubled(conn: Connection) -> list[Any]:
    return [tuple(row) for row in conn.execute(
        "SELECT device_id, COALESCE(channel_id, 0), cause, COUNT(*) FROM alarms WHERE cleared_at IS NULL "
        "GROUP BY 1, 2, 3 HAVING COUNT(*) > 1")]


def _lost_acks(conn: Connection, acks: dict[int, float]) -> list[str]:
    stored = dict(conn.execute("SELECT id, acknowledged_at FROM alarms WHERE acknowledged_at IS NOT NULL"))
    return [f"alarm {a}: acknowledged at {t}, stored {stored.get(a)}" for a, t in acks.items() if stored.get(a) != t]


@contextlib.contextmanager
def _left_by_kill(db: Path, scratch: Path, report: Report) -> Iterator[Connection]:
    """What the killed server left. SQLite: a recovered copy of its files (database and WAL) — a copy, so that the
    server's next start does its own recovery of the original — that must pass `PRAGMA quick_check`. PostgreSQL:
    the database itself (its server outlives andian; what andian had not committed died with its connections)."""
    if backends.POSTGRES:
        with backends.connect(db) as conn:
            # The killed server's last COMMIT may still be in its backend's socket, unread: the backend runs it
            # before it reads the end of the connection and exits. Look once every one of them has exited.
            deadline = time.monotonic() + 15
            while conn.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                               "backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]:
                assert time.monotonic() < deadline, "the killed server's connections were still open after 15 s"
                time.sleep(0.02)
        with backends.connect(db) as conn:
            yield conn
        return
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", scratch / f"copy.db{suffix}")
    with backends.connect(scratch / "copy.db") as conn:
        if (check := [tuple(row) for row in conn.execute("PRAGMA quick_check")]) != [("ok",)]:
            report.integrity.append(f"quick_check after kill {len(report.restart_s) + 1}: {check[:3]}")
        yield conn


def _inspect_after_kill(db: Path, scratch: Path, report: Report, pending: list[Batch], devices: dict[str, Device],
                        acks: dict[int, float], ack_pending: int | None) -> None:
    """Look at what the killed server died on: the batches it was posted, the acknowledgements, the alarms."""
    with _left_by_kill(db, scratch, report) as conn:
        # On PostgreSQL a worker hands a batch for a partition it does not hold yet (its first second after a start)
        # to the partition's owner through owner_calls: a call still open when the server died is answered by the
        # next owner, so that batch's fate is decided after this look (its re-send says which).
        calls = [bytes(r[0]) for r in conn.execute("SELECT body FROM owner_calls WHERE done_at IS NULL")] \
            if backends.POSTGRES else []
        for batch in pending:
            found = _stored(conn, batch, devices[batch.device])
            if found not in (WHOLE, (False, 0, 0)):
                report.torn.append(f"{batch.batch_id} is half stored after the kill: (batch recorded, readings, "
                                   f"events) = {found}")
            queued = found != WHOLE and any(batch.batch_id.encode() in body for body in calls)
            report.queued += queued
            batch.committed = None if queued else found == WHOLE
        report.lost_acks += [f"after kill {len(report.restart_s) + 1}: {lost}" for lost in _lost_acks(conn, acks)]
        report.doubled += _doubled(conn)
        if ack_pending is not None:
            report.acks_cut += 1
            report.acks_cut_stored += conn.execute("SELECT COUNT(*) FROM alarms WHERE id = ? AND acknowledged_at "
                                                   "IS NOT NULL", [ack_pending]).fetchone()[0]


def _final_checks(conn: Connection, report: Report, ledger: Ledger, devices: dict[str, Device]) -> None:
    """The database after the last stop: every acknowledged batch and acknowledgement, integrity, alarms."""
    check = [tuple(row) for row in conn.execute("PRAGMA integrity_check")] if conn.dialect == "sqlite" else [("ok",)]
    if check != [("ok",)]:
        report.integrity.append(f"integrity_check at the end: {check[:3]}")
    for batch, _ in ledger.acked.values():
        found = _stored(conn, batch, devices[batch.device])
        if found == WHOLE:
            report.stored += 1
        else:
            report.lost.append(f"{batch.batch_id}: (batch recorded, readings, events) = {found}")
    report.lost_acks += _lost_acks(conn, ledger.acks)
    report.doubled += _doubled(conn)
    report.raised, report.cleared = conn.execute(
        "SELECT COUNT(*), COUNT(cleared_at) FROM alarms WHERE cause = 'leakage'").fetchone()
    report.cleared_over_level, report.cleared_over_level_acknowledged = conn.execute(
        "SELECT COUNT(*), COUNT(a.acknowledged_at) FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id "
        "WHERE t.transition = 'cleared' AND a.cause = 'leakage' AND t.value >= a.threshold").fetchone()
    for batch in report.cut:
        report.cut_during_alarm += conn.execute(
            "SELECT COUNT(*) FROM alarm_transitions t JOIN alarms a ON a.id = t.alarm_id WHERE a.device_id = ? "
            "AND t.transition IN ('raised', 'cleared') AND t.ts >= ? AND t.ts < ?",
            [devices[batch.device].id, batch.start, batch.start + SAMPLES_PER_BATCH]).fetchone()[0] > 0


def crash_run(workdir: Path, kills: int, seed: int, *, gateways: int = 2) -> Report:
    """Start, run for a moment drawn from ``seed``, SIGKILL, inspect; ``kills`` times; then a last start, the
    re-sends, and the checks. Devices per gateway grow with ``kills`` so that streams stay behind the present."""
    began = time.monotonic()
    rng = random.Random(seed)
    report = Report(kills, seed)
    db = workdir / "andian.db"
    add_admin(backends.settings(db))
    server = Server(db, workdir / "server.log")
    ledger = Ledger()
    # A gateway posts ~80 batches/s on 2 cores: ~1,800 s of stream per device, inside BACKLOG_S.
    per_gateway = max(2, kills // 8)
    serials = [[f"CRASH-{chr(ord('A') + g)}{i}" for i in range(per_gateway)] for g in range(gateways)]

    def start() -> str:
        t0 = time.monotonic()
        url = server.start()
        report.restart_s.append(time.monotonic() - t0)
        return url

    try:
        url = server.start()
        headers, admin, devices = seed_site(url, [s for group in serials for s in group])
        clients = [Gateway(group, headers, time.time() - BACKLOG_S) for group in serials]
        operator = Operator(admin)
        for kill in range(kills):
            if kill:
                url = start()
            stop = threading.Event()
            runs = [*(c.run for c in clients), operator.run]
            threads = [threading.Thread(target=run, args=(url, stop, ledger)) for run in runs]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(*RUN_S))
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
                assert not thread.is_alive(), "a client did not stop after the kill"
            pending = [c.pending for c in clients if c.pending is not None]
            report.cut += pending
            report.kills_during_ingest += bool(pending)
            _inspect_after_kill(db, workdir / "scratch", report, pending, devices, ledger.acks, operator.pending)

        # The last start: the gateways re-send what they got no answer for, the operator taps again, then all stop.
        url = start()
        for client in clients:
            if (batch := client.pending) is not None:
                response = httpx.post(f"{url}/api/v1/ingest", headers=headers, json=batch.body(), timeout=10)
                assert response.status_code == 200, response.text
                ledger.record(batch, response.json())
                client.pending = None
        if operator.pending is not None:
            response = httpx.post(f"{url}/api/v1/alarms/{operator.pending}/ack", headers=admin, json={}, timeout=10)
            assert response.status_code == 200, response.text
            ledger.record_ack(operator.pending, response.json()["acknowledged_at"])

        # Any acknowledged batch sent again is acknowledged as the same batch, and not stored again.
        with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
            for batch_id in rng.sample(sorted(ledger.acked), min(RESENT_CHECKED, len(ledger.acked))):
                batch, first = ledger.acked[batch_id]
                response = http.post("/api/v1/ingest", json=batch.body())
                if response.status_code != 200 or response.json() != {**first, "duplicate": True}:
                    ledger.problem(f"{batch_id} sent again: {response.status_code} {response.text}; first {first}")
    finally:
        server.stop()

    report.batches = sum(c.made for c in clients)
    report.acknowledged = len(ledger.acked)
    report.acks = len(ledger.acks)
    report.problems += ledger.problems
    with backends.connect(db) as conn:
        _final_checks(conn, report, ledger, devices)
    log = (workdir / "server.log").read_text()
    if "Traceback" in log:
        report.problems.append("the server logged a traceback:\n" + log[max(0, log.index("Traceback") - 2000):][:6000])
    report.wall_s = time.monotonic() - began
    return report
