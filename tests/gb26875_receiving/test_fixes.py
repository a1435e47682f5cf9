"""Receiving GB/T 26875.3 after review (issue 20): real boxes' fire alarms are real, a box's address registered again
on another site moves its parts there, a 监控报警器's alarm always ends, commands keep their serials across
reconnects and a 查岗 is answered late, the address cache is bounded, a stop loses no counter, bad settings stop the
start, only SEND frames become states, and a box clock that was never set does not date alarms in 2000."""

from __future__ import annotations

import json
import logging
import socket
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

import gb26875
from gb26875 import (
    CONFIRM,
    CONFIRM_WAIT_S,
    DENY,
    REQUEST,
    RESENDS,
    RESPONSE,
    SEND,
    Frame,
    PartState,
    Splitter,
    TimeLabel,
    Unit,
)
from server import clock as watchdog
from server.context import Context
from server.gb26875.listen import MAX_CACHED, prepare
from server.settings import Settings
from server.web.app import create_app

from .. import backends
from ..conftest import Clock, World, add_admin, bearer, build_world, login
from ..gb26875_box import CENTRE, Box, analogue, label, part_state
from ..receivers import WebhookReceiver, wait_for

ADDRESS = "1527082020fe"  # the source of the public vectors' frames
VECTORS: dict[str, Any] = json.loads(resources.files("gb26875").joinpath("vectors/public.json").read_text("utf-8"))


def register(client: TestClient[Any], world: World, site: str) -> int:
    r = client.post(f"/api/v1/sites/{world.sites[site]}/gateways", headers=world.headers("admin"),
                    json={"protocol": "gb26875", "address": ADDRESS})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def alarms(client: TestClient[Any], world: World, site: str = "site_market", **query: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/alarms", params={"site_id": world.sites[site], **query}, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    return [a for a in r.json() if a["device_serial"].startswith("gb26875:")]


def test_the_public_vectors_fire_alarm_is_a_real_leakage_alarm_and_the_owner_is_told(
        client: TestClient[Any], world: World, clock: Clock, box: Box, hooks: WebhookReceiver) -> None:
    r = client.post("/api/v1/me/subscriptions", json={"url": hooks.url("owner"), "lang": "zh-CN"},
                    headers=world.headers("owner_1"))
    assert r.status_code == 201, r.text
    (vector,) = [f for f in VECTORS["frames"] if f["source"] == ADDRESS and f["adu_type"] == 2]
    assert vector["parts"][0]["part_type"] == 17 and vector["parts"][0]["status"] == 0x0002  # bit 0 clear
    box.send_raw(bytes.fromhex(vector["hex"]))
    answer = box.answer(vector["serial"])
    assert answer is not None and answer.command == CONFIRM
    (alarm,) = alarms(client, world, active=True)
    assert (alarm["cause"], alarm["level"], alarm["test"]) == ("leakage", "alarm", False)
    assert alarm["device_serial"] == f"gb26875:{ADDRESS}:129/3/17/537405205"
    assert alarm["detail"]["status"] == 2
    hook = wait_for(lambda: hooks.accepted("owner"), what="the owner's message")[0]
    assert "漏电流" in hook.title


def test_an_address_registered_again_on_another_site_moves_its_parts_there(
        client: TestClient[Any], world: World, clock: Clock, port: int) -> None:
    first = register(client, world, "site_market")
    box = Box(port, ADDRESS)
    try:
        assert box.report(part_state(17, 5, 0b001, clock.now)).command == CONFIRM
        assert client.delete(f"/api/v1/gateways/{first}", headers=world.headers("admin")).status_code == 204
        assert box.closed_by_centre()  # the revoked gateway's connection is closed at once
    finally:
        box.close()
    register(client, world, "site_care")
    box = Box(port, ADDRESS)  # at once: the receiver forgot the revoked address, no cache to wait out
    try:
        assert box.report(part_state(17, 5, 0b011, clock.now + 5)).command == CONFIRM
    finally:
        box.close()
    assert [(a["cause"], a["test"]) for a in alarms(client, world, "site_care", active=True)] == [("leakage", False)]
    assert alarms(client, world, "site_market") == []
    site = client.get(f"/api/v1/sites/{world.sites['site_care']}", headers=world.headers("admin")).json()
    (part,) = [d for d in site["devices"] if d["serial"].startswith("gb26875:")]
    assert part["serial"] == f"gb26875:{ADDRESS}:0/1/17/5"


def test_values_the_ingest_refuses_are_logged_as_a_warning(client: TestClient[Any], world: World, clock: Clock,
                                                          box: Box, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "andian.gb26875")
    # The same channel twice at the same time in one unit: the ingest keeps one value and refuses the other.
    assert box.report(analogue([(18, 9, 3, 452), (18, 9, 3, 453)], clock.now - 10)).command == CONFIRM
    (record,) = [r for r in caplog.records if "not stored" in r.getMessage()]
    assert record.levelno == logging.WARNING


def test_a_combined_detectors_alarm_ends_though_its_channels_changed_meanwhile(
        client: TestClient[Any], world: World, clock: Clock, box: Box) -> None:
    assert box.report(part_state(16, 2, 0b011, clock.now)).command == CONFIRM  # no channel yet: leakage
    assert [a["cause"] for a in alarms(client, world, active=True)] == ["leakage"]
    assert box.report(analogue([(16, 2, 3, 700)], clock.now + 1)).command == CONFIRM  # temperature only now
    assert box.report(part_state(16, 2, 0b001, clock.now + 2)).command == CONFIRM
    assert alarms(client, world, active=True) == []


def command(client: TestClient[Any], world: World, gateway: int, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/v1/gateways/{gateway}/gb26875/commands", json=body, headers=world.headers("operator_a"))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def state_of(client: TestClient[Any], world: World, gateway: int, command_id: int) -> str:
    r = client.get(f"/api/v1/gateways/{gateway}/gb26875/commands/{command_id}", headers=world.headers("operator_a"))
    state: str = r.json()["state"]
    return state


def test_a_command_after_a_reconnect_does_not_take_a_pending_ones_serial(
        client: TestClient[Any], world: World, clock: Clock, box: Box, gateway: int, port: int) -> None:
    box.report(part_state(17, 1, 0b001, clock.now))
    first = command(client, world, gateway, {"kind": "sync_clock"})
    assert box.command() is not None  # not confirmed: it is still pending
    again = Box(port, ADDRESS)
    try:
        again.report(part_state(17, 1, 0b001, clock.now))
        second = command(client, world, gateway, {"kind": "sync_clock"})
        assert second["serial"] != first["serial"]
        got = again.command()
        assert got is not None and got.serial == second["serial"]
        again.reply(got, CONFIRM)
        wait_for(lambda: state_of(client, world, gateway, second["id"]) == "confirmed", what="confirmed")
        assert state_of(client, world, gateway, first["id"]) == "sent"
    finally:
        again.close()


def test_a_duty_check_never_confirmed_is_answered_after_its_resends(client: TestClient[Any], world: World,
                                                                    clock: Clock, box: Box, gateway: int) -> None:
    box.report(part_state(17, 1, 0b001, clock.now))
    check = command(client, world, gateway, {"kind": "duty_check", "timeout_min": 1})
    sent = [box.command(timeout=CONFIRM_WAIT_S + 10) for _ in range(RESENDS + 1)]  # never confirmed by this box
    assert all(f is not None and f.serial == check["serial"] and f.command == REQUEST for f in sent)
    time.sleep(CONFIRM_WAIT_S + 1)  # once, after the last resend, this was no_answer
    assert state_of(client, world, gateway, check["id"]) == "sent"
    assert sent[-1] is not None
    box.reply(sent[-1], RESPONSE)  # the person on duty answers within timeout_min
    wait_for(lambda: state_of(client, world, gateway, check["id"]) == "answered", what="answered")


@pytest.mark.parametrize("overrides", [{"gb26875_frames_per_s": 1e6}])
def test_frames_from_ever_new_addresses_do_not_grow_the_address_cache(client: TestClient[Any], port: int) -> None:
    n = MAX_CACHED + 500
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"".join(gb26875.encode(Frame(
            serial=i & 0xFFFF, version=(1, 0), time=label(time.time()), source=(0xA00000000000 + i).to_bytes(6),
            destination=CENTRE, command=SEND, unit=part_state(17, 1, 0b011, time.time()))) for i in range(n)))
        splitter, answers = Splitter(), []
        while len(answers) < n:
            data = sock.recv(65536)
            assert data, "the receiver closed the connection"
            answers += splitter.feed(data)
    assert {a.command for a in answers if isinstance(a, Frame)} == {DENY}
    ctx: Context = client.app.state["andian"]
    assert 0 < ctx.gb26875.cached <= MAX_CACHED


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_stop_while_a_box_is_connected_keeps_its_counters_and_logs_no_traceback(
        settings: Settings, clock: Clock, port: int) -> None:
    add_admin(settings)
    errors = _Errors()  # on the root logger once the app started (its logging set-up replaces the root's handlers)
    with TestClient(create_app(settings, clock=clock)) as client:
        logging.getLogger().addHandler(errors)
        world = build_world(client, bearer(login(client, "root")))
        gateway = register(client, world, "site_market")
        box = Box(port, ADDRESS)
        for i in range(3):
            assert box.report(part_state(17, 1, 0b001, clock.now + i)).command == CONFIRM
    try:  # the server stopped with the box connected: its connection's task was cancelled
        assert box.closed_by_centre()
    finally:
        box.close()
    with TestClient(create_app(settings, clock=clock)) as client:
        r = client.get(f"/api/v1/gateways/{gateway}/gb26875", headers=bearer(login(client, "root")))
        assert r.json()["counters"]["frames"] == 3
    logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []


@pytest.mark.parametrize("name", ["gb26875_frames_per_s", "gb26875_idle_s"])
def test_a_rate_or_idle_time_not_above_zero_stops_the_start(tmp_path: Path, port: int, name: str) -> None:
    for value in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match=f"ANDIAN_{name.upper()}="):
            prepare(Settings(gb26875_listen=f"127.0.0.1:{port}", **{name: value}))  # type: ignore[arg-type]
    settings = backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static",
                        gb26875_listen=f"127.0.0.1:{port}", **{name: 0.0})  # type: ignore[arg-type]
    with pytest.raises(BaseException) as stopped, TestClient(create_app(settings)):
        pass
    assert stopped.group_contains(ValueError, match=f"ANDIAN_{name.upper()}=") if isinstance(
        stopped.value, BaseExceptionGroup) else f"ANDIAN_{name.upper()}=" in str(stopped.value)


def test_a_request_from_a_box_is_kept_as_an_event_and_denied_not_taken_as_an_alarm(
        client: TestClient[Any], world: World, clock: Clock, box: Box, gateway: int) -> None:
    serial = box.send(box.frame(part_state(17, 5, 0b011, clock.now), command=REQUEST))
    answer = box.answer(serial)
    assert answer is not None and answer.command == DENY
    assert alarms(client, world) == []
    events = client.get(f"/api/v1/gateways/{gateway}/gb26875/events", headers=world.headers("admin")).json()
    assert [(e["command"], e["type"]) for e in events] == [(REQUEST, 2)]


def test_a_clock_never_set_or_a_month_behind_is_replaced_by_the_receive_time(
        client: TestClient[Any], world: World, clock: Clock, box: Box) -> None:
    never_set = TimeLabel(5, 0, 0, 1, 1, 0)  # 2000-01-01 00:00:05, a box's clock after a power cut
    assert box.report(Unit(2, (PartState(0, 1, 17, 5, 0b011, "", never_set),))).command == CONFIRM
    (alarm,) = alarms(client, world, active=True)
    assert alarm["started_at"] == pytest.approx(clock.now, abs=1)
    assert alarm["detail"]["device_time"] == "2000-01-01T00:00:05"
    assert box.report(analogue([(18, 9, 3, 452)], clock.now - 40 * 86_400)).command == CONFIRM
    site = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("admin")).json()
    part = next(d for d in site["devices"] if d["serial"] == f"gb26875:{ADDRESS}:0/1/18/9")
    r = client.get(f"/api/v1/channels/{part['channels'][0]['id']}/readings",
                   params={"from": clock.now - 60, "to": clock.now + 60}, headers=world.headers("admin"))
    assert [float(v) for v in r.json()["value"]] == [45.2]


def _offline(client: TestClient[Any], world: World, site: str) -> list[str]:
    r = client.get("/api/v1/alarms", params={"site_id": world.sites[site], "active": True},
                   headers=world.headers("admin"))
    return [a["device_serial"] for a in r.json() if a["cause"] == "offline"]


def test_a_box_moved_to_another_site_leaves_no_offline_alarm_behind(client: TestClient[Any], world: World,
                                                                    clock: Clock, port: int) -> None:
    ctx = client.app.state["andian"]

    def watchdog_after(seconds: float) -> None:
        clock.advance(seconds)
        client.blocking_portal.call(ctx.db.write, lambda conn: watchdog.tick(ctx.pipeline, conn, ctx.clock()))

    first = register(client, world, "site_market")
    box = Box(port, ADDRESS)
    try:
        assert box.report(part_state(17, 5, 0b001, clock.now)).command == CONFIRM
        watchdog_after(3 * 300 + 60)  # the box went quiet: its site has the box's offline alarm
        assert _offline(client, world, "site_market") == [f"gateway:{first}"]
        assert client.delete(f"/api/v1/gateways/{first}", headers=world.headers("admin")).status_code == 204
        assert box.closed_by_centre()
    finally:
        box.close()
    # Revoked: the offline alarm ends, and the old site's watchdog never calls the box offline again.
    assert _offline(client, world, "site_market") == []
    register(client, world, "site_care")
    box = Box(port, ADDRESS)
    try:
        assert box.report(part_state(17, 5, 0b001, clock.now)).command == CONFIRM
    finally:
        box.close()
    watchdog_after(3 * 300 + 60)
    assert _offline(client, world, "site_market") == []
