"""The crash rig's parts: a real `andian serve` that can be SIGKILLed, gateways that post leakage streams and
re-send what got no answer, an operator who acknowledges alarms, and the ledger of what they were told.

Each device streams three batches of leakage over the 300 mA alarm level, then three well under it, so alarm
raises and clears (durable commits) are in the mix with the plain ones, and so are acknowledgements.
tests/crash_run.py runs them against kills and checks the database; tests/test_crash_safety.py and
bench/crash_safety.py call it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .conftest import PASSWORD
from .server_process import start_server

__all__ = [
    "BACKLOG_S", "CHANNELS", "SAMPLES_PER_BATCH", "Batch", "Device", "Gateway", "Ledger", "Operator", "Server",
    "seed_site",
]

SAMPLES_PER_BATCH = 10  # per channel, one second apart
HIGH_MA, LOW_MA = 450.0, 40.0  # over and well under the default 300 mA leakage alarm level
CHANNELS = ("residual_ma", "current_a")
# Streams start this far back and never pass the present: well inside detection's HISTORY_S (an hour), so what
# they raise are live alarms (acknowledged, escalated, one active per cause), not episodes of the past.
BACKLOG_S = 3000.0


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
        # A tamper event (stored, no detection): a self_test one would make every alarm a test alarm.
        return {
            "batch_id": self.batch_id,
            "samples": [{"device": self.device, "channel": c, "ts": t, "value": self.value(c)}
                        for t in self.ts() for c in CHANNELS],
            "events": [{"device": self.device, "kind": "tamper", "ts": self.event_ts()}],
        }

    @property
    def items(self) -> int:
        return SAMPLES_PER_BATCH * len(CHANNELS) + 1


@dataclass
class Ledger:
    """What the gateways and the operator were told, shared by their threads."""

    acked: dict[str, tuple[Batch, dict[str, Any]]] = field(default_factory=dict)
    acks: dict[int, float] = field(default_factory=dict)  # alarm id → acknowledged_at as answered
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, batch: Batch, result: dict[str, Any]) -> None:
        with self.lock:
            if batch.committed is not None and result["duplicate"] != batch.committed:
                self.problems.append(f"{batch.batch_id}: stored={batch.committed} but re-send answered {result}")
            if result["accepted"] != batch.items or result["rejected"]:
                self.problems.append(f"{batch.batch_id}: {result}")
            self.acked.setdefault(batch.batch_id, (batch, result))

    def record_ack(self, alarm_id: int, acknowledged_at: float) -> None:
        with self.lock:
            first = self.acks.setdefault(alarm_id, acknowledged_at)
            if first != acknowledged_at:
                self.problems.append(f"alarm {alarm_id}: acknowledged at {first}, later answered {acknowledged_at}")

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


@dataclass
class Stream:
    serial: str
    next_start: float
    made: int = 0


class Gateway:
    """A gateway for a few devices: posts their batches back to back, the stream furthest behind first, and re-sends
    the one it got no answer for, like a real one. A stream never passes the present: when all are there, it waits.
    """

    def __init__(self, serials: list[str], headers: dict[str, str], start: float) -> None:
        self.streams = [Stream(serial, start) for serial in serials]
        self.headers = headers
        self.pending: Batch | None = None

    @property
    def made(self) -> int:
        return sum(s.made for s in self.streams)

    def make(self) -> Batch | None:
        stream = min(self.streams, key=lambda s: s.next_start)
        if stream.next_start + SAMPLES_PER_BATCH > time.time():
            return None
        high = (stream.made // 3) % 2 == 0
        batch = Batch(f"{stream.serial}-{stream.made}", stream.serial, stream.next_start, HIGH_MA if high else LOW_MA)
        stream.made += 1
        stream.next_start += SAMPLES_PER_BATCH
        return batch

    def run(self, url: str, stop: threading.Event, ledger: Ledger) -> None:
        with httpx.Client(base_url=url, headers=self.headers, timeout=10) as http:
            while not stop.is_set():
                batch = self.pending = self.pending or self.make()
                if batch is None:
                    stop.wait(0.1)
                    continue
                try:
                    response = http.post("/api/v1/ingest", json=batch.body())
                except httpx.TransportError:
                    return  # the server is gone; the batch stays pending
                if response.status_code != 200:
                    ledger.problem(f"{batch.batch_id}: {response.status_code} {response.text}")
                    return
                ledger.record(batch, response.json())
                self.pending = None


class Operator:
    """The admin at the alarm list: acknowledges each unacknowledged alarm, one at a time, and taps again on the one
    it got no answer for."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.pending: int | None = None

    def run(self, url: str, stop: threading.Event, ledger: Ledger) -> None:
        with httpx.Client(base_url=url, headers=self.headers, timeout=10) as http:
            while not stop.is_set():
                try:
                    if self.pending is None:
                        response = http.get("/api/v1/alarms", params={"limit": 20})
                        if response.status_code != 200:
                            ledger.problem(f"alarm list: {response.status_code} {response.text}")
                            return
                        todo = [a["id"] for a in response.json() if a["acknowledged_at"] is None]
                        if not todo:
                            stop.wait(0.02)
                            continue
                        self.pending = todo[0]
                    response = http.post(f"/api/v1/alarms/{self.pending}/ack", json={"note": "crash rig"})
                except httpx.TransportError:
                    return  # the server is gone; the acknowledgement stays pending
                if response.status_code != 200:
                    ledger.problem(f"ack of alarm {self.pending}: {response.status_code} {response.text}")
                    return
                ledger.record_ack(self.pending, response.json()["acknowledged_at"])
                self.pending = None


@dataclass(frozen=True)
class Device:
    id: int
    channels: dict[str, int]  # key → channel id


def seed_site(url: str, serials: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, Device]]:
    """A site with the breakers and a gateway key, through the API as the admin; answers (gateway headers, admin
    headers, devices)."""
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
        for serial in serials:
            r = http.post(f"/api/v1/sites/{site_id}/devices", headers=admin, json={
                "serial": serial, "model": "AD-SB63", "kind": "breaker", "rated_current_a": 32,
                "channels": [{"key": k} for k in CHANNELS]})
            assert r.status_code == 201, r.text
            devices[serial] = Device(r.json()["id"], {c["key"]: c["id"] for c in r.json()["channels"]})
        r = http.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": "box"})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['api_key']}"}, admin, devices
