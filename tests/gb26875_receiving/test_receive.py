"""Receiving GB/T 26875.3 over real TCP: a simulated transmission device (tests/gb26875_box.py) reports to the real
app's receiver; what it says becomes devices, alarms (and the owner's message), readings and events."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

import gb26875
from gb26875 import CONFIRM, DENY, DeviceState, Unit, UserDefined

from ..conftest import Clock, World
from ..gb26875_box import Box, analogue, part_state
from ..receivers import WebhookReceiver, wait_for

ADDRESS = "1527082020fe"
PART = f"gb26875:{ADDRESS}:0/1/17/5"


def device(client: TestClient[Any], world: World, serial: str) -> dict[str, Any]:
    site = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("admin")).json()
    return next(d for d in site["devices"] if d["serial"] == serial)


def alarms(client: TestClient[Any], world: World, **query: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/alarms", params={"site_id": world.sites["site_market"], **query},
                   headers=world.headers("owner_1"))
    assert r.status_code == 200, r.text
    return [a for a in r.json() if a["device_serial"].startswith("gb26875:")]


def readings(client: TestClient[Any], world: World, channel_id: int, clock: Clock) -> list[float]:
    r = client.get(f"/api/v1/channels/{channel_id}/readings", params={"from": clock.now - 3600, "to": clock.now + 60},
                   headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    return [float(v) for v in r.json()["value"]]


def test_a_residual_current_detectors_fire_alarm_is_a_leakage_alarm_and_the_owner_is_told(
        client: TestClient[Any], world: World, clock: Clock, box: Box, hooks: WebhookReceiver) -> None:
    r = client.post("/api/v1/me/subscriptions", json={"url": hooks.url("owner"), "lang": "zh-CN"},
                    headers=world.headers("owner_1"))
    assert r.status_code == 201, r.text
    answer = box.report(part_state(17, 5, 0b011, clock.now, desc="一层配电箱剩余电流"), ts=clock.now)
    assert answer.command == CONFIRM
    found = device(client, world, PART)
    assert (found["kind"], found["name"]) == ("residual", "一层配电箱剩余电流")
    active = alarms(client, world, active=True)
    assert [(a["cause"], a["level"], a["device_serial"], a["test"]) for a in active] == [
        ("leakage", "alarm", PART, False)]
    assert active[0]["detail"]["reason"] == "device"
    hook = wait_for(lambda: hooks.accepted("owner"), what="the owner's message")[0]
    assert "漏电流" in hook.title and "site_market" in hook.title and "探测器自身报" in hook.message

    clock.advance(30)
    assert box.report(part_state(17, 5, 0b001, clock.now), ts=clock.now).command == CONFIRM
    assert alarms(client, world, active=True) == []
    assert alarms(client, world)[0]["cleared_at"] == pytest.approx(clock.now, abs=1)


def test_a_fault_bit_is_a_sensor_fault_and_bit_0_clear_is_still_a_real_alarm(
        client: TestClient[Any], world: World, clock: Clock, box: Box) -> None:
    box.report(part_state(18, 7, 0b101, clock.now), ts=clock.now)
    faults = alarms(client, world, active=True)
    assert [(a["cause"], a["level"], a["detail"]) for a in faults] == [
        ("sensor", "fault", {"reason": "device", "status": 0b101})]
    box.report(part_state(18, 7, 0b001, clock.now + 1), ts=clock.now)
    assert alarms(client, world, active=True) == []
    # Bit 0 clear: real boxes send fire alarms so (0x0002 in the public frames), so it is never a test alarm; the
    # status word is kept in the alarm's detail.
    box.report(part_state(18, 8, 0b010, clock.now + 2), ts=clock.now)
    shown = alarms(client, world, active=True)
    assert [(a["cause"], a["test"], a["detail"]["status"]) for a in shown] == [("overtemp", False, 0b010)]


def test_analogue_values_are_readings_and_the_mapping_maps_user_defined_types(
        client: TestClient[Any], world: World, clock: Clock, box: Box, gateway: int) -> None:
    ts = clock.now - 120
    assert box.report(analogue([(18, 9, 3, 452), (18, 9, 8, 2203)], ts), ts=ts).command == CONFIRM
    part = device(client, world, f"gb26875:{ADDRESS}:0/1/18/9")
    channels = {c["key"]: c["id"] for c in part["channels"]}
    assert readings(client, world, channels["temp_c"], clock) == [45.2]
    assert readings(client, world, channels["voltage_v"], clock) == [220.3]

    # Residual current in mA has no standard analogue type: unmapped, the frame is confirmed and kept as an event.
    assert box.report(analogue([(17, 3, 200, 123)], ts + 1), ts=ts).command == CONFIRM
    events = client.get(f"/api/v1/gateways/{gateway}/gb26875/events", headers=world.headers("operator_a")).json()
    assert events[0]["summary"]["unmapped"] is True and events[0]["summary"]["objects"][0]["analogue_type"] == 200
    body = {"mapping": [{"analogue_type": 200, "channel": "residual_ma", "scale": 1}]}
    r = client.put(f"/api/v1/gateways/{gateway}/gb26875/mapping", json=body, headers=world.headers("installer_a"))
    assert r.status_code == 200, r.text
    assert r.json()["mapping"] == body["mapping"]
    assert box.report(analogue([(17, 3, 200, 135)], ts + 2), ts=ts).command == CONFIRM
    residual = {c["key"]: c["id"] for c in device(client, world, f"gb26875:{ADDRESS}:0/1/17/3")["channels"]}
    assert readings(client, world, residual["residual_ma"], clock) == [135.0]


def test_mapping_is_checked_and_audited_and_only_managers_may(client: TestClient[Any], world: World,
                                                              gateway: int) -> None:
    path = f"/api/v1/gateways/{gateway}/gb26875/mapping"
    op = world.headers("operator_a")
    for rows, field in (([{"analogue_type": 9, "channel": "residual_ma"}], "mapping[0].analogue_type"),
                        ([{"analogue_type": 130, "channel": "humidity"}], "mapping[0].channel"),
                        ([{"analogue_type": 130, "channel": "temp_c"}, {"analogue_type": 130, "channel": "temp_c_1"}],
                         "mapping[1].analogue_type")):
        r = client.put(path, json={"mapping": rows}, headers=op)
        assert r.status_code == 400 and r.json()["detail"].startswith(field), r.text
    assert client.put(path, json={"mapping": []}, headers=world.headers("owner_1")).status_code == 403
    assert client.put(path, json={"mapping": []}, headers=world.headers("operator_b")).status_code == 404
    andian_box = world.gateways["site_market"]
    assert client.get(f"/api/v1/gateways/{andian_box}/gb26875", headers=op).status_code == 404


def test_other_units_are_events_and_a_bad_checksum_is_not_answered(
        client: TestClient[Any], world: World, clock: Clock, box: Box, gateway: int) -> None:
    assert box.report(Unit(21, (DeviceState(0b1, box.frame(None).time),))).command == CONFIRM
    assert box.report(UserDefined(200, b"\x01\x02")).command == CONFIRM  # type: ignore[arg-type]
    bad = bytearray(gb26875.encode(box.frame(part_state(17, 5, 0b011, clock.now))))
    bad[-3] ^= 0xFF  # the sum byte
    box.send_raw(bytes(bad))
    assert box.answer(box.serial - 1, timeout=1.0) is None
    assert box.report(part_state(17, 5, 0b001, clock.now)).command == CONFIRM  # the connection goes on
    assert alarms(client, world) == []  # the bad frame's alarm was never taken
    shown = client.get(f"/api/v1/gateways/{gateway}/gb26875", headers=world.headers("operator_a")).json()
    assert shown["connected"] is True and shown["address"] == ADDRESS
    assert shown["counters"] == {"frames": 3, "confirms": 3, "denials": 0, "rejected": 1, "events": 2,
                                 "takeovers": 0}
    assert shown["last_frame"]["type"] == 2
    events = client.get(f"/api/v1/gateways/{gateway}/gb26875/events", headers=world.headers("operator_a")).json()
    assert [e["type"] for e in events] == [200, 21]
    kept = gb26875.decode(bytes.fromhex(events[1]["raw"]))
    assert kept.unit is not None and kept.unit == Unit(21, (DeviceState(0b1, kept.time),))
    assert events[1]["summary"]["objects"][0]["status"] == 1


def test_an_unregistered_address_is_denied_and_nothing_is_stored(client: TestClient[Any], world: World,
                                                                 clock: Clock, port: int) -> None:
    stranger = Box(port, "0a0b0c0d0e0f")
    try:
        assert stranger.report(part_state(17, 5, 0b011, clock.now)).command == DENY
        assert stranger.report(analogue([(18, 1, 3, 300)], clock.now)).command == DENY
    finally:
        stranger.close()
    site = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("admin")).json()
    assert not [d for d in site["devices"] if d["serial"].startswith("gb26875:")]
    assert alarms(client, world) == []


def test_the_http_ingest_takes_device_reported_states_too(client: TestClient[Any], world: World,
                                                          clock: Clock) -> None:
    key = {"Authorization": f"Bearer {world.gateway_keys['site_market']}"}
    state = {"device": "SN-site_market", "ts": clock.now, "cause": "leakage", "level": "alarm", "active": True,
             "channel": "residual_ma"}
    bad = {**state, "cause": "sensor"}  # a device's alarm of cause sensor: faults are sensor, alarms are not
    r = client.post("/api/v1/ingest", json={"batch_id": "s1", "states": [state, bad]}, headers=key)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and [x["kind"] for x in r.json()["rejected"]] == ["state"]
    shown = client.get("/api/v1/alarms", params={"site_id": world.sites["site_market"], "active": True},
                       headers=world.headers("owner_1")).json()
    assert [(a["cause"], a["channel_id"], a["detail"]) for a in shown] == [
        ("leakage", None, {"reason": "device", "channel": "residual_ma"})]
    r = client.post("/api/v1/ingest", json={"batch_id": "s2", "states": [{**state, "active": False}]}, headers=key)
    assert r.json()["accepted"] == 1
    assert client.get("/api/v1/alarms", params={"site_id": world.sites["site_market"], "active": True},
                      headers=world.headers("owner_1")).json() == []
