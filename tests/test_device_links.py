"""Device links and models over the API (API.md "Device links and models"), sensor faults through ingest, and a
site box polling wired devices end to end against pymodbus's own server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from pymodbus.framer import FramerType

from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, T0, World, add_admin, bearer, login, wait_for
from .modbus_rig import PeerBus, Unit, free_port

JSON = dict[str, Any]


def _device(client: TestClient[Any], world: World, body: JSON, site: str = "site_market") -> Any:
    return client.post(f"/api/v1/sites/{world.sites[site]}/devices", json=body, headers=world.headers("admin"))


def test_a_known_model_brings_its_kind_and_channels(client: TestClient[Any], world: World) -> None:
    r = _device(client, world, {"serial": "AIM-1", "model": "acrel-aim-r100",
                                "link": "modbus-rtu:///dev/ttyUSB0?unit=2"})
    assert r.status_code == 201, r.text
    device = r.json()
    assert device["kind"] == "residual" and device["link"] == "modbus-rtu:///dev/ttyUSB0?unit=2"
    assert [c["key"] for c in device["channels"]] == [f"residual_ma_{i}" for i in range(1, 13)]
    assert {c["unit"] for c in device["channels"]} == {"mA"}
    assert device["poll_interval_s"] == 10  # the model's
    r = _device(client, world, {"serial": "BLE-1", "model": "AD-SB63", "link": "ble://c0:ad:00:00:01:01"})
    assert (r.json()["link"], r.json()["ble_address"]) == ("ble://C0:AD:00:00:01:01", "C0:AD:00:00:01:01")


@pytest.mark.parametrize(("body", "says"), [
    ({"link": "serial:///dev/ttyUSB0"}, "a link starts with one of"),
    ({"link": "modbus-rtu:///dev/ttyUSB0?unit=0"}, "unit must be a whole number from 1 to 247"),
    ({"link": "ble://C0:AD:00:00:01:01"}, "model acrel-asj speaks modbus-rtu://, modbus-tcp://, modbus-rtu-tcp://"),
    ({"model": "no-such-meter", "kind": "residual", "channels": [{"key": "residual_ma"}],
      "link": "modbus-tcp://10.0.0.2:502"}, "andian has no register map for model 'no-such-meter'"),
])
def test_a_bad_link_is_a_400_naming_link(client: TestClient[Any], world: World, body: JSON, says: str) -> None:
    r = _device(client, world, {"serial": "X-1", "model": "acrel-asj", **body})
    assert r.status_code == 400, r.text
    assert r.json()["extra"]["field"] == "link" and says in r.json()["detail"]


def test_an_unknown_model_needs_its_kind_and_channels(client: TestClient[Any], world: World) -> None:
    r = _device(client, world, {"serial": "X-2", "model": "no-such-meter"})
    assert r.status_code == 400 and r.json()["extra"]["field"] == "kind"
    r = _device(client, world, {"serial": "X-2", "model": "no-such-meter", "kind": "residual"})
    assert r.status_code == 400 and r.json()["extra"]["field"] == "channels"


def test_patch_a_device_link_and_interval(client: TestClient[Any], world: World) -> None:
    device = _device(client, world, {"serial": "ASJ-7", "model": "acrel-asj"}).json()
    assert device["link"] is None
    url = f"/api/v1/devices/{device['id']}"
    r = client.patch(url, json={"link": "modbus-tcp://10.0.0.9?unit=7", "poll_interval_s": 5},
                     headers=world.headers("operator_a"))
    assert r.status_code == 200, r.text
    assert (r.json()["link"], r.json()["poll_interval_s"]) == ("modbus-tcp://10.0.0.9:502?unit=7", 5)
    r = client.patch(url, json={"link": "modbus-tcp://10.0.0.9:70000"}, headers=world.headers("operator_a"))
    assert r.status_code == 400 and r.json()["extra"]["field"] == "link"
    r = client.patch(url, json={"link": "modbus-tcp://10.0.0.9"}, headers=world.headers("owner_1"))
    assert r.status_code == 403
    assert client.patch(url, json={"link": "modbus-tcp://10.0.0.9"},
                        headers=world.headers("operator_b")).status_code == 404  # another company's site


def test_models_list_channels_and_links(client: TestClient[Any], world: World) -> None:
    r = client.get("/api/v1/models", headers=world.headers("installer_a"))
    assert r.status_code == 200
    models = {m["model"]: m for m in r.json()}
    assert {"acrel-asj", "acrel-aim-r100", "acrel-adw300", "AD-SB63"} <= set(models)
    asj = models["acrel-asj"]
    assert asj["links"] == ["modbus-rtu", "modbus-tcp", "modbus-rtu-tcp"]
    assert asj["channels"] == [{"key": "residual_ma", "unit": "mA"}]
    assert asj["line"] == {"baud": 9600, "parity": "N", "stop": 1} and asj["name"]["zh-CN"].startswith("安科瑞")
    assert models["AD-SB63"]["links"] == ["ble"] and models["AD-SB63"]["line"] is None
    assert client.get("/api/v1/models").status_code == 401
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/models"] and "patch" in paths["/api/v1/devices/{device_id}"]


def test_sensor_faults_through_ingest(client: TestClient[Any], world: World) -> None:
    aim = _device(client, world, {"serial": "AIM-9", "model": "acrel-aim-r100"}).json()
    key = {"Authorization": f"Bearer {world.gateway_keys['site_market']}"}
    r = client.post("/api/v1/ingest", headers=key, json={
        "batch_id": "f1",
        "samples": [{"device": "AIM-9", "channel": "residual_ma_1", "ts": T0 - 5, "value": 30}],
        "faults": [{"device": "AIM-9", "channel": "residual_ma_3", "ts": T0 - 5, "reason": "ct_open"},
                   {"device": "AIM-9", "channel": "residual_ma_99", "ts": T0 - 5, "reason": "ct_open"},
                   {"device": "AIM-9", "channel": "residual_ma_4", "ts": T0 - 5, "reason": "loose"}]})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == 2
    assert [(x["kind"], x["index"]) for x in answer["rejected"]] == [("fault", 1), ("fault", 2)]
    assert "no channel 'residual_ma_99'" in answer["rejected"][0]["error"]
    [alarm] = [a for a in client.get("/api/v1/alarms", headers=world.headers("admin")).json()
               if a["device_id"] == aim["id"]]
    assert (alarm["cause"], alarm["level"], alarm["channel"], alarm["detail"]) == (
        "sensor", "fault", "residual_ma_3", {"reason": "ct_open"})
    assert alarm["cleared_at"] is None
    r = client.post("/api/v1/ingest", headers=key, json={"batch_id": "f2", "samples": [
        {"device": "AIM-9", "channel": "residual_ma_3", "ts": T0 - 2, "value": 41}]})
    assert r.json()["accepted"] == 1
    [alarm] = [a for a in client.get("/api/v1/alarms", headers=world.headers("admin")).json()
               if a["device_id"] == aim["id"]]
    assert alarm["cleared_at"] == T0  # the CT is back: its next value ends the fault


@pytest.fixture
def box(tmp_path: Any) -> Iterator[TestClient[Any]]:
    """A site box (``andian serve --site``) on the real clock: it polls whatever has a wired link."""
    settings = backends.settings(tmp_path / "box.db", static_dir=tmp_path / "static", site=True,
                        watchdog_interval_s=0.5)
    add_admin(settings)
    with TestClient(create_app(settings, clock=time.time, notify=False)) as client:
        yield client



def test_a_site_box_polls_its_wired_devices(box: TestClient[Any]) -> None:
    admin = bearer(login(box, "root", PASSWORD))
    peer = PeerBus([Unit(1, "acrel-asj", {"residual_ma": 120.0}),
                    Unit(2, "acrel-aim-r100", {"residual_ma_1": 35.0}, raw={0x004B: 0xE5E5})])
    port = free_port()
    box.blocking_portal.call(peer.serve_tcp, port, FramerType.RTU)
    try:
        site = box.post("/api/v1/sites", headers=admin, json={
            "name": "菜市场", "address": "桃花仑路 1 号", "region_code": "430903001001", "venue_type": "market"}).json()
        link = f"modbus-rtu-tcp://127.0.0.1:{port}"
        for serial, model, unit in (("ASJ-1", "acrel-asj", 1), ("AIM-2", "acrel-aim-r100", 2)):
            r = box.post(f"/api/v1/sites/{site['id']}/devices", headers=admin, json={
                "serial": serial, "model": model, "link": f"{link}?unit={unit}", "poll_interval_s": 1})
            assert r.status_code == 201, r.text
        detail = box.get(f"/api/v1/sites/{site['id']}", headers=admin).json()
        channel = {(d["serial"], c["key"]): c["id"] for d in detail["devices"] for c in d["channels"]}

        def latest(serial: str, key: str) -> list[float]:
            values: list[float] = box.get(f"/api/v1/channels/{channel[serial, key]}/readings",
                                          headers=admin).json()["value"]
            return values

        assert wait_for(lambda: latest("ASJ-1", "residual_ma")), "the box never read the ASJ"
        assert latest("ASJ-1", "residual_ma")[-1] == 120.0
        assert wait_for(lambda: latest("AIM-2", "residual_ma_1"))[-1] == 35.0
        assert latest("AIM-2", "residual_ma_2") == []  # a CT short is no reading

        def sensor_alarms() -> list[JSON]:
            return [a for a in box.get("/api/v1/alarms", headers=admin).json() if a["cause"] == "sensor"]

        [fault] = wait_for(sensor_alarms)
        assert (fault["channel"], fault["detail"], fault["level"]) == ("residual_ma_2", {"reason": "ct_short"}, "fault")
    finally:
        box.blocking_portal.call(peer.stop)
