"""The GB/T 26875.3 uplink over real TCP: the real app (Litestar's test client) reports to a simulated monitoring
centre (tests/gb26875_centre.py) what its sites' alarms and readings say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from gb26875 import CONFIRM, PartAnalogue
from server.settings import Settings

from .conftest import Clock, World
from .gb26875_centre import ADDRESS, Centre, unit_type
from .uplink_rig import Site, leakage_state, open_app, part_state, uplink_settings


@pytest.fixture
def centre() -> Iterator[Centre]:
    with Centre() as running:
        yield running


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
                        timeout_s=30.0)  # ≤ 10 s (CONFIRM_WAIT_S) later
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

