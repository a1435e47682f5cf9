"""Two `andian serve` workers on one PostgreSQL database, as behind any HTTP balancer (issue 21): batches for the
same channels through both raise each alarm once and send one message per transition; a worker killed with
SIGKILL gives its sites to the other within 30 s, which judges them from the stored state without losing or
doubling an alarm. Starts the throwaway cluster itself, on either suite engine."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from . import backends
from .conftest import PASSWORD, World, add_admin, bearer, build_world
from .receivers import WebhookReceiver, wait_for, webhook_receiver
from .server_process import start_server

SITE = "site_market"
DEVICE = f"SN-{SITE}"
MOVE_WITHIN_S = 30.0


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


class Workers:
    def __init__(self, tmp_path: Path) -> None:
        from server.settings import Settings

        self.url = backends.cluster().new_database()
        self.settings = Settings(db_path=tmp_path / "unused.db", db_url=self.url, data_dir=tmp_path)
        add_admin(self.settings)
        self.procs: list[Any] = []
        self.urls: list[str] = []
        self.logs = [(tmp_path / f"worker{n}.log").open("w") for n in range(2)]
        env = {"ANDIAN_DATA_DIR": str(tmp_path), "ANDIAN_PUBLIC_URL": "http://andian.example"}
        for log in self.logs:
            proc, url = start_server(self.url, log, env)
            self.procs.append(proc)
            self.urls.append(url)

    def health(self, n: int) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.urls[n]}/api/v1/health", timeout=5).json()
        return body

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except Exception:
                proc.kill()
        for log in self.logs:
            log.close()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pair = Workers(tmp_path)
    try:
        yield pair
    finally:
        pair.close()


def post(url: str, key: str, batch_id: str, ts: list[float], value: float) -> dict[str, Any]:
    body = {"batch_id": batch_id, "samples": [
        {"device": DEVICE, "channel": "residual_ma", "ts": t, "value": value} for t in ts]}
    r = httpx.post(f"{url}/api/v1/ingest", json=body, headers=bearer(key), timeout=60)
    assert r.status_code in (200, 202), r.text
    answer: dict[str, Any] = r.json()
    assert answer["rejected"] == [], answer
    return answer


def leakage_alarms(url: str, world: World) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/api/v1/alarms", params={"site_id": world.sites[SITE]}, headers=world.headers("admin"),
                  timeout=10)
    assert r.status_code == 200, r.text
    return [a for a in r.json() if a["cause"] == "leakage"]


def test_two_workers_raise_each_alarm_once_and_take_over_a_killed_one(workers: Workers,
                                                                      hooks: WebhookReceiver) -> None:
    a, b = workers.urls
    # Both lease their share of the partitions, and one of them leads.
    wait_for(lambda: {len(workers.health(0)["worker"]["partitions"]), len(workers.health(1)["worker"]["partitions"])}
             == {8}, timeout=20, what="each worker owning half the partitions")
    assert [workers.health(n)["worker"]["leader"] for n in (0, 1)].count(True) == 1

    with httpx.Client(base_url=a, timeout=30) as http:
        admin = bearer(http.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD}
                                 ).json()["token"])
        world = build_world(http, admin)  # type: ignore[arg-type]
        r = http.post("/api/v1/me/subscriptions", headers=world.headers("owner_1"),
                      json={"url": hooks.url("owner"), "label": "企业微信", "levels": ["alarm"]})
        assert r.status_code == 201, r.text
    key = world.gateway_keys[SITE]
    # The device's clock: one reading a second, from two minutes ago on.
    ticks = itertools.count(int(time.time()) - 120)

    def seconds(n: int) -> list[float]:
        return [float(next(ticks)) for _ in range(n)]

    # Normal leakage, then 380 mA for 20 s, the batches alternating between the two workers (a balancer's
    # round robin): one alarm, one message.
    for n, url in enumerate([a, b, a, b]):
        post(url, key, f"normal-{n}", seconds(5), 120.0)
    for n in range(10):
        post([a, b][n % 2], key, f"high-{n}", seconds(2), 380.0)
    raised = wait_for(lambda: [x for x in leakage_alarms(b, world) if x["cleared_at"] is None], what="the alarm")
    assert len(raised) == 1 and raised[0]["level"] == "alarm"
    assert len(leakage_alarms(a, world)) == 1  # both workers answer from the same database
    wait_for(lambda: hooks.accepted("owner"), what="the owner's message")
    time.sleep(3)  # time for a second message, were there one
    assert len(hooks.accepted("owner")) == 1

    # A user's batch for two sites, sent to the worker that judges neither: handed over, answered item by item.
    site_part = world.sites[SITE] % workers.health(0)["worker"]["of"]
    owner = next(n for n in (0, 1) if site_part in workers.health(n)["worker"]["partitions"])
    t = float(next(ticks))
    mixed = {"batch_id": "installer-1", "samples": [
        {"device": DEVICE, "channel": "current_a", "ts": t, "value": 3.0},
        {"device": "SN-site_care", "channel": "residual_ma", "ts": t, "value": 40.0},
        {"device": "SN-nowhere", "channel": "residual_ma", "ts": t, "value": 1.0}]}
    r = httpx.post(f"{workers.urls[1 - owner]}/api/v1/ingest", json=mixed, headers=world.headers("admin"),
                   timeout=60)
    assert r.status_code in (200, 202), r.text
    assert r.json()["accepted"] == 2
    assert [(x["index"], "SN-nowhere" in x["error"]) for x in r.json()["rejected"]] == [(2, True)]

    # Kill the worker that judges the site; the other takes its partitions and judges the site from there on.
    survivor = 1 - owner
    killed_at = time.monotonic()
    os.kill(workers.procs[owner].pid, signal.SIGKILL)
    workers.procs[owner].wait(timeout=10)
    wait_for(lambda: site_part in workers.health(survivor)["worker"]["partitions"], timeout=MOVE_WITHIN_S,
             what="the survivor taking the killed worker's partition")
    moved_s = time.monotonic() - killed_at
    assert moved_s < MOVE_WITHIN_S
    assert workers.health(survivor)["worker"]["leader"] is True
    assert len(workers.health(survivor)["worker"]["partitions"]) == 16

    # Still 380 mA: the survivor knows the alarm is active (no second one, no second message) ...
    survivor_url = workers.urls[survivor]
    post(survivor_url, key, "high-after", seconds(3), 385.0)
    time.sleep(2)
    assert len(leakage_alarms(survivor_url, world)) == 1
    assert len(hooks.accepted("owner")) == 1
    # ... and it clears it when the leakage is back to normal: one clear, told once.
    for n in range(3):
        post(survivor_url, key, f"back-{n}", seconds(5), 110.0)
    wait_for(lambda: leakage_alarms(survivor_url, world)[0]["cleared_at"] is not None, what="the clear")
    wait_for(lambda: len(hooks.accepted("owner")) == 2, what="the all-clear message")
    time.sleep(2)
    assert len(hooks.accepted("owner")) == 2
    assert len(leakage_alarms(survivor_url, world)) == 1
