"""Commissioning wired devices on a site box (docs/devices.md "Commissioning a wired bus"): bus scans with progress and
cancel, the model guess, a live read, and writes of a device's own levels — through the real app as a site box,
against pymodbus's own server over Modbus TCP and over a socat pty pair (RS-485 RTU)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from pymodbus.client import AsyncModbusTcpClient

from ble.bus import Buses, Identified, identify
from ble.links import ModbusLink, parse_link
from ble.profiles import load_profile
from server.storage import devices as sql

from .acceptance_helpers import answers
from .conftest import World, bearer, build_world, login, wait_for
from .modbus_rig import PeerBus, Unit, peer, pty_pair, tcp_bus

JSON = dict[str, Any]


@pytest.fixture
def world(box_world: World) -> World:
    """Every test here runs on the site box (conftest's ``box``)."""
    return box_world


def _finished(box: TestClient[Any], world: World, scan_id: int) -> JSON:
    def done() -> JSON | None:
        scan: JSON = box.get(f"/api/v1/bus-scans/{scan_id}", headers=world.headers("installer_a")).json()
        return scan if scan["state"] != "running" else None

    scan = wait_for(done)
    assert scan, "the scan never finished"
    return scan  # type: ignore[no-any-return]


def _device(box: TestClient[Any], world: World, site: str, body: JSON) -> JSON:
    r = box.post(f"/api/v1/sites/{world.sites[site]}/devices", headers=world.headers("admin"), json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


AIM_TYPE = 0x1000  # 0x000B bits 15–12 = 1: a residual-current monitor (DEVICES.md)


def test_a_scan_finds_the_answering_units_and_guesses_their_models(box: TestClient[Any], world: World) -> None:
    units = [Unit(1, "acrel-asj", {"residual_ma": 120.0}), Unit(2, "acrel-aim-r100", raw={0x000B: AIM_TYPE}),
             Unit(3, "acrel-asj")]
    with peer(box, units, silent=set(range(3, 11))) as port:  # 3 is miswired; 4–10 are not there
        bus = f"modbus-tcp://127.0.0.1:{port}"
        here = _device(box, world, "site_market", {"serial": "ASJ-1", "model": "acrel-asj", "link": f"{bus}?unit=1"})
        _device(box, world, "site_hotel", {"serial": "AIM-2", "model": "acrel-aim-r100", "link": f"{bus}?unit=2"})
        started = time.monotonic()
        r = box.post(f"/api/v1/sites/{world.sites['site_market']}/bus-scans", headers=world.headers("installer_a"),
                     json={"link": bus, "first": 1, "last": 10})
        assert r.status_code == 201, r.text
        scan = r.json()
        assert (scan["state"], scan["total"], scan["link"], scan["error"]) == ("running", 10, bus, None)
        seen = {scan["done"]}
        while scan["state"] == "running":
            scan = box.get(f"/api/v1/bus-scans/{scan['id']}", headers=world.headers("installer_a")).json()
            seen.add(scan["done"])
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    assert (scan["state"], scan["done"], scan["total"]) == ("done", 10, 10)
    assert len(seen) > 2, f"progress was never seen moving: {seen}"
    assert scan["found"] == [
        {"unit": 1, "model": "acrel-asj", "candidates": ["acrel-asj"], "known": "here", "device_id": here["id"]},
        {"unit": 2, "model": "acrel-aim-r100", "candidates": ["acrel-adw300", "acrel-aim-r100", "acrel-asj"],
         "known": "elsewhere", "device_id": None},
    ]
    assert elapsed < 8 * 0.3 + 4, f"8 silent units cost {elapsed:.1f} s: each should cost one short timeout"
    # Who may see it: the site's people who build installations, not its owner nor another company.
    url = f"/api/v1/bus-scans/{scan['id']}"
    assert box.get(url, headers=world.headers("owner_1")).status_code == 403
    assert box.get(url, headers=world.headers("operator_b")).status_code == 404
    assert box.get("/api/v1/bus-scans/9999", headers=world.headers("admin")).status_code == 404


def test_a_scan_over_rs485(box: TestClient[Any], world: World, tmp_path: Path) -> None:
    with pty_pair(tmp_path) as (adapter, device_port):
        bus = PeerBus([Unit(2, "acrel-aim-r100", {"residual_ma_1": 35.0}, raw={0x000B: AIM_TYPE})], {1, 3})
        box.blocking_portal.call(bus.serve_serial, device_port, 9600)
        try:
            r = box.post(f"/api/v1/sites/{world.sites['site_market']}/bus-scans", headers=world.headers("installer_a"),
                         json={"link": f"modbus-rtu://{adapter}?baud=9600", "first": 1, "last": 3})
            assert r.status_code == 201, r.text
            scan = _finished(box, world, r.json()["id"])
        finally:
            box.blocking_portal.call(bus.stop)
    assert (scan["state"], scan["done"], scan["error"]) == ("done", 3, None), scan
    assert [(f["unit"], f["model"], f["known"]) for f in scan["found"]] == [(2, "acrel-aim-r100", None)]


def test_cancel_stops_a_running_scan(box: TestClient[Any], world: World) -> None:
    with peer(box, [Unit(1, "acrel-asj", {"residual_ma": 80.0})], silent=set(range(2, 248))) as port:
        bus = f"modbus-tcp://127.0.0.1:{port}"
        start = f"/api/v1/sites/{world.sites['site_market']}/bus-scans"
        r = box.post(start, headers=world.headers("installer_a"), json={"link": bus})
        assert r.status_code == 201 and r.json()["total"] == 247, r.text
        url = f"/api/v1/bus-scans/{r.json()['id']}"
        assert wait_for(lambda: box.get(url, headers=world.headers("installer_a")).json()["done"] >= 3)
        again = box.post(start, headers=world.headers("operator_a"), json={"link": bus, "first": 1, "last": 5})
        assert again.status_code == 409 and "is running on this bus" in again.json()["detail"]
        assert box.delete(url, headers=world.headers("owner_1")).status_code == 403
        assert box.delete(url, headers=world.headers("installer_a")).status_code == 204
        scan = box.get(url, headers=world.headers("installer_a")).json()
        assert scan["state"] == "cancelled" and scan["done"] < scan["total"]
        time.sleep(0.8)  # more than two units' timeouts: a scan still running would have moved on
        assert box.get(url, headers=world.headers("installer_a")).json() == scan
        assert scan["found"][0]["unit"] == 1
        # The bus is free again: a device on it reads at once, and a new scan may start.
        device = _device(box, world, "site_market", {"serial": "ASJ-8", "model": "acrel-asj", "link": f"{bus}?unit=1"})
        r = box.post(f"/api/v1/devices/{device['id']}/read", headers=world.headers("installer_a"))
        assert r.status_code == 200 and r.json()["values"] == {"residual_ma": 80.0}, r.text
        assert box.post(start, headers=world.headers("installer_a"), json={"link": bus, "last": 1}).status_code == 201


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"link": "ble://C0:AD:00:00:01:01"}, "link", "a bus scan is for wired buses"),
    ({"link": "serial:///dev/ttyUSB0"}, "link", "a link starts with one of"),
    ({"link": "modbus-tcp://10.0.0.9:502?unit=3"}, "link", "leave out unit"),
    ({"link": "modbus-tcp://10.0.0.9:502", "first": 9, "last": 3}, "last", "below first"),
])
def test_a_bad_scan_is_a_400_naming_the_field(box: TestClient[Any], world: World, body: JSON, field: str,
                                               says: str) -> None:
    r = box.post(f"/api/v1/sites/{world.sites['site_market']}/bus-scans", headers=world.headers("installer_a"),
                 json=body)
    assert r.status_code == 400 and r.json()["extra"]["field"] == field and says in r.json()["detail"], r.text


def test_scans_and_wired_reads_need_a_site_box(client: TestClient[Any]) -> None:
    world = build_world(client, bearer(login(client, "root")))
    r = client.post(f"/api/v1/sites/{world.sites['site_market']}/bus-scans", headers=world.headers("installer_a"),
                    json={"link": "modbus-tcp://10.0.0.9:502"})
    assert r.status_code == 503 and "not a site box" in r.json()["detail"], r.text
    assert client.post(f"/api/v1/sites/{world.sites['site_market']}/bus-scans", headers=world.headers("owner_1"),
                       json={"link": "modbus-tcp://10.0.0.9:502"}).status_code == 403
    r = client.post(f"/api/v1/devices/{world.devices['site_market']}/read", headers=world.headers("installer_a"))
    assert r.status_code == 503, r.text


def _readings(box: TestClient[Any], world: World, channel_id: int) -> list[float]:
    values: list[float] = box.get(f"/api/v1/channels/{channel_id}/readings", headers=world.headers("admin")).json()[
        "value"]
    return values


def test_read_once_answers_values_and_faults_and_ingests_them(box: TestClient[Any], world: World) -> None:
    aim = Unit(2, "acrel-aim-r100", {"residual_ma_1": 35.0, "residual_ma_3": 12.0}, raw={0x004B: 0xE5E5})
    with peer(box, [aim], silent={5}) as port:
        bus = f"modbus-tcp://127.0.0.1:{port}"
        device = _device(box, world, "site_market", {"serial": "AIM-2", "model": "acrel-aim-r100",
                                                     "link": f"{bus}?unit=2", "poll_interval_s": 3600})
        loop_1 = next(c["id"] for c in device["channels"] if c["key"] == "residual_ma_1")
        assert wait_for(lambda: _readings(box, world, loop_1)), "the box never polled the device"
        box.blocking_portal.call(_set, port, 2, 0x004A, 41)  # the leakage changes; the next poll is an hour away
        before = time.time()
        r = box.post(f"/api/v1/devices/{device['id']}/read", headers=world.headers("installer_a"))
        assert r.status_code == 200, r.text
        live = r.json()
        assert live["values"]["residual_ma_1"] == 41.0 and live["values"]["residual_ma_3"] == 12.0
        assert "residual_ma_2" not in live["values"] and live["faults"] == {"residual_ma_2": "ct_short"}
        assert before <= live["read_at"] <= time.time()
        assert wait_for(lambda: _readings(box, world, loop_1)[-1:] == [41.0]), "the live read was not ingested"
        # A silent unit: 503 with what to check; a device without a wired link: 400 naming link; an owner: 403.
        silent = _device(box, world, "site_market", {"serial": "ASJ-5", "model": "acrel-asj", "link": f"{bus}?unit=5"})
        r = box.post(f"/api/v1/devices/{silent['id']}/read", headers=world.headers("installer_a"))
        assert r.status_code == 503 and r.json()["detail"].startswith("timeout: unit 5"), r.text
        assert "A/B wiring" in r.json()["detail"] and "move closer" not in r.json()["detail"]  # a cable, not a radio
        r = box.post(f"/api/v1/devices/{world.devices['site_market']}/read", headers=world.headers("installer_a"))
        assert r.status_code == 400 and r.json()["extra"]["field"] == "link", r.text
        assert box.post(f"/api/v1/devices/{device['id']}/read", headers=world.headers("owner_1")).status_code == 403
        assert box.post(f"/api/v1/devices/{device['id']}/read",
                        headers=world.headers("operator_b")).status_code == 404


async def _registers(port: int, unit: int, address: int, count: int) -> list[int]:
    """What the peer device holds, asked over a connection of its own (a raw pymodbus client)."""
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
    await client.connect()
    try:
        answer = await client.read_holding_registers(address, count=count, device_id=unit)
        return list(answer.registers)
    finally:
        client.close()


async def _set(port: int, unit: int, address: int, value: int) -> None:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
    await client.connect()
    try:
        assert not (await client.write_register(address, value, device_id=unit)).isError()
    finally:
        client.close()


def test_threshold_writes_are_confirmed_read_back_and_audited(box: TestClient[Any], world: World) -> None:
    factory = Unit(1, "acrel-asj", {"residual_ma": 60.0}, raw={0x0008: 500, 0x0009: 400})
    with peer(box, [factory]) as port:
        device = _device(box, world, "site_market", {"serial": "ASJ-1", "model": "acrel-asj",
                                                     "link": f"modbus-tcp://127.0.0.1:{port}?unit=1"})
        [channel] = device["channels"]
        url = f"/api/v1/devices/{device['id']}/thresholds"
        installer = world.headers("installer_a")
        r = box.post(url, headers=installer, json={"channel": "residual_ma", "alarm": 300, "prealarm": 240})
        assert r.status_code == 400 and r.json()["extra"]["field"] == "confirm", r.text
        assert "device's own settings" in r.json()["detail"]
        assert box.blocking_portal.call(_registers, port, 1, 0x0008, 2) == [500, 400]  # nothing written

        for body, field in (({"alarm": 5}, "alarm"),  # below the device's 10 mA
                            ({"alarm": 1500}, "alarm"),  # the device takes it; GB 50116 / andian's range does not
                            ({"alarm": 300, "prealarm": 350}, "prealarm"),  # above the alarm
                            ({"alarm": 300.5}, "alarm"),  # the device keeps whole mA
                            ({}, "alarm")):
            r = box.post(url, headers=installer, json={"channel": "residual_ma", "confirm": True, **body})
            assert r.status_code == 400 and r.json()["extra"]["field"] == field, (body, r.text)
        r = box.post(url, headers=installer, json={"channel": "temp_c", "alarm": 80, "confirm": True})
        assert r.status_code == 400 and r.json()["extra"]["field"] == "channel", r.text
        body = {"channel": "residual_ma", "alarm": 300, "prealarm": 240, "confirm": True}
        assert box.post(url, headers=world.headers("owner_1"), json=body).status_code == 403
        assert box.post(url, headers=world.headers("operator_b"), json=body).status_code == 404
        assert box.blocking_portal.call(_registers, port, 1, 0x0008, 2) == [500, 400]

        r = box.post(url, headers=installer, json=body)
        assert r.status_code == 200, r.text
        assert r.json() == {"channel": "residual_ma", "before": {"alarm": 500.0, "prealarm": 400.0},
                            "written": {"alarm": 300.0, "prealarm": 240.0},
                            "read_back": {"alarm": 300.0, "prealarm": 240.0}, "matches": True}
        assert box.blocking_portal.call(_registers, port, 1, 0x0008, 2) == [300, 240]  # the device holds them
    [asj] = [m for m in box.get("/api/v1/models", headers=installer).json() if m["model"] == "acrel-asj"]
    assert asj["thresholds"] == [
        {"channel": "residual_ma", "setting": "alarm", "min": 10.0, "max": 30000.0, "scale": 1.0},
        {"channel": "residual_ma", "setting": "prealarm", "min": 10.0, "max": 30000.0, "scale": 1.0}]
    settings = box.get(f"/api/v1/channels/{channel['id']}", headers=installer).json()["settings"]
    assert (settings["alarm"], settings["prealarm"]) == (300.0, 240.0)  # andian's detection uses the same levels
    ctx = box.app.state["andian"]
    [entry] = box.blocking_portal.call(ctx.db.read, lambda c: sql.device_audit(c, device["id"], "write_thresholds"))
    assert (entry["by"], entry["channel"], entry["before"], entry["after"], entry["matches"]) == (
        "installer_a", "residual_ma", {"alarm": 500.0, "prealarm": 400.0}, {"alarm": 300.0, "prealarm": 240.0}, True)


async def test_without_a_telling_probe_the_installer_picks_among_the_candidates() -> None:
    """Meter type 0 in 0x000B is an insulation monitor, not the AIM-R100 residual-current monitor: every wired model's
    registers read fine on it, and none is guessed."""
    async with tcp_bus([Unit(4, "acrel-aim-r100", raw={0x000B: 0x0000})], silent={5}) as (_peer, port):
        link = parse_link(f"modbus-tcp://127.0.0.1:{port}")
        assert isinstance(link, ModbusLink)
        buses = Buses()
        try:
            bus = buses.get(link)
            started = time.monotonic()
            assert await identify(bus, 5, timeout_s=0.3) is None
            assert time.monotonic() - started < 0.6  # a silent unit costs one short timeout, not one per model
            found = await identify(bus, 4)
        finally:
            buses.close()
    assert found == Identified(4, None, ["acrel-adw300", "acrel-aim-r100", "acrel-asj"])


@pytest.mark.parametrize(("table", "says"), [
    ('channel = "temp_c"\nsetting = "alarm"\naddress = 8\nmin = 10\nmax = 100', "names channel 'temp_c'"),
    ('channel = "residual_ma"\nsetting = "alarm"\naddress = 8\nmin = 10\nmax = 70000', "65535 × scale"),
    ('channel = "residual_ma"\nsetting = "trip"\naddress = 8\nmin = 10\nmax = 100', "setting"),
])
def test_a_bad_thresholds_table_names_the_file(tmp_path: Path, table: str, says: str) -> None:
    shipped = (Path(__file__).parent.parent / "ble/profiles/models/acrel-asj.toml").read_text("utf-8")
    path = tmp_path / "asj-x.toml"
    path.write_text(shipped.split("[[thresholds]]")[0] + f"[[thresholds]]\n{table}\n", "utf-8")
    with pytest.raises(ValueError, match=rf"asj-x\.toml: .*{says}"):
        load_profile(path)


def _step(box: TestClient[Any], world: World, cid: int, step: str, body: JSON | None = None) -> JSON:
    r = box.post(f"/api/v1/commissioning/{cid}/steps/{step}", headers=world.headers("installer_a"), json=body or {})
    assert r.status_code == 200, r.text
    answer: JSON = r.json()
    return answer


def test_a_wired_device_is_accepted_with_the_bluetooth_checklist(box: TestClient[Any], world: World) -> None:
    """建设一个、验收一个、合格一个: a registered wired device goes through the commissioning record and its
    accept step."""
    site = world.sites["site_market"]
    installer = world.headers("installer_a")
    with peer(box, [Unit(3, "acrel-asj", {"residual_ma": 42.0})]) as port:
        link = f"modbus-tcp://127.0.0.1:{port}?unit=3"
        device = _device(box, world, "site_market", {"serial": "ASJ-3", "model": "acrel-asj", "link": link,
                                                     "circuit": "1F 照明插座回路"})
        r = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, "device_id": device["id"]})
        assert r.status_code == 201, r.text
        record = r.json()
        assert (record["via"], record["address"], record["model"], record["device_id"], record["serial"]) == (
            "wired", link, "acrel-asj", device["id"], "ASJ-3")
        cid = record["id"]
        again = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, "device_id": device["id"]})
        assert again.status_code == 201 and again.json()["id"] == cid  # the open one, not a second record

        paired = _step(box, world, cid, "pair")["steps"][0]
        assert paired["status"] == "done" and paired["result"]["link"] == link
        assert "answered a read" in paired["result"]["reason"]
        for index, step in ((1, "identify"), (3, "self_test")):
            if step == "self_test":
                live = _step(box, world, cid, "live_read")["steps"][2]
                assert live["status"] == "done" and live["result"]["values"] == {"residual_ma": 42.0}, live
                assert live["result"]["units"] == {"residual_ma": "mA"}
            done = _step(box, world, cid, step)["steps"][index]
            assert done["status"] == "done" and done["result"]["supported"] is False, done
            assert "acrel-asj has no coil" in done["result"]["reason"]
        _step(box, world, cid, "thresholds", {"channels": {"residual_ma": {"alarm": 300}}})

        assert "transformer_wiring" in [i["key"] for i in record["checklist"]]
        failing = _step(box, world, cid, "accept", {
            "answers": answers(box, installer, record["checklist"], fail="transformer_wiring"), "signed_by": "刘工"})
        assert failing["state"] == "in_progress" and failing["steps"][5]["code"] == "checklist_failed"
        found = box.get(f"/api/v1/hazards?site_id={site}", headers=world.headers("operator_a")).json()
        [hazard] = [h for h in found if h["source"] == "commissioning"]
        assert hazard["title"] == "安装验收未通过：ASJ-3" and hazard["commissioning_id"] == cid
        assert box.get(f"/api/v1/devices/{device['id']}", headers=installer).json()["state"] == "registered"

        done = _step(box, world, cid, "accept", {"answers": answers(box, installer, record["checklist"]),
                                                  "signed_by": "刘工"})
        assert done["state"] == "commissioned" and done["steps"][5]["result"]["signed_by"] == "刘工"
    assert box.get(f"/api/v1/devices/{device['id']}", headers=installer).json()["state"] == "commissioned"
    ctx = box.app.state["andian"]
    [entry] = box.blocking_portal.call(ctx.db.read, lambda c: sql.device_audit(c, device["id"], "commission"))
    assert (entry["by"], entry["signed_by"], entry["commissioning_id"]) == ("installer_a", "刘工", cid)
    # Commissioned: a new start is a new record.
    r = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, "device_id": device["id"]})
    assert r.status_code == 201 and r.json()["id"] != cid and r.json()["state"] == "in_progress"


def test_a_wired_commissioning_start_is_checked(box: TestClient[Any], world: World) -> None:
    site = world.sites["site_market"]
    installer = world.headers("installer_a")
    wired = _device(box, world, "site_market", {"serial": "ASJ-9", "model": "acrel-asj",
                                                "link": "modbus-tcp://127.0.0.1:9?unit=9"})
    elsewhere = _device(box, world, "site_hotel", {"serial": "ASJ-8", "model": "acrel-asj",
                                                   "link": "modbus-tcp://127.0.0.1:9?unit=8"})
    for body, field in (({"address": "C0:AD:00:00:01:01", "device_id": wired["id"]}, "device_id"),
                        ({}, "address"),
                        ({"device_id": world.devices["site_market"]}, "device_id"),  # no wired link
                        ({"device_id": elsewhere["id"]}, "device_id")):  # another site's, seen by the installer
        r = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, **body})
        assert r.status_code == 400 and r.json()["extra"]["field"] == field, (body, r.text)
    r = box.post("/api/v1/commissioning", headers=installer, json={"site_id": site, "device_id": 9999})
    assert r.status_code == 404 and "device 9999" in r.json()["detail"], r.text
    assert box.post("/api/v1/commissioning", headers=world.headers("owner_1"),
                    json={"site_id": site, "device_id": wired["id"]}).status_code == 403
    assert box.post("/api/v1/commissioning", headers=world.headers("operator_b"),
                    json={"site_id": site, "device_id": wired["id"]}).status_code == 404
