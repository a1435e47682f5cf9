"""The demo's wired and cellular devices (server/demo/wired.py): the market's RS-485 bus of Acrel devices behind a
socat pty pair, and the 4G detector publishing over a local mosquitto, read by the demo's site box."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from server.demo.city import DEMO_PASSWORD, seed_demo
from server.demo.wired import FOUR_G_IMEI, DemoWired
from server.web.app import create_app

from . import backends
from .conftest import bearer, login, wait_for


def test_the_demo_reads_its_rs485_bus_and_its_4g_detector(tmp_path: Path) -> None:
    wired = DemoWired(tmp_path)
    mqtt_url = wired.start()
    assert mqtt_url, "Debian's mosquitto is installed by `make test`"
    assert wired.serial_port and wired.pty.exists()  # a real pty pair, as an RS-485 adapter's port is
    settings = backends.settings(tmp_path / "demo.db", static_dir=tmp_path / "static", mqtt_url=mqtt_url,
                        notify_allow_private=True)
    try:
        with TestClient(create_app(settings, clock=time.time, simulated=[], background=[wired.run],
                                   notify=False)) as client:
            ctx = client.app.state["andian"]
            assert client.blocking_portal.call(seed_demo, ctx, None, wired)
            client.blocking_portal.call(ctx.site_box.refresh)
            admin = bearer(login(client, "operator", DEMO_PASSWORD))
            sites = {s["name"]: s for s in client.get("/api/v1/sites", headers=admin).json()}
            market = sites["桃花仑综合市场 配电房"]

            def devices(site: dict[str, Any]) -> dict[str, Any]:
                detail = client.get(f"/api/v1/sites/{site['id']}", headers=admin).json()
                return {d["serial"]: d for d in detail["devices"]}

            wired_devices = devices(market)
            assert {d["model"] for d in wired_devices.values()} == {"acrel-asj", "acrel-aim-r100", "acrel-adw300"}
            assert all(d["link"].startswith(f"modbus-rtu://{wired.pty}?unit=") for d in wired_devices.values())
            assert wait_for(lambda: all(d["last_seen_at"] for d in devices(market).values())), "the bus was not read"
            meter = wired_devices["ADW-20250103"]
            voltage = next(c["id"] for c in meter["channels"] if c["key"] == "voltage_v_l1")
            assert 225 < client.get(f"/api/v1/channels/{voltage}/readings", headers=admin).json()["value"][-1] < 231

            def ct_open() -> list[dict[str, Any]]:
                return [a for a in client.get("/api/v1/alarms", headers=admin).json()
                        if a["cause"] == "sensor" and a["detail"] == {"reason": "ct_open"}]

            [fault] = wait_for(ct_open)
            assert fault["channel"] == "residual_ma_9" and fault["device_serial"] == "AIM-20250102"
            care_home = sites["康乐养老院"]
            assert wait_for(lambda: devices(care_home)[FOUR_G_IMEI]["last_seen_at"]), "no message from the 4G detector"
            market = next(s for s in client.get("/api/v1/sites", headers=admin).json() if s["id"] == market["id"])
            assert market["status"] == "fault"  # the open current transformer, in plain words on the site list
    finally:
        wired.stop()
