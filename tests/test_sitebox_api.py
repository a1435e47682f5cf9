"""Commissioning and remote control through the HTTP API against simulated devices on the site box."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from ble.simulator import DeviceSpec
from server.web.app import create_app

from . import backends
from .acceptance_helpers import answers
from .conftest import World, add_admin, bearer, build_world, login
from .receivers import wait_for

NEW_BREAKER = DeviceSpec("C0:AD:00:00:01:03", "AD-BRK-0103", "AD-SB63", rated_a=20.0, rssi=-52)
NEW_ARC = DeviceSpec("C0:AD:00:00:03:01", "AD-ARC-0301", "AD-AF1", rssi=-74)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient[Any], World]]:
    """A site box on a simulated radio, on the wall clock (the devices' physics and the poller run in real time)."""
    settings = backends.settings(tmp_path_factory.mktemp("box") / "andian.db", static_dir=Path("/nonexistent"),
                        notify_allow_private=True)  # the test receiver is on 127.0.0.1
    add_admin(settings)
    with TestClient(create_app(settings, simulated=[NEW_BREAKER, NEW_ARC])) as client:
        yield client, build_world(client, bearer(login(client, "root")))


def step(client: TestClient[Any], who: dict[str, str], cid: int, name: str, body: Any = None) -> dict[str, Any]:
    r = client.post(f"/api/v1/commissioning/{cid}/steps/{name}", json=body or {}, headers=who)
    assert r.status_code == 200, r.text
    state = r.json()
    done = next(s for s in state["steps"] if s["step"] == name)
    assert done["status"] == "done", done
    return state


def test_commissioning_walks_every_step_and_the_device_then_reports(box: tuple[TestClient[Any], World]) -> None:
    client, world = box
    installer = world.headers("installer_a")
    site = world.sites["site_market"]
    r = client.get(f"/api/v1/sites/{site}/ble/scan?seconds=1", headers=installer)
    assert r.status_code == 200, r.text
    heard = {d["address"]: d for d in r.json()}
    assert heard[NEW_BREAKER.address]["model"] == "AD-SB63" and heard[NEW_BREAKER.address]["known"] is None
    assert [d["rssi"] for d in r.json()] == sorted((d["rssi"] for d in r.json()), reverse=True)

    r = client.post("/api/v1/commissioning", json={"site_id": site, "address": NEW_BREAKER.address}, headers=installer)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert client.post(f"/api/v1/commissioning/{cid}/steps/self_test", json={}, headers=installer).status_code == 409

    paired = step(client, installer, cid, "pair")
    assert paired["serial"] == "AD-BRK-0103" and paired["steps"][0]["result"]["firmware"] == "1.4.2"
    step(client, installer, cid, "identify", {"name": "冷柜断路器", "circuit": "冷柜回路", "rated_current_a": 20})
    live = step(client, installer, cid, "live_read")["steps"][2]["result"]
    assert live["units"]["residual_ma"] == "mA" and 90 < live["values"]["residual_ma"] < 200
    owner = world.headers("owner_1")
    r = client.post("/api/v1/me/subscriptions", json={"url": "json://127.0.0.1:9/owner"}, headers=owner)
    assert r.status_code == 201, r.text
    test = step(client, installer, cid, "self_test")["steps"][3]["result"]
    assert test["kind"] == "leakage" and test["peak"] >= 300 and test["cleared_at"] >= test["raised_at"]
    alarms = client.get(f"/api/v1/alarms?site_id={site}", headers=installer).json()
    assert any(a["id"] == test["alarm_id"] and a["cause"] == "leakage" and a["cleared_at"] and a["test"]
               for a in alarms)  # shown as 自检
    # The installer's self-test is watched on this screen; the shop owner's phone is not woken for it.
    db = client.app.state["andian"].db
    wait_for(lambda: client.blocking_portal.call(db.read, lambda c: c.execute(
        "SELECT COUNT(*) FROM notify_outbox").fetchone()[0]) == 0, what="the sender to plan the self-test alarm")
    assert client.get(f"/api/v1/alarms/{test['alarm_id']}/deliveries", headers=owner).json() == []

    r = client.post(f"/api/v1/commissioning/{cid}/steps/thresholds",
                    json={"channels": {"residual_ma": {"alarm": 2000}}}, headers=installer)
    assert r.status_code == 400 and "channels.residual_ma.alarm" in r.json()["detail"]
    extra = r.json()["extra"]
    assert (extra["field"], extra["code"], extra["channel"], extra["value"], extra["min"], extra["max"]) == (
        "channels.residual_ma.alarm", "out_of_range", "residual_ma", 2000, 20, 1000)
    step(client, installer, cid, "thresholds", {"channels": {"residual_ma": {"alarm": 500}}})

    checklist = client.get(f"/api/v1/commissioning/{cid}", headers=installer).json()["checklist"]
    assert "transformer_wiring" in [i["key"] for i in checklist]
    failing = client.post(f"/api/v1/commissioning/{cid}/steps/accept", headers=installer, json={
        "answers": answers(client, installer, checklist, fail="transformer_wiring"), "signed_by": "刘工"}).json()
    assert failing["state"] == "in_progress" and failing["steps"][5]["code"] == "checklist_failed"
    # The failed item is a hazard of the site now, for the operator company to dispatch and an inspector to check.
    found = client.get(f"/api/v1/hazards?site_id={site}", headers=world.headers("operator_a")).json()
    [hazard] = [h for h in found if h["source"] == "commissioning"]
    assert hazard["title"] == "安装验收未通过：AD-BRK-0103" and "transformer_wiring" in hazard["description"]
    assert hazard["state"] == "open" and hazard["commissioning_id"] == cid
    done = step(client, installer, cid, "accept",
                {"answers": answers(client, installer, checklist), "signed_by": "刘工"})
    assert done["state"] == "commissioned"

    device = client.get(f"/api/v1/devices/{done['device_id']}", headers=installer).json()
    assert device["state"] == "commissioned" and device["circuit"] == "冷柜回路"
    residual = next(c for c in device["channels"] if c["key"] == "residual_ma")
    assert residual["settings"]["alarm"] == 500
    accepted_at = time.time()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the poller reads it from now on
        r = client.get(f"/api/v1/channels/{residual['id']}/readings?from={accepted_at - 0.5}&to={time.time() + 1}",
                       headers=installer)
        if r.json()["ts"]:
            break
        time.sleep(0.3)
    else:
        pytest.fail("no readings arrived from the commissioned device")


def test_steps_are_refused_to_roles_that_do_not_install(box: tuple[TestClient[Any], World]) -> None:
    client, world = box
    site = world.sites["site_market"]
    for who in ("owner_1", "inspector_heshan"):
        r = client.post("/api/v1/commissioning", json={"site_id": site, "address": NEW_ARC.address},
                        headers=world.headers(who))
        assert r.status_code == 403, (who, r.text)
    r = client.post("/api/v1/commissioning", json={"site_id": world.sites["site_care"], "address": NEW_ARC.address},
                    headers=world.headers("installer_a"))
    assert r.status_code == 404  # another company's site


def test_an_arc_detector_self_test_is_its_flagged_test_pulse(box: tuple[TestClient[Any], World]) -> None:
    client, world = box
    installer = world.headers("installer_a")
    r = client.post("/api/v1/commissioning", json={"site_id": world.sites["site_hotel"], "address": NEW_ARC.address,
                                                   "model": "AD-AF1"}, headers=installer)
    cid = r.json()["id"]
    step(client, installer, cid, "pair")
    for body, field in (({"circuit": "客房照明回路"}, "name"),
                        ({"name": "客房走廊电弧探测器", "circuit": " "}, "circuit")):
        r = client.post(f"/api/v1/commissioning/{cid}/steps/identify", json=body, headers=installer)
        assert r.status_code == 400 and r.json()["extra"] == {"field": field, "code": "required"}, r.text
    step(client, installer, cid, "identify", {"name": "客房走廊电弧探测器", "circuit": "客房照明回路"})
    step(client, installer, cid, "live_read")
    result = step(client, installer, cid, "self_test")["steps"][3]["result"]
    assert result["kind"] == "arc" and result["alarm_id"] is None
    alarms = client.get(f"/api/v1/alarms?site_id={world.sites['site_hotel']}&active=true", headers=installer).json()
    assert not [a for a in alarms if a["cause"] == "arc"]  # a test pulse is never an arc


def commissioned_breaker(client: TestClient[Any], world: World) -> int:
    installer = world.headers("installer_a")
    sites = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=installer).json()
    return next(d["id"] for d in sites["devices"] if d["serial"] == NEW_BREAKER.serial)


def test_an_operator_trips_the_breaker_remotely_and_it_is_audited(box: tuple[TestClient[Any], World]) -> None:
    client, world = box
    device_id = commissioned_breaker(client, world)
    operator = world.headers("operator_a")
    device = client.get(f"/api/v1/devices/{device_id}", headers=operator).json()
    assert device["controls"] == ["trip", "close", "self_test"]

    for who in ("owner_1", "installer_a", "inspector_heshan"):
        r = client.post(f"/api/v1/devices/{device_id}/control", json={"action": "trip", "reason": "想断电看看"},
                        headers=world.headers(who))
        assert r.status_code == 403, (who, r.text)
    r = client.post(f"/api/v1/devices/{device_id}/control", json={"action": "trip", "reason": "no"}, headers=operator)
    assert r.status_code == 400 and "reason" in r.text

    before = time.time()
    reason = "冷柜回路漏电报警，远程分闸"
    r = client.post(f"/api/v1/devices/{device_id}/control", json={"action": "trip", "reason": reason}, headers=operator)
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["outcome"], result["switch"], result["by"]) == ("done", "open", "operator_a")

    current = next(c["id"] for c in device["channels"] if c["key"] == "current_a")
    readings = client.get(f"/api/v1/channels/{current}/readings?from={before}&to={time.time() + 1}",
                          headers=operator).json()
    assert readings["value"] and readings["value"][-1] == 0.0  # the circuit carries no current any more
    breaker = client.get(f"/api/v1/devices/{device_id}", headers=operator).json()
    assert breaker["switch"] == "open" and breaker["switch_at"] >= before
    assert breaker["switch_by"] == client.get("/api/v1/me", headers=operator).json()["display_name"]

    log = client.get(f"/api/v1/devices/{device_id}/control", headers=operator).json()
    assert log[0]["reason"] == reason and log[0]["outcome"] == "done"
    assert log[0]["by"] == "operator_a" and log[0]["at"] >= before

    closed = client.post(f"/api/v1/devices/{device_id}/control",
                         json={"action": "close", "reason": "检查完毕，恢复供电"}, headers=operator).json()
    assert closed["switch"] == "closed"


def test_a_server_without_a_radio_says_where_to_commission(client: TestClient[Any], world: World) -> None:
    r = client.get(f"/api/v1/sites/{world.sites['site_market']}/ble/scan", headers=world.headers("installer_a"))
    assert r.status_code == 503 and "site box" in r.json()["detail"]
