"""The demo's GB/T 26875.3 parts (server/demo/gb26875_box.py, gb26875_centre.py) against the real receiver and
uplink over TCP on 127.0.0.1: the care home's transmission device is registered with its mapping, reports readings
and a detector's fire alarm that comes and goes, answers 查岗; andian's uplink reports to the demo's centre, which
confirms, sets its clock and sends a 查岗 an operator answers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from server.demo.city import DEMO_PASSWORD, seed_demo
from server.demo.gb26875_box import BOX_ADDRESS, DemoBox, register_box
from server.demo.gb26875_centre import UPLINK_ADDRESS, DemoCentre
from server.web.app import create_app

from . import backends
from .conftest import bearer, login, wait_for
from .server_process import free_port


def test_the_demo_box_reports_alarms_and_answers_and_the_uplink_reaches_the_demo_centre(tmp_path: Path) -> None:
    listen = free_port()
    # The demo's stories, hurried: the detector's fire alarm 1 s after the box starts, for 4 s every 60 s.
    box = DemoBox(listen, analogue_s=1.0, first_alarm_s=1.0, alarm_every_s=60.0, alarm_for_s=4.0)
    centre = DemoCentre(first_check_s=1.0)
    settings = backends.settings(tmp_path / "demo.db", static_dir=tmp_path / "static", notify_allow_private=True,
                        gb26875_listen=f"127.0.0.1:{listen}", gb26875_uplink=f"127.0.0.1:{centre.port}",
                        gb26875_address=UPLINK_ADDRESS)
    try:
        with TestClient(create_app(settings, clock=time.time, background=[centre.run], notify=False)) as client:
            ctx = client.app.state["andian"]
            assert client.blocking_portal.call(seed_demo, ctx)
            gateway_id = client.blocking_portal.call(register_box, ctx)
            assert gateway_id is not None
            assert client.blocking_portal.call(register_box, ctx) == gateway_id  # once, also on the next start
            operator = bearer(login(client, "operator", DEMO_PASSWORD))
            care_home = next(s for s in client.get("/api/v1/sites", headers=operator).json()
                             if s["name"] == "康乐养老院")
            [gateway] = [g for g in client.get(f"/api/v1/sites/{care_home['id']}/gateways", headers=operator).json()
                         if g["protocol"] == "gb26875"]
            assert (gateway["id"], gateway["address"]) == (gateway_id, BOX_ADDRESS)
            running = client.blocking_portal.start_task_soon(box.run, ctx)
            try:
                check_box(client, operator, gateway_id, care_home["id"])
            finally:
                running.cancel()
            check_uplink(client, operator)
    finally:
        centre.sock.close()


def check_box(client: TestClient[Any], operator: dict[str, str], gateway_id: int, site_id: int) -> None:
    def status() -> dict[str, Any]:
        return dict(client.get(f"/api/v1/gateways/{gateway_id}/gb26875", headers=operator).json())

    assert wait_for(lambda: status()["connected"]), "the demo box did not connect"
    assert status()["mapping"] == [{"analogue_type": 128, "channel": "residual_ma", "scale": 1.0}]

    def box_alarms(active: bool | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"site_id": site_id, **({} if active is None else {"active": active})}
        return [a for a in client.get("/api/v1/alarms", params=query, headers=operator).json()
                if a["device_serial"].startswith(f"gb26875:{BOX_ADDRESS}:")]

    # The residual-current detector's own fire alarm: a leakage alarm of its device, then cleared.
    [alarm] = wait_for(lambda: box_alarms(active=True))
    assert (alarm["cause"], alarm["level"], alarm["device_serial"]) == (
        "leakage", "alarm", f"gb26875:{BOX_ADDRESS}:0/1/17/1")
    assert wait_for(lambda: box_alarms() and not box_alarms(active=True), 20.0), "the detector's alarm did not end"

    # Its parts' values are readings: residual current through the mapping, temperature in 0.1 °C.
    detail = client.get(f"/api/v1/sites/{site_id}", headers=operator).json()
    parts = {d["serial"]: d for d in detail["devices"] if d["serial"].startswith("gb26875:")}
    residual = parts[f"gb26875:{BOX_ADDRESS}:0/1/17/1"]
    temperature = parts[f"gb26875:{BOX_ADDRESS}:0/1/18/2"]
    assert residual["name"] == "一层配电箱剩余电流探测器" and temperature["kind"] == "temperature"
    for device, key, low, high in ((residual, "residual_ma", 40, 250), (temperature, "temp_c", 28, 35)):
        channel = next(c["id"] for c in device["channels"] if c["key"] == key)
        values = client.get(f"/api/v1/channels/{channel}/readings", headers=operator).json()["value"]
        assert values and all(low <= v <= high for v in values), (key, values)

    # 查岗: the box confirms it, and its person on duty answers a few seconds later.
    r = client.post(f"/api/v1/gateways/{gateway_id}/gb26875/commands", json={"kind": "duty_check"},
                    headers=operator)
    assert r.status_code == 201, r.text
    command = r.json()["id"]

    def state() -> str:
        return str(client.get(f"/api/v1/gateways/{gateway_id}/gb26875/commands/{command}", headers=operator)
                   .json()["state"])

    assert wait_for(lambda: state() == "answered", 20.0), state()
    counters = status()["counters"]
    assert counters["frames"] >= 5 and counters["denials"] == 0 and counters["rejected"] == 0, counters


def check_uplink(client: TestClient[Any], operator: dict[str, str]) -> None:
    def uplink() -> dict[str, Any]:
        return dict(client.get("/api/v1/gb26875/uplink", headers=operator).json())

    assert wait_for(lambda: uplink()["connected"] and uplink()["counters"]["confirmed"] >= 1), uplink()
    assert uplink()["clock"] is not None  # the centre set it when andian connected
    [check] = wait_for(lambda: [c for c in uplink()["duty_checks"] if c["state"] == "pending"])
    r = client.post(f"/api/v1/gb26875/uplink/duty-checks/{check['id']}/answer", headers=operator)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["answered_by_name"]) == ("answered", "监控中心 值班员")
