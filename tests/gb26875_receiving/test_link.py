"""The receiver's connections over real TCP: idle close, takeover by a reconnecting box, the rate limit, and the
commands the centre sends (查岗, time sync, initialise) with the box's answers moving their state."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from gb26875 import CONFIRM, CONFIRM_WAIT_S, CONTROL, DENY, REQUEST, RESPONSE, DutyCheck, Reserved, SyncClock, Unit

from ..conftest import Clock, World
from ..gb26875_box import Box, analogue, part_state
from ..receivers import wait_for

ADDRESS = "0102030405a6"


def status(client: TestClient[Any], world: World, gateway: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/gateways/{gateway}/gb26875", headers=world.headers("operator_a"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def command(client: TestClient[Any], world: World, gateway: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/gateways/{gateway}/gb26875/commands", json=body, headers=world.headers("operator_a"))


def state_of(client: TestClient[Any], world: World, gateway: int, command_id: int, state: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        r = client.get(f"/api/v1/gateways/{gateway}/gb26875/commands/{command_id}",
                       headers=world.headers("operator_a"))
        body: dict[str, Any] = r.json()
        return body if body["state"] == state else None

    found: dict[str, Any] = wait_for(check, what=f"command {command_id} {state}")
    return found


@pytest.mark.parametrize("overrides", [{"gb26875_idle_s": 1.0}])
def test_a_connection_with_no_frame_is_closed(box: Box) -> None:
    assert box.closed_by_centre()


def test_a_box_that_connects_again_takes_over(client: TestClient[Any], world: World, clock: Clock, box: Box,
                                              gateway: int, port: int) -> None:
    assert box.report(part_state(17, 1, 0b001, clock.now)).command == CONFIRM
    again = Box(port, ADDRESS)
    try:
        assert again.report(part_state(17, 1, 0b001, clock.now)).command == CONFIRM
        assert box.closed_by_centre()
        shown = status(client, world, gateway)
        assert shown["connected"] and shown["peer"] == f"127.0.0.1:{again.sock.getsockname()[1]}"
        assert shown["counters"]["takeovers"] == 1
        assert again.report(analogue([(18, 2, 3, 250)], clock.now)).command == CONFIRM
    finally:
        again.close()
    assert wait_for(lambda: not status(client, world, gateway)["connected"], what="the box gone")


@pytest.mark.parametrize("overrides", [{"gb26875_frames_per_s": 2.0}])
def test_the_rate_limit_holds_a_flood_back_and_loses_no_frame(client: TestClient[Any], world: World, clock: Clock,
                                                               box: Box, gateway: int,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "andian.gb26875")
    serials = [box.send(box.frame(analogue([(18, 3, 3, 200 + i)], clock.now - 60 + i))) for i in range(12)]
    answers = [box.answer(serial, timeout=30) for serial in serials]
    assert [a.command if a else None for a in answers] == [CONFIRM] * 12
    assert any("sends more than 2 frames/s" in r.getMessage() for r in caplog.records)
    assert status(client, world, gateway)["counters"]["confirms"] == 12


def test_commands_reach_the_box_and_its_answers_move_their_state(client: TestClient[Any], world: World,
                                                                 clock: Clock, box: Box, gateway: int) -> None:
    box.report(part_state(17, 1, 0b001, clock.now))  # the box is known on this connection once it spoke

    check = command(client, world, gateway, {"kind": "duty_check", "timeout_min": 5})
    assert check.status_code == 201, check.text
    assert check.json()["state"] == "sent"
    asked = box.command()
    assert asked is not None and asked.command == REQUEST and asked.unit == Unit(91, (DutyCheck(5),))
    assert asked.serial == check.json()["serial"]
    box.reply(asked, RESPONSE)
    assert state_of(client, world, gateway, check.json()["id"], "answered")["answered_at"] is not None

    sync = command(client, world, gateway, {"kind": "sync_clock"}).json()
    clocked = box.command()
    assert clocked is not None and clocked.command == CONTROL and isinstance(clocked.unit, Unit)
    assert clocked.unit.type == 90
    (sent,) = clocked.unit.objects
    assert isinstance(sent, SyncClock)
    assert sent.ts.as_datetime() == datetime.fromtimestamp(clock.now, ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    box.reply(clocked, CONFIRM)
    state_of(client, world, gateway, sync["id"], "confirmed")

    refused = command(client, world, gateway, {"kind": "initialise"})
    assert refused.status_code == 400 and refused.json()["detail"].startswith("confirm")
    reset = command(client, world, gateway, {"kind": "initialise", "confirm": True}).json()
    got = box.command()
    assert got is not None and got.unit == Unit(89, (Reserved(0),))
    box.reply(got, DENY)
    state_of(client, world, gateway, reset["id"], "denied")
    listed = status(client, world, gateway)["commands"]
    assert [c["kind"] for c in listed] == ["initialise", "sync_clock", "duty_check"]
    assert client.post(f"/api/v1/gateways/{gateway}/gb26875/commands", json={"kind": "sync_clock"},
                       headers=world.headers("installer_a")).status_code == 403


def test_an_unconfirmed_command_is_sent_again_with_its_serial(client: TestClient[Any], world: World, clock: Clock,
                                                              box: Box, gateway: int) -> None:
    box.report(part_state(17, 1, 0b001, clock.now))
    sync = command(client, world, gateway, {"kind": "sync_clock"}).json()
    first = box.command()
    again = box.command(timeout=CONFIRM_WAIT_S + 10)  # not confirmed: the same frame again after 10 s
    assert first is not None and again is not None and again.serial == first.serial == sync["serial"]
    box.reply(again, CONFIRM)
    assert state_of(client, world, gateway, sync["id"], "confirmed")["attempts"] == 2


def test_no_command_while_the_box_is_not_connected(client: TestClient[Any], world: World, gateway: int) -> None:
    r = command(client, world, gateway, {"kind": "duty_check"})
    assert r.status_code == 409 and "传输装置未连接" in r.json()["detail"]
    assert status(client, world, gateway)["connected"] is False
