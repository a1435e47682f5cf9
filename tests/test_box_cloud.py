"""A site box and its cloud as one system, with two real servers: the cloud is `andian demo --no-devices` (the demo
city, no devices of its own) and the box is `andian serve --simulated` (the demo's simulated Bluetooth devices),
paired through ANDIAN_UPSTREAM_URL and a gateway key the cloud issued for the market stall.

The box starts with an empty database: everything it knows of the site comes down the mirror, everything the
cloud knows of the box's readings and alarms comes up the forward, and the operator's trip in the cloud is
carried out by the box's own Bluetooth link.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.demo.city import DEMO_PASSWORD

from .conftest import wait_for
from .server_process import start_server

STALL = "桃花仑综合市场 12号摊位"
BREAKER = "AD-BRK-0001"


@dataclass
class Pair:
    cloud: httpx.Client
    box: httpx.Client
    gateway_id: int
    site_id: int

    def login(self, client: httpx.Client, username: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    directory: Path = tmp_path_factory.mktemp("box_cloud")
    cloud_log = (directory / "cloud.log").open("w")
    box_log = (directory / "box.log").open("w")
    cloud_process, cloud_url = start_server(directory / "cloud.db", cloud_log, command="demo", args=("--no-devices",))
    processes = [cloud_process]
    try:
        cloud = httpx.Client(base_url=cloud_url, timeout=60)
        admin = {"Authorization": "Bearer " + cloud.post("/api/v1/auth/login", json={
            "username": "admin", "password": DEMO_PASSWORD}).json()["token"]}
        site = next(s for s in cloud.get("/api/v1/sites", headers=admin).json() if s["name"] == STALL)
        gateway = cloud.post(f"/api/v1/sites/{site['id']}/gateways", json={"name": "市场配电房网关"}, headers=admin)
        assert gateway.status_code == 201, gateway.text
        box_process, box_url = start_server(directory / "box.db", box_log, args=("--simulated",), env={
            "ANDIAN_UPSTREAM_URL": cloud_url, "ANDIAN_UPSTREAM_KEY": gateway.json()["api_key"],
            "ANDIAN_UPSTREAM_MIRROR_S": "2", "ANDIAN_UPSTREAM_HEARTBEAT_S": "5"})
        processes.append(box_process)
        yield Pair(cloud, httpx.Client(base_url=box_url, timeout=60), gateway.json()["id"], site["id"])
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        cloud_log.close()
        box_log.close()


def _box_login(pair: Pair, username: str) -> dict[str, str] | None:
    response = pair.box.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"} if response.status_code == 200 else None


def _device(client: httpx.Client, headers: dict[str, str], serial: str) -> dict[str, Any]:
    sites = client.get("/api/v1/sites", headers=headers).json()
    for site in sites:
        for device in client.get(f"/api/v1/sites/{site['id']}", headers=headers).json()["devices"]:
            if device["serial"] == serial:
                return client.get(f"/api/v1/devices/{device['id']}", headers=headers).json()  # type: ignore[no-any-return]
    raise AssertionError(f"{serial} not found")


def test_the_site_comes_down_the_mirror_and_a_cloud_login_works_at_the_box(pair: Pair) -> None:
    installer = wait_for(lambda: _box_login(pair, "installer"), seconds=60)
    sites = pair.box.get("/api/v1/sites", headers=installer).json()
    assert [s["name"] for s in sites] == [STALL]
    breaker = _device(pair.box, installer, BREAKER)
    assert breaker["ble_address"] == "C0:AD:00:00:00:01"
    assert {c["key"] for c in breaker["channels"]} >= {"current_a", "residual_ma", "temp_c"}
    # The owner's cloud login works at the box too, and sees the same stall.
    owner = wait_for(lambda: _box_login(pair, "owner"))
    assert [s["name"] for s in pair.box.get("/api/v1/sites", headers=owner).json()] == [STALL]


def test_the_box_readings_reach_the_cloud(pair: Pair) -> None:
    owner = pair.login(pair.cloud, "owner")
    breaker = _device(pair.cloud, owner, BREAKER)
    current = next(c for c in breaker["channels"] if c["key"] == "current_a")

    def readings() -> list[float] | None:
        answer = pair.cloud.get(f"/api/v1/channels/{current['id']}/readings", headers=owner,
                                params={"from": time.time() - 600, "to": time.time() + 60}).json()
        return answer["value"] if answer["value"] else None

    assert all(v > 0 for v in wait_for(readings, seconds=90))


def test_a_threshold_set_in_the_cloud_is_applied_at_the_box(pair: Pair) -> None:
    installer = pair.login(pair.cloud, "installer")
    breaker = _device(pair.cloud, installer, BREAKER)
    residual = next(c for c in breaker["channels"] if c["key"] == "residual_ma")
    changed = pair.cloud.patch(f"/api/v1/channels/{residual['id']}", headers=installer,
                               json={"settings": {**residual["settings"], "alarm": 250, "prealarm": 200}})
    assert changed.status_code == 200, changed.text
    at_box = wait_for(lambda: _box_login(pair, "installer"))

    def applied() -> bool:
        channel = next(c for c in _device(pair.box, at_box, BREAKER)["channels"] if c["key"] == "residual_ma")
        return channel["settings"].get("alarm") == 250

    assert wait_for(applied, seconds=30)


def test_a_box_alarm_is_shown_once_in_the_cloud_with_its_origin(pair: Pair) -> None:
    installer = wait_for(lambda: _box_login(pair, "installer"))
    now = time.time()
    sent = pair.box.post("/api/v1/ingest", headers=installer, json={
        "batch_id": f"leak-{now}", "samples": [
            {"device": BREAKER, "channel": "residual_ma", "ts": now - 9 + i, "value": 420.0} for i in range(10)]})
    assert sent.status_code == 200 and sent.json()["accepted"] == 10, sent.text
    box_alarms = [a for a in pair.box.get("/api/v1/alarms", headers=installer).json()
                  if a["cause"] == "leakage" and a["device_serial"] == BREAKER]
    assert box_alarms, "the box judged its own readings"
    operator = pair.login(pair.cloud, "operator")
    origins = {f"gateway:{pair.gateway_id}/{a['id']}" for a in box_alarms}

    def in_cloud() -> list[dict[str, Any]] | None:
        alarms = [a for a in pair.cloud.get("/api/v1/alarms", headers=operator, params={"site_id": pair.site_id}).json()
                  if a["cause"] == "leakage" and a["device_serial"] == BREAKER]
        return alarms if {a.get("origin") for a in alarms} >= origins else None

    alarms = wait_for(in_cloud, seconds=60)
    assert sorted(a["origin"] for a in alarms if a["origin"] in origins) == sorted(origins)  # each once
    assert all(a["origin"] for a in alarms), "the cloud raised no leakage alarm of its own for the box's readings"


def test_a_trip_from_the_cloud_is_carried_out_by_the_box(pair: Pair) -> None:
    operator = pair.login(pair.cloud, "operator")
    breaker = _device(pair.cloud, operator, BREAKER)
    answer = pair.cloud.post(f"/api/v1/devices/{breaker['id']}/control", headers=operator,
                             json={"action": "trip", "reason": "市场配电房远程分闸测试"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "done" and answer.json()["switch"] == "open", answer.json()
    assert _device(pair.cloud, operator, BREAKER)["switch"] == "open"
    at_box = wait_for(lambda: _box_login(pair, "operator"))
    box_breaker = _device(pair.box, at_box, BREAKER)
    log = pair.box.get(f"/api/v1/devices/{box_breaker['id']}/control", headers=at_box).json()
    assert log and log[0]["action"] == "trip" and log[0]["switch"] == "open"
    closed = pair.cloud.post(f"/api/v1/devices/{breaker['id']}/control", headers=operator,
                             json={"action": "close", "reason": "测试完毕合闸"})
    assert closed.json()["switch"] == "closed", closed.json()


def test_the_cloud_sees_the_box_as_a_gateway_with_its_backlog(pair: Pair) -> None:
    operator = pair.login(pair.cloud, "operator")
    gateway = pair.cloud.get(f"/api/v1/gateways/{pair.gateway_id}", headers=operator).json()
    assert gateway["site_id"] == pair.site_id and gateway["last_seen_at"] > time.time() - 30
    assert "backlog" in gateway
