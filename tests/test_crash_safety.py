"""SIGKILL during ingest: a real `andian serve` on a SQLite file is killed over and over while gateways post.

Done when: no acknowledged batch is lost, a batch the server died on is stored whole or not at all (and a re-send
says `duplicate` exactly when it was stored), every re-sent batch is stored once, `PRAGMA integrity_check` says ok
and no (device, channel, cause) has two active alarms. Leakage over 300 mA for longer than 5 s comes and goes in
the stream, so durable (alarm) commits are in the mix with the plain ones.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from server.settings import Settings

from .conftest import PASSWORD, add_admin
from .server_process import start_server

KILLS = 24
SEED = 20251123  # the kill moments; change it to try other ones
SAMPLES_PER_BATCH = 10  # per channel, one second apart
HIGH_MA, LOW_MA = 450.0, 40.0  # over and well under the default 300 mA leakage alarm level
CHANNELS = ("residual_ma", "current_a")


class Server:
    """`python -m server.cli serve` on one database file; a fresh port for each start."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db = db
        self.log = log.open("a")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.process, url = start_server(self.db, self.log)
        return url

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.log.close()


@dataclass
class Batch:
    batch_id: str
    device: str
    start: float  # ts of the first sample; the samples are one second apart
    residual_ma: float
    committed: bool | None = None  # as found in the database after the kill that interrupted its post

    def ts(self) -> list[float]:
        return [self.start + i for i in range(SAMPLES_PER_BATCH)]

    def event_ts(self) -> float:
        return self.start + 0.5

    def value(self, channel: str) -> float:
        return self.residual_ma if channel == "residual_ma" else 10.0

    def body(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "samples": [{"device": self.device, "channel": c, "ts": t, "value": self.value(c)}
                        for t in self.ts() for c in CHANNELS],
            "events": [{"device": self.device, "kind": "self_test", "ts": self.event_ts()}],
        }

    @property
    def items(self) -> int:
        return SAMPLES_PER_BATCH * len(CHANNELS) + 1


@dataclass
class Ledger:
    """What the gateways were told, shared by their threads."""

    acked: dict[str, tuple[Batch, dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, batch: Batch, result: dict[str, Any]) -> None:
        with self.lock:
            if batch.committed is not None and result["duplicate"] != batch.committed:
                self.problems.append(f"{batch.batch_id}: stored={batch.committed} but re-send answered {result}")
            if result["accepted"] != batch.items or result["rejected"]:
                self.problems.append(f"{batch.batch_id}: {result}")
            self.acked.setdefault(batch.batch_id, (batch, result))

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


class Gateway:
    """One device's gateway: posts batches back to back and re-sends the one it got no answer for, like a real one.

    Three batches over the leakage level, then three under it, so alarms are raised and cleared all along.
    """

    def __init__(self, serial: str, headers: dict[str, str], start: float) -> None:
        self.serial = serial
        self.headers = headers
        self.next_start = start
        self.made = 0
        self.pending: Batch | None = None

    def make(self) -> Batch:
        high = (self.made // 3) % 2 == 0
        batch = Batch(f"{self.serial}-{self.made}", self.serial, self.next_start, HIGH_MA if high else LOW_MA)
        self.made += 1
        self.next_start += SAMPLES_PER_BATCH
        assert self.next_start < time.time() + 200, "ran out of past timestamps; start the stream earlier"
        return batch

    def run(self, url: str, stop: threading.Event, ledger: Ledger) -> None:
        with httpx.Client(base_url=url, headers=self.headers, timeout=10) as http:
            while not stop.is_set():
                batch = self.pending = self.pending or self.make()
                try:
                    response = http.post("/api/v1/ingest", json=batch.body())
                except httpx.TransportError:
                    return  # the server is gone; the batch stays pending
                if response.status_code != 200:
                    ledger.problem(f"{batch.batch_id}: {response.status_code} {response.text}")
                    return
                ledger.record(batch, response.json())
                self.pending = None


@dataclass(frozen=True)
class Device:
    id: int
    channels: dict[str, int]  # key → channel id


def _seed(url: str) -> tuple[dict[str, str], dict[str, Device]]:
    """A site with two breakers and a gateway key, through the API as the admin; answers (headers, devices)."""
    with httpx.Client(base_url=url, timeout=10) as http:
        r = http.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD})
        assert r.status_code == 200, r.text
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        r = http.post("/api/v1/sites", headers=admin, json={
            "name": "资江宾馆", "address": "益阳市资阳区汽车路 120 号", "region_code": "430902001001",
            "venue_type": "hotel"})
        assert r.status_code == 201, r.text
        site_id = r.json()["id"]
        devices: dict[str, Device] = {}
        for serial in ("CRASH-A", "CRASH-B"):
            r = http.post(f"/api/v1/sites/{site_id}/devices", headers=admin, json={
                "serial": serial, "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32,
                "channels": [{"key": k} for k in CHANNELS]})
            assert r.status_code == 201, r.text
            devices[serial] = Device(r.json()["id"], {c["key"]: c["id"] for c in r.json()["channels"]})
        r = http.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": "box"})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['api_key']}"}, devices


def _stored(conn: sqlite3.Connection, batch: Batch, device: Device) -> tuple[bool, int, int]:
    """(batch id recorded, readings of the batch stored with its values, its events stored)."""
    recorded = conn.execute("SELECT 1 FROM ingest_batches WHERE batch_id = ?", [batch.batch_id]).fetchone()
    readings = 0
    for key, channel_id in device.channels.items():
        marks = ", ".join("?" * SAMPLES_PER_BATCH)
        readings += conn.execute(
            f"SELECT COUNT(*) FROM readings WHERE channel_id = ? AND ts IN ({marks}) AND value = ?",
            [channel_id, *batch.ts(), batch.value(key)]).fetchone()[0]
    events = conn.execute("SELECT COUNT(*) FROM events WHERE device_id = ? AND kind = 'self_test' AND ts = ?",
                          [device.id, batch.event_ts()]).fetchone()[0]
    return recorded is not None, readings, events


def _inspect_after_kill(db: Path, scratch: Path, pending: list[Batch], devices: dict[str, Device]) -> None:
    """Recover a copy of the killed server's files (database and WAL) and look at the batches it died on.

    A copy, so that the server's next start does its own recovery of the original.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", scratch / f"copy.db{suffix}")
    conn = sqlite3.connect(scratch / "copy.db")
    try:
        assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        for batch in pending:
            recorded, readings, events = _stored(conn, batch, devices[batch.device])
            whole = (recorded, readings, events) == (True, SAMPLES_PER_BATCH * len(CHANNELS), 1)
            assert whole or (recorded, readings, events) == (False, 0, 0), (
                f"{batch.batch_id} is half stored after the kill: batch recorded={recorded}, "
                f"readings={readings}, events={events}")
            batch.committed = whole
    finally:
        conn.close()


def test_sigkill_during_ingest_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db = tmp_path / "andian.db"
    add_admin(Settings(db_path=db))
    server = Server(db, tmp_path / "server.log")
    ledger = Ledger()
    interrupted: list[Batch] = []
    try:
        url = server.start()
        headers, devices = _seed(url)
        start = time.time() - 24 * 3600  # room for thousands of batches of ten seconds
        gateways = [Gateway(serial, headers, start) for serial in devices]

        for kill in range(KILLS):
            if kill:
                url = server.start()
            stop = threading.Event()
            threads = [threading.Thread(target=g.run, args=(url, stop, ledger), name=f"gateway-{g.serial}")
                       for g in gateways]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.05, 0.5))
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
                assert not thread.is_alive()
            pending = [g.pending for g in gateways if g.pending is not None]
            interrupted += pending
            _inspect_after_kill(db, tmp_path / "scratch", pending, devices)

        # The last start: the gateways re-send what they got no answer for, then stop.
        url = server.start()
        for gateway in gateways:
            if gateway.pending is not None:
                batch = gateway.pending
                with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
                    response = http.post("/api/v1/ingest", json=batch.body())
                assert response.status_code == 200, response.text
                ledger.record(batch, response.json())
                gateway.pending = None
        assert not ledger.problems, "\n".join(ledger.problems)

        # Any acknowledged batch sent again is acknowledged as the same batch, and not stored again.
        acked = sorted(ledger.acked)
        with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
            for batch_id in rng.sample(acked, min(40, len(acked))):
                batch, first = ledger.acked[batch_id]
                response = http.post("/api/v1/ingest", json=batch.body())
                assert response.status_code == 200, response.text
                assert response.json() == {**first, "duplicate": True}
    finally:
        server.stop()

    made = sum(g.made for g in gateways)
    stored_when_cut = sum(1 for b in interrupted if b.committed)
    print(f"{KILLS} kills, {made} batches, {len(interrupted)} posts cut off by a kill "
          f"({stored_when_cut} of them stored before the kill, so re-sent as duplicates)")
    assert len(ledger.acked) == made, "every batch made was acknowledged in the end"
    assert made >= 2 * KILLS, f"only {made} batches in {KILLS} runs: was there any ingest?"
    assert len(interrupted) >= KILLS, f"only {len(interrupted)} posts were cut off by {KILLS} kills"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        lost = []
        for batch, _ in ledger.acked.values():
            recorded, readings, events = _stored(conn, batch, devices[batch.device])
            if (recorded, readings, events) != (True, SAMPLES_PER_BATCH * len(CHANNELS), 1):
                lost.append(f"{batch.batch_id}: recorded={recorded} readings={readings} events={events}")
        assert not lost, f"{len(lost)} acknowledged batches lost or doubled: {lost[:10]}"
        doubled = conn.execute(
            "SELECT device_id, IFNULL(channel_id, 0), cause, COUNT(*) FROM alarms WHERE cleared_at IS NULL "
            "GROUP BY 1, 2, 3 HAVING COUNT(*) > 1").fetchall()
        assert doubled == [], f"more than one active alarm for (device, channel, cause): {doubled}"
        raised = conn.execute("SELECT COUNT(*) FROM alarms WHERE cause = 'leakage'").fetchone()[0]
        cleared = conn.execute("SELECT COUNT(*) FROM alarms WHERE cause = 'leakage' AND cleared_at IS NOT NULL"
                               ).fetchone()[0]
        assert raised >= 2 and cleared >= 1, f"alarm commits were not in the mix ({raised} raised, {cleared} cleared)"
        print(f"{raised} leakage alarms raised, {cleared} cleared")
    finally:
        conn.close()
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[max(0, log.index("Traceback") - 2000):][:6000]
