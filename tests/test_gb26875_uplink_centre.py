"""The GB/T 26875.3 uplink answers its centre over real TCP: clock sync, initialisation, reads, 查岗 answered by an
operator through the API, denials both ways, the heartbeat; a frame with a bad checksum gets no answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gb26875 import (
    CONFIRM,
    CONTROL,
    DENY,
    REQUEST,
    RESPONSE,
    DeviceSoftware,
    DeviceState,
    DeviceTime,
    DutyCheck,
    ReadSystem,
    Reserved,
    SyncClock,
    TimeLabel,
    Unit,
    encode,
)
from server.settings import Settings

from .conftest import T0, Clock
from .gb26875_centre import Centre, centre_frame, unit_type
from .uplink_rig import Site, open_app, uplink_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def centre() -> Iterator[Centre]:
    with Centre() as running:
        yield running


@pytest.fixture
def app_site(settings: Settings, clock: Clock, centre: Centre) -> Iterator[Site]:
    client, world = open_app(uplink_settings(settings, centre, gb26875_heartbeat_s=0.2), clock)
    try:
        yield Site(client, clock, world)
    finally:
        client.__exit__(None, None, None)


def ask(centre: Centre, serial: int, command: int, unit: Unit) -> Unit | None:
    """Send the centre's frame and wait for andian's answer (its serial); answers (command, unit)."""
    after = centre.mark()
    centre.send(centre_frame(serial, command, unit))
    answer = centre.wait(lambda f: f.serial == serial and f.command in (CONFIRM, RESPONSE, DENY), after=after)
    assert answer.source == bytes.fromhex("1527082020fe") and answer.destination == bytes(6)
    return answer.unit if answer.command == RESPONSE else Unit(answer.command, ())


def test_the_centre_is_answered(app_site: Site, centre: Centre) -> None:
    centre.wait(lambda f: unit_type(f) == 21)
    # 90: confirmed; the centre's time (an hour ahead of the app's clock, in Asia/Shanghai) and the offset recorded.
    assert ask(centre, 1000, CONTROL, Unit(90, (SyncClock(_label(T0 + 3600)),))) == Unit(CONFIRM, ())
    clock = app_site.until(lambda s: s["clock"] is not None)["clock"]
    assert clock == {"centre_time": T0 + 3600, "offset_s": 3600.0, "at": T0}
    # 89 (as a request, as field centres send it): confirmed, nothing wiped.
    assert ask(centre, 1001, REQUEST, Unit(89, (Reserved(0),))) == Unit(CONFIRM, ())
    # Reads: running state (normal, no alarm), software version 0.1, clock.
    assert ask(centre, 1002, REQUEST, Unit(81, (Reserved(0),))) == Unit(21, (DeviceState(1, _label(T0)),))
    assert ask(centre, 1003, REQUEST, Unit(85, (Reserved(0),))) == Unit(25, (DeviceSoftware(0, 1),))
    assert ask(centre, 1004, REQUEST, Unit(88, (Reserved(0),))) == Unit(28, (DeviceTime(_label(T0)),))
    # Anything else: denied.
    assert ask(centre, 1005, REQUEST, Unit(61, (ReadSystem(1, 1),))) == Unit(DENY, ())
    # A bad checksum: no answer; the next good frame is answered.
    raw = encode(centre_frame(1006, REQUEST, Unit(81, (Reserved(0),))))
    centre.send(raw[:-3] + bytes([(raw[-3] + 1) & 0xFF]) + raw[-2:])
    assert ask(centre, 1007, REQUEST, Unit(88, (Reserved(0),))) is not None
    assert centre.count(lambda f: f.serial == 1006 and f.command != 2) == 0


def _label(ts: float) -> TimeLabel:
    """A time label in the app's zone (ANDIAN_TZ's default)."""
    return TimeLabel.of(datetime.fromtimestamp(ts, SHANGHAI))


def test_a_duty_check_is_answered_by_an_operator_within_its_minutes(app_site: Site, centre: Centre) -> None:
    centre.wait(lambda f: unit_type(f) == 21)
    after = centre.mark()
    # Confirmed at once (the centre stops sending it again); the answer waits for an operator.
    assert ask(centre, 2000, REQUEST, Unit(91, (DutyCheck(5),))) == Unit(CONFIRM, ())
    check = app_site.until(lambda s: len(s["duty_checks"]) == 1)["duty_checks"][0]
    assert check["state"] == "pending" and check["timeout_min"] == 5 and check["deadline"] == T0 + 300
    # The centre sends it again with the same serial (it missed the confirmation): confirmed again, one check.
    assert ask(centre, 2000, REQUEST, Unit(91, (DutyCheck(5),))) == Unit(CONFIRM, ())
    assert [c["id"] for c in app_site.uplink()["duty_checks"]] == [check["id"]]
    assert centre.count(lambda f: f.serial == 2000 and f.command == RESPONSE) == 0  # nobody has answered yet
    url = f"/api/v1/gb26875/uplink/duty-checks/{check['id']}/answer"
    assert app_site.client.post(url, headers=app_site.world.headers("owner_1")).status_code == 403
    r = app_site.client.post(url, headers=app_site.world.headers("operator_a"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "answered" and r.json()["answered_by"] == app_site.world.user_ids["operator_a"]
    answer = centre.wait(lambda f: f.serial == 2000 and f.command == RESPONSE, after=after)
    assert answer.unit == Unit(91, (DutyCheck(5),))
    assert app_site.client.post(url, headers=app_site.world.headers("admin")).status_code == 409
    # A check whose minutes are over: 409, and it shows as expired.
    centre.send(centre_frame(2001, REQUEST, Unit(91, (DutyCheck(1),))))
    late = app_site.until(lambda s: len(s["duty_checks"]) == 2)["duty_checks"][0]
    app_site.clock.advance(61)
    r = app_site.client.post(f"/api/v1/gb26875/uplink/duty-checks/{late['id']}/answer",
                             headers=app_site.world.headers("operator_a"))
    assert r.status_code == 409, r.text
    assert app_site.uplink()["duty_checks"][0]["state"] == "expired"
    # No connection to the centre: 503, and the check stays open.
    centre.send(centre_frame(2002, REQUEST, Unit(91, (DutyCheck(10),))))
    open_check = app_site.until(lambda s: len(s["duty_checks"]) == 3)["duty_checks"][0]
    centre.stop()
    app_site.until(lambda s: not s["connected"])
    r = app_site.client.post(f"/api/v1/gb26875/uplink/duty-checks/{open_check['id']}/answer",
                             headers=app_site.world.headers("operator_a"))
    assert r.status_code == 503, r.text
    assert app_site.uplink()["duty_checks"][0]["state"] == "pending"


def test_the_heartbeat_reports_alarms_and_a_denied_frame_is_dropped(app_site: Site, centre: Centre) -> None:
    beat = centre.wait(lambda f: unit_type(f) == 21)
    assert beat.unit == Unit(21, (DeviceState(1, beat.unit.objects[0].ts),))  # type: ignore[union-attr]
    centre.policy = lambda f: DENY if unit_type(f) == 2 else CONFIRM
    app_site.leak(450.0, 20)
    denied = centre.wait(lambda f: unit_type(f) == 2)
    state = app_site.until(lambda s: s["counters"]["denied"] >= 1 and s["queued"]["alarms"] == 0)
    assert state["connected"]  # a denial drops the frame, not the connection
    # Heartbeats go on, now with the fire-alarm bit (a site has an active alarm).
    centre.wait(lambda f: unit_type(f) == 21 and f.unit.objects[0].status == 0b11)  # type: ignore[union-attr]
    assert centre.count(lambda f: f.serial == denied.serial and unit_type(f) == 2) == 1
