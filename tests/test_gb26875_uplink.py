"""The GB/T 26875.3 uplink over real TCP: the real app (Litestar's test client) reports to a simulated monitoring
centre (tests/gb26875_centre.py) what its sites' alarms and readings say, and answers the centre."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from gb26875 import CONFIRM, PartAnalogue, PartState, Unit
from server.settings import Settings
from server.web.app import create_app

from .conftest import Clock, World, add_admin, build_world, login
from .gb26875_centre import ADDRESS, Centre, unit_type

WAIT_S = 30.0


def uplink_settings(settings: Settings, centre: Centre, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "gb26875_uplink": f"127.0.0.1:{centre.port}", "gb26875_address": ADDRESS, "gb26875_heartbeat_s": 60.0,
        "gb26875_analogue_s": 1.0, "upstream_retry_base_s": 0.05, "upstream_retry_cap_s": 0.5, **overrides}
    for name, value in values.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def centre() -> Iterator[Centre]:
    with Centre() as running:
        yield running


class Site:
    """site_market of the world, through the real app: leakage posted by its gateway, the uplink's state read."""

    def __init__(self, client: TestClient[Any], clock: Clock, world: World) -> None:
        self.client, self.clock, self.world = client, clock, world
        self.device_id = world.devices["site_market"]
        self.gateway = {"Authorization": f"Bearer {world.gateway_keys['site_market']}"}
        self.batch = 0

    def leak(self, ma: float, seconds: int) -> None:
        """``seconds`` of residual current at ``ma`` (one sample a second) up to the app's clock, which moves on."""
        self.clock.advance(seconds)
        self.batch += 1
        samples = [{"device": "SN-site_market", "channel": c, "ts": self.clock.now - seconds + i + 1, "value": v}
                   for i in range(seconds) for c, v in (("residual_ma", ma), ("current_a", 12.5))]
        r = self.client.post("/api/v1/ingest", headers=self.gateway, json={"batch_id": f"b{self.batch}",
                                                                           "samples": samples})
        assert r.status_code == 200 and r.json()["accepted"] == len(samples), r.text

    def uplink(self, who: str = "operator_a") -> dict[str, Any]:
        r = self.client.get("/api/v1/gb26875/uplink", headers=self.world.headers(who))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def until(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while not check(state := self.uplink()):
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        return state


def part_state(frame: Any) -> PartState:
    assert isinstance(frame.unit, Unit) and isinstance(frame.unit.objects[0], PartState)
    return frame.unit.objects[0]


def leakage_state(bit: int) -> Callable[[Any], bool]:
    def match(frame: Any) -> bool:
        if unit_type(frame) != 2:
            return False
        state = part_state(frame)
        return state.part_type == 17 and (state.status == 1 if bit == 0 else bool(state.status & bit))
    return match


def open_app(settings: Settings, clock: Clock) -> tuple[TestClient[Any], World]:
    add_admin(settings)
    client = TestClient(create_app(settings, clock=clock))
    client.__enter__()
    return client, build_world(client, {"Authorization": f"Bearer {login(client, 'root')}"})


@pytest.fixture
def app_site(settings: Settings, clock: Clock, centre: Centre) -> Iterator[Site]:
    client, world = open_app(uplink_settings(settings, centre), clock)
    try:
        yield Site(client, clock, world)
    finally:
        client.__exit__(None, None, None)


def test_an_alarm_reaches_the_centre_as_a_part_state_and_its_clear_as_normal(app_site: Site, centre: Centre) -> None:
    centre.wait(lambda f: unit_type(f) == 21)  # connected: the heartbeat first
    app_site.leak(450.0, 20)
    frame = centre.wait(leakage_state(2))
    state = part_state(frame)
    assert frame.source == bytes.fromhex(ADDRESS) and frame.destination == bytes(6) and frame.command == 2
    assert (state.sys_type, state.sys_addr, state.part_addr) == (0, 1, app_site.device_id)
    assert state.status & 1 and state.desc.startswith("site_market")
    assert len(state.desc.encode("gb18030")) <= 31
    app_site.leak(40.0, 60)
    cleared = centre.wait(leakage_state(0), after=centre.frames.index(frame) + 1)
    assert part_state(cleared).part_addr == app_site.device_id
    status = app_site.until(lambda s: s["queued"]["alarms"] == 0 and s["counters"]["confirmed"] >= 3)
    assert status["configured"] and status["connected"] and status["address"] == ADDRESS
    assert status["centre"] == f"127.0.0.1:{centre.port}" and status["last_confirm_at"] is not None
    # Analogue values: residual current as user-defined type 128 in mA on the detector part, current as 9 (0.1 A).
    def analogue(frame: Any) -> set[tuple[int, int, int, int]]:
        objects = frame.unit.objects if unit_type(frame) == 3 else ()
        return {(o.part_type, o.part_addr, o.analogue_type, o.value) for o in objects if isinstance(o, PartAnalogue)}

    centre.wait(lambda f: analogue(f) == {(17, app_site.device_id, 128, 40), (16, app_site.device_id, 9, 125)})


def test_unconfirmed_frames_are_sent_again_with_the_same_serial_until_confirmed(app_site: Site,
                                                                                 centre: Centre) -> None:
    centre.wait(lambda f: unit_type(f) == 21)
    confirming = False
    centre.policy = lambda f: CONFIRM if confirming or unit_type(f) != 2 else None
    app_site.leak(450.0, 20)
    first = centre.wait(lambda f: unit_type(f) == 2)
    again = centre.wait(lambda f: f.serial == first.serial, after=centre.frames.index(first) + 1,
                        timeout_s=WAIT_S)  # ≤ 10 s (CONFIRM_WAIT_S) later
    assert again == first  # the same frame: serial, time label and data
    confirming = True
    centre.send(centre.answer(again, CONFIRM))
    state = app_site.until(lambda s: s["queued"]["alarms"] == 0)
    assert state["counters"]["resent"] >= 1 and state["connected"]
    sent = centre.count(lambda f: f.serial == first.serial and unit_type(f) == 2)
    # Once confirmed, the frame is out of the queue: a later heartbeat comes, the frame does not come again.
    app_site.until(lambda s: s["queued"]["alarms"] == 0 and s["counters"]["resent"] == state["counters"]["resent"])
    assert centre.count(lambda f: f.serial == first.serial and unit_type(f) == 2) == sent


def test_alarms_go_ahead_of_analogue_values(settings: Settings, clock: Clock) -> None:
    centre = Centre()  # not listening yet: andian queues what it would send
    client, world = open_app(uplink_settings(settings, centre), clock)
    try:
        site = Site(client, clock, world)
        site.leak(450.0, 20)
        site.until(lambda s: s["queued"]["alarms"] >= 1 and s["queued"]["analogue"] >= 1 and not s["connected"])
        with centre:
            centre.wait(lambda f: unit_type(f) == 3)
            kinds = [unit_type(f) for f in centre.frames]
            first_analogue = kinds.index(3)
            assert 2 in kinds[:first_analogue] and 2 not in kinds[first_analogue:], kinds
            site.until(lambda s: s["queued"]["alarms"] == 0)
    finally:
        client.__exit__(None, None, None)


def test_the_uplink_state_without_an_uplink(client: TestClient[Any], world: World) -> None:
    r = client.get("/api/v1/gb26875/uplink", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["configured"] is False and body["connected"] is False
    assert body["centre"] is None and body["address"] is None and body["clock"] is None
    assert body["queued"] == {"alarms": 0, "analogue": 0} and body["duty_checks"] == []
    for who in ("owner_1", "installer_a", "regulator_fire"):
        assert client.get("/api/v1/gb26875/uplink", headers=world.headers(who)).status_code == 403
    r = client.post("/api/v1/gb26875/uplink/duty-checks/1/answer", headers=world.headers("operator_a"))
    assert r.status_code == 404, r.text

