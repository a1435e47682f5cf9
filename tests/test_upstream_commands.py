"""Commands down: the cloud's console switches a breaker that a site box reads, over the connection the box keeps.

The cloud is a real `andian serve` (its own database, on a real port); the box is the real app with simulated
Bluetooth breakers, paired with the cloud by ANDIAN_UPSTREAM_URL/KEY, running its upstream loops. Where the test
plays the box by hand, it speaks the same HTTP with a gateway key.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from ble.simulator import DeviceSpec
from server.web.app import create_app

from . import backends
from .conftest import World, add_admin, bearer, build_world, login
from .receivers import wait_for
from .server_process import start_server

BREAKER = DeviceSpec("C0:AD:00:00:01:03", "AD-BRK-0103", "AD-SB63", rated_a=20.0)
LATE_BREAKER = DeviceSpec("C0:AD:00:00:00:01", "AD-BRK-0001", "AD-SB63", rated_a=16.0)
FAR_BREAKER = "AD-BRK-0900"  # at a site whose box this test plays by hand
# The cloud's command timeout: long enough for a Bluetooth trip and its read-back at the box, short for the tests
# that wait it out.
COMMAND_TIMEOUT_S = 6.0
# The cloud's heartbeat: a long-poll may wait this long, far longer than any answer the tests expect.
CLOUD_HEARTBEAT_S = 120.0
HTTP_TIMEOUT_S = 60.0


@dataclass
class Cloud:
    url: str
    http: httpx.Client
    world: World
    devices: dict[str, int]  # serial → the cloud's device id

    def gateway(self, site: str) -> dict[str, str]:
        return bearer(self.world.gateway_keys[site])

    def last_seen(self, site: str) -> float | None:
        r = self.http.get(f"/api/v1/gateways/{self.world.gateways[site]}", headers=self.world.headers("admin"))
        assert r.status_code == 200, r.text
        seen: float | None = r.json()["last_seen_at"]
        return seen

    def control(self, serial: str, action: str, who: str = "operator_a") -> dict[str, Any]:
        r = self.http.post(f"/api/v1/devices/{self.devices[serial]}/control", headers=self.world.headers(who),
                           json={"action": action, "reason": f"远程{action}：现场确认后操作"})
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer


def _register(http: Any, headers: dict[str, str], site_id: int, serial: str, address: str) -> int:
    r = http.post(f"/api/v1/sites/{site_id}/devices", headers=headers, json={
        "serial": serial, "model": "AD-SB63", "kind": "breaker", "name": f"断路器 {serial}", "circuit": "冷柜回路",
        "rated_current_a": 20, "ble_address": address})
    assert r.status_code == 201, r.text
    device_id: int = r.json()["id"]
    return device_id


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    tmp = tmp_path_factory.mktemp("cloud")
    add_admin(backends.settings(tmp / "cloud.db"))
    env = {"ANDIAN_UPSTREAM_COMMAND_TIMEOUT_S": str(COMMAND_TIMEOUT_S),
           "ANDIAN_UPSTREAM_HEARTBEAT_S": str(CLOUD_HEARTBEAT_S)}
    with (tmp / "server.log").open("w") as log:
        process, url = start_server(tmp / "cloud.db", log, env)
        try:
            with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S) as http:
                world = build_world(http, bearer(login(http, "root")))  # type: ignore[arg-type]
                admin = world.headers("admin")
                devices = {
                    BREAKER.serial: _register(http, admin, world.sites["site_market"], BREAKER.serial,
                                              BREAKER.address),
                    LATE_BREAKER.serial: _register(http, admin, world.sites["site_hotel"], LATE_BREAKER.serial,
                                                   LATE_BREAKER.address),
                    FAR_BREAKER: _register(http, admin, world.sites["site_care"], FAR_BREAKER, "C0:AD:00:00:09:00"),
                }
                yield Cloud(url, http, world, devices)
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Box:
    client: TestClient[Any]
    admin: dict[str, str]  # the box's own administrator (made at the box, not mirrored)
    device_id: int  # the breaker's id at the box

    def log(self) -> list[dict[str, Any]]:
        r = self.client.get(f"/api/v1/devices/{self.device_id}/control", headers=self.admin)
        assert r.status_code == 200, r.text
        entries: list[dict[str, Any]] = r.json()
        return entries

    def switch(self) -> str | None:
        r = self.client.get(f"/api/v1/devices/{self.device_id}", headers=self.admin)
        assert r.status_code == 200, r.text
        position: str | None = r.json()["switch"]
        return position


@contextlib.contextmanager
def paired_box(tmp: Path, cloud: Cloud, site: str, spec: DeviceSpec,
               transport: httpx.AsyncBaseTransport | None = None) -> Iterator[Box]:
    """A site box with one simulated breaker, paired with the cloud by the gateway key of the cloud's ``site``, which
    learns the breaker from the cloud's mirror; entered once the cloud has heard from it. ``transport``: the box's
    connection to the cloud, when the test breaks it."""
    settings = backends.settings(tmp / "box.db", static_dir=Path("/nonexistent"), upstream_url=cloud.url,
                        upstream_key=cloud.world.gateway_keys[site], upstream_heartbeat_s=3.0,
                        upstream_retry_base_s=0.2, upstream_retry_cap_s=2.0)
    add_admin(settings)
    before = cloud.last_seen(site)
    with TestClient(create_app(settings, simulated=[spec], notify=False, upstream_transport=transport)) as client:
        admin = bearer(login(client, "root"))
        device_id = wait_for(lambda: _box_device(client, admin, spec.serial), 30, "the mirror brings the breaker")
        wait_for(lambda: cloud.last_seen(site) != before, 30, "the box's first long-poll")
        yield Box(client, admin, device_id)


def _box_device(client: TestClient[Any], admin: dict[str, str], serial: str) -> int | None:
    for site in client.get("/api/v1/sites", headers=admin).json():
        for device in client.get(f"/api/v1/sites/{site['id']}", headers=admin).json()["devices"]:
            if device["serial"] == serial:
                return int(device["id"])
    return None


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory, cloud: Cloud) -> Iterator[Box]:
    with paired_box(tmp_path_factory.mktemp("box"), cloud, "site_market", BREAKER) as paired:
        yield paired


def test_a_trip_in_the_cloud_is_run_at_the_box_and_its_read_back_shown_in_the_cloud(cloud: Cloud, box: Box) -> None:
    gateway = f"gateway:{cloud.world.gateways['site_market']}"
    operator = cloud.world.headers("operator_a")
    device = cloud.devices[BREAKER.serial]
    tripped = cloud.control(BREAKER.serial, "trip")
    assert (tripped["outcome"], tripped["switch"], tripped["by"], tripped["via"]) == ("done", "open", "operator_a",
                                                                                    gateway), tripped
    shown = cloud.http.get(f"/api/v1/devices/{device}", headers=operator).json()
    operator_name = cloud.http.get("/api/v1/me", headers=operator).json()["display_name"]
    assert (shown["switch"], shown["switch_by"]) == ("open", operator_name)
    assert box.switch() == "open"  # the box read it back from the breaker itself

    closed = cloud.control(BREAKER.serial, "close")
    assert (closed["outcome"], closed["switch"]) == ("done", "closed"), closed
    assert cloud.http.get(f"/api/v1/devices/{device}", headers=operator).json()["switch"] == "closed"
    assert box.switch() == "closed"

    # Audited on both sides: in the cloud by the operator, via the box; at the box for the cloud's operator.
    in_cloud = cloud.http.get(f"/api/v1/devices/{device}/control", headers=operator).json()
    assert [(e["action"], e["outcome"], e["switch"], e["by"], e["via"]) for e in in_cloud[:2]] == [
        ("close", "done", "closed", "operator_a", gateway), ("trip", "done", "open", "operator_a", gateway)]
    at_box = box.log()
    assert [(e["action"], e["outcome"], e["switch"], e["by"], e["via"]) for e in at_box[:2]] == [
        ("close", "done", "closed", "operator_a", "cloud"), ("trip", "done", "open", "operator_a", "cloud")]
    assert at_box[1]["reason"] == in_cloud[1]["reason"] == "远程trip：现场确认后操作"


def test_identify_from_the_cloud_makes_the_breaker_at_the_box_blink(cloud: Cloud, box: Box) -> None:
    found = cloud.control(BREAKER.serial, "identify")
    assert found["outcome"] == "done" and found["code"] is None, found
    assert box.log()[0]["action"] == "identify" and box.log()[0]["via"] == "cloud"


def test_the_upstream_endpoints_refuse_user_tokens(cloud: Cloud) -> None:
    for who in ("admin", "operator_a"):
        headers = cloud.world.headers(who)
        r = cloud.http.get("/api/v1/upstream/commands", params={"wait": 0}, headers=headers)
        assert r.status_code == 403 and "gateway key" in r.json()["detail"], r.text
        r = cloud.http.post("/api/v1/upstream/commands/1/result", json={"outcome": "done"}, headers=headers)
        assert r.status_code == 403, r.text


def test_a_box_that_is_not_connected_leaves_the_command_cancelled_and_never_runs_it_later(
        cloud: Cloud, tmp_path: Path) -> None:
    site = "site_hotel"
    r = cloud.http.get("/api/v1/upstream/commands", params={"wait": 0}, headers=cloud.gateway(site))
    assert r.status_code == 200 and r.json()["commands"] == []  # the site's box spoke once, then went silent

    failed = cloud.control(LATE_BREAKER.serial, "trip")
    assert (failed["outcome"], failed["code"], failed["switch"]) == ("failed", "box_unreachable", None), failed
    assert "未在" in failed["error"] and "不会再执行" in failed["error"]
    assert _take(cloud.url, cloud.gateway(site), 0) == []  # never handed out once expired

    with paired_box(tmp_path, cloud, site, LATE_BREAKER) as late:
        seen = cloud.last_seen(site)
        wait_for(lambda: (cloud.last_seen(site) or 0) > (seen or 0), 30, "a second long-poll after the first ended")
        assert late.log() == []  # the expired trip was never handed to the box
        assert late.switch() is None


def _take(url: str, headers: dict[str, str], wait: float) -> list[dict[str, Any]]:
    with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S) as http:
        r = http.get("/api/v1/upstream/commands", params={"wait": wait}, headers=headers)
        assert r.status_code == 200, r.text
        commands: list[dict[str, Any]] = r.json()["commands"]
        return commands


def _control(url: str, headers: dict[str, str], device_id: int, action: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S) as http:
        r = http.post(f"/api/v1/devices/{device_id}/control", headers=headers,
                      json={"action": action, "reason": "值班中心远程操作"})
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer


def test_a_box_played_by_hand_long_polls_takes_answers_and_is_held_to_its_own_commands(cloud: Cloud) -> None:
    site = "site_care"
    box_key = cloud.gateway(site)
    operator = cloud.world.headers("operator_b")
    device = cloud.devices[FAR_BREAKER]
    with ThreadPoolExecutor(2) as pool:
        before = cloud.last_seen(site)
        # The long-poll waits as long as the cloud's heartbeat, far longer than this client waits for an answer:
        # only a command queued while it waits ends it.
        polled: Future[list[dict[str, Any]]] = pool.submit(_take, cloud.url, box_key, CLOUD_HEARTBEAT_S)
        wait_for(lambda: cloud.last_seen(site) != before, 30, "the long-poll to arrive")
        asked = pool.submit(_control, cloud.url, operator, device, "trip")
        [command] = polled.result()
        assert (command["action"], command["device"], command["by"]) == ("trip", FAR_BREAKER, "operator_b")
        assert command["expires_at"] > command["created_at"]

        result = f"/api/v1/upstream/commands/{command['id']}/result"
        done = {"outcome": "done", "switch": "open", "at": time.time()}
        r = cloud.http.post(result, json=done, headers=cloud.gateway("site_market"))
        assert r.status_code == 404, r.text  # another gateway's command: not there for that box
        r = cloud.http.post(result, json=done, headers=box_key)
        assert r.status_code == 204, r.text
        answer = asked.result()
        assert (answer["outcome"], answer["switch"], answer["via"]) == ("done", "open", f"gateway:"
                                                                        f"{cloud.world.gateways[site]}")
        assert cloud.http.get(f"/api/v1/devices/{device}", headers=operator).json()["switch"] == "open"
        r = cloud.http.post(result, json=done, headers=box_key)
        assert r.status_code == 409, r.text  # answered already

        # Taken, then no word from the box until the command expired: the operator is told so, a late result refused.
        asked = pool.submit(_control, cloud.url, operator, device, "close")
        [command] = _take(cloud.url, box_key, CLOUD_HEARTBEAT_S)
        answer = asked.result()
        assert (answer["outcome"], answer["code"]) == ("failed", "box_no_answer"), answer
        r = cloud.http.post(f"/api/v1/upstream/commands/{command['id']}/result", headers=box_key,
                            json={"outcome": "done", "switch": "closed"})
        assert r.status_code == 409 and "not taken" in r.json()["detail"], r.text
        assert cloud.http.get(f"/api/v1/devices/{device}", headers=operator).json()["switch"] == "open"


class LosesFirstResult(httpx.AsyncBaseTransport):
    """The box's network, which fails the first result the box posts before it reaches the cloud."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/result") and not self.lost:
            self.lost += 1
            raise httpx.ConnectError("the 4G link dropped", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_result_the_network_lost_is_sent_again(cloud: Cloud, tmp_path: Path) -> None:
    admin = cloud.world.headers("admin")
    site_id = cloud.http.post("/api/v1/sites", headers=admin, json={
        "name": "site_shop", "address": "site_shop 地址", "region_code": "430903001001", "venue_type": "market",
        "company_id": cloud.world.companies["A"]}).json()["id"]
    spec = DeviceSpec("C0:AD:00:00:04:01", "AD-BRK-0401", "AD-SB63", rated_a=16.0)
    cloud.devices[spec.serial] = _register(cloud.http, admin, site_id, spec.serial, spec.address)
    r = cloud.http.post(f"/api/v1/sites/{site_id}/gateways", headers=admin, json={"name": "box site_shop"})
    assert r.status_code == 201, r.text
    cloud.world.gateways["site_shop"], cloud.world.gateway_keys["site_shop"] = r.json()["id"], r.json()["api_key"]
    network = LosesFirstResult()
    with paired_box(tmp_path, cloud, "site_shop", spec, network) as shop:
        tripped = cloud.control(spec.serial, "trip")
        assert network.lost == 1
        assert (tripped["outcome"], tripped["switch"]) == ("done", "open"), tripped
        assert shop.switch() == "open" and [e["action"] for e in shop.log()] == ["trip"]
