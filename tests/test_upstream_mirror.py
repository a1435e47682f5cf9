"""Mirror down, edits up (issue 19): a real cloud (`andian serve`) and a real site box paired with it.

The box mirrors its site from the cloud (the site, its company, who may log in, devices with links and channel
settings); a change in the cloud reaches the box's database and detector within a round; a change made at the box
while the cloud is away goes up when it is back; per field the later stamp wins on both sides; what the API would
refuse is refused by name and the rest taken.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from server.cli import main
from server.context import open_context
from server.upstream.link import load_pairing
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, add_admin, bearer, login, wait_for
from .mirror_rig import BLE_SERIAL, Box, Cloud, box_app, cloud_server, rows, setting, stamp_of
from .server_process import free_port

SITE_SERIAL = "SN-site_market"  # the conftest world's device at site_market: no link, read by nobody's box


@pytest.fixture
def cloud(tmp_path: Path) -> Any:
    with cloud_server(tmp_path) as running:
        yield running


@pytest.fixture
def box(tmp_path: Path, cloud: Cloud) -> Any:
    with box_app(tmp_path, cloud) as running:
        assert wait_for(lambda: stamp_of(running.db, BLE_SERIAL, "residual_ma", "settings.alarm")), "no first mirror"
        yield running


def test_first_mirror_brings_the_site_its_people_and_devices(cloud: Cloud, box: Box) -> None:
    site_id = box.site_id()
    assert site_id is not None
    site = box.client.get(f"/api/v1/sites/{site_id}", headers=box.headers()).json()
    assert site["name"] == "site_market" and site["region_code"] == "430903001001"
    # The operator company and the owner, by their names at the box.
    assert rows(box.db, "SELECT c.name FROM sites s JOIN companies c ON c.id = s.company_id")[0][0] == "运维公司A"
    assert rows(box.db, "SELECT u.username FROM sites s JOIN users u ON u.id = s.owner_id")[0][0] == "owner_1"
    mirrored = {r[0] for r in rows(box.db, "SELECT username FROM users WHERE mirrored = 1")}
    assert mirrored == {"owner_1", "operator_a", "installer_a", "electrician_a"}  # nobody of company B, no regulator
    # An installer's cloud password logs in at the box (the WAN could be down now).
    box.link.up = False
    token = login(box.client, "installer_a", PASSWORD)
    assert box.client.get(f"/api/v1/sites/{site_id}", headers=bearer(token)).status_code == 200
    assert box.client.post("/api/v1/auth/login", json={"username": "owner_2", "password": PASSWORD}).status_code == 401
    # The devices with their links and channel settings, and the detector judging by them.
    devices = {d["serial"]: d for d in site["devices"]}
    assert set(devices) == {BLE_SERIAL, SITE_SERIAL}  # not the box itself (the cloud's 'gateway' device)
    ble = devices[BLE_SERIAL]
    assert (ble["link"], ble["ble_address"], ble["name"], ble["circuit"], ble["rated_current_a"]) == (
        "ble://AA:BB:CC:00:00:01", "AA:BB:CC:00:00:01", "冷柜回路", "冷柜", 32.0)
    residual = next(c for c in ble["channels"] if c["key"] == "residual_ma")
    assert residual["settings"]["alarm"] == 250.0 and residual["settings"]["prealarm"] == 200.0
    assert box.detector_setting(BLE_SERIAL, "residual_ma", "alarm") == 250.0
    # The cloud leaves judging the device the box reaches to the box; the unlinked one stays its own.
    judged = dict(rows(cloud.db, "SELECT serial, gateway_id FROM devices WHERE kind != 'gateway'"))
    assert judged[BLE_SERIAL] == cloud.world.gateways["site_market"] and judged[SITE_SERIAL] is None
    # Nothing the mirror wrote looks like an edit of the box's own (it would go back up as one).
    assert rows(box.db, "SELECT count(*) FROM field_stamps WHERE hlc NOT LIKE '%-cloud'") == [(0,)]
    # The box stamps its own edits as itself from now on.
    box.client.patch(f"/api/v1/channels/{box.channel_id(BLE_SERIAL, 'current_a')}", headers=box.headers(),
                     json={"label": "冷柜 进线"})
    assert wait_for(lambda: _stamped(box.db, "current_a", "label", "冷柜 进线"))
    found = stamp_of(box.db, BLE_SERIAL, "current_a", "label")
    assert found is not None and found[1].endswith(f"-box{cloud.world.gateways['site_market']}")


def test_a_threshold_changed_in_the_cloud_reaches_the_box_and_its_detector(cloud: Cloud, box: Box) -> None:
    channel = cloud.channel_id(BLE_SERIAL, "residual_ma")
    r = cloud.http.patch(f"/api/v1/channels/{channel}", headers=cloud.headers("operator_a"),
                         json={"settings": {"alarm": 180}})
    assert r.status_code == 200, r.text
    assert wait_for(lambda: setting(box.db, BLE_SERIAL, "residual_ma", "alarm") == 180.0)
    assert setting(box.db, BLE_SERIAL, "residual_ma", "prealarm") == 144.0  # followed its alarm, as in the cloud
    assert box.detector_setting(BLE_SERIAL, "residual_ma", "alarm") == 180.0
    assert box.detector_setting(BLE_SERIAL, "residual_ma", "prealarm") == 144.0


def test_edits_made_at_the_box_while_the_cloud_is_away_go_up_on_reconnection(cloud: Cloud, box: Box) -> None:
    box.link.up = False
    installer = bearer(login(box.client, "installer_a"))  # the installer on site, with the cloud's password
    r = box.client.patch(f"/api/v1/channels/{box.channel_id(BLE_SERIAL, 'residual_ma')}", headers=installer,
                         json={"settings": {"alarm": 350}})
    assert r.status_code == 200, r.text
    # A device commissioned at the box while offline, with its channels and settings.
    r = box.client.post(f"/api/v1/sites/{box.site_id()}/devices", headers=installer, json={
        "serial": "SN-NEW-7", "model": "AD-SB63", "kind": "breaker", "rated_current_a": 20, "name": "照明回路",
        "ble_address": "AA:BB:CC:00:00:07",
        "channels": [{"key": "residual_ma", "settings": {"alarm": 100}}, {"key": "temp_c"}]})
    assert r.status_code == 201, r.text
    stamped = wait_for(lambda: stamp_of(box.db, "SN-NEW-7", "temp_c", "settings.alarm"))
    assert stamped is not None
    made_at = stamp_of(box.db, BLE_SERIAL, "residual_ma", "settings.alarm")
    assert made_at is not None and made_at[0] == 350.0
    assert setting(cloud.db, BLE_SERIAL, "residual_ma", "alarm") == 250.0  # nothing went up yet
    box.link.up = True
    assert wait_for(lambda: setting(cloud.db, BLE_SERIAL, "residual_ma", "alarm") == 350.0)
    # Taken with the stamp the box made when the edit was made, not when it went up.
    assert stamp_of(cloud.db, BLE_SERIAL, "residual_ma", "settings.alarm") == made_at
    assert wait_for(lambda: setting(cloud.db, "SN-NEW-7", "residual_ma", "alarm") == 100.0)
    device = rows(cloud.db, "SELECT d.site_id, d.name, d.ble_address, d.rated_current_a, d.gateway_id FROM devices d "
                            "WHERE d.serial = 'SN-NEW-7'")[0]
    assert device == (cloud.world.sites["site_market"], "照明回路", "AA:BB:CC:00:00:07", 20.0,
                      cloud.world.gateways["site_market"])
    assert setting(cloud.db, "SN-NEW-7", "temp_c", "alarm") == 70.0
    # The cloud's API shows it as any other device of the site.
    found = cloud.http.get(f"/api/v1/sites/{cloud.world.sites['site_market']}", headers=cloud.headers("owner_1"))
    assert "SN-NEW-7" in {d["serial"] for d in found.json()["devices"]}


def _cloud_patch(cloud: Cloud, serial: str, key: str, body: dict[str, Any]) -> None:
    r = cloud.http.patch(f"/api/v1/channels/{cloud.channel_id(serial, key)}", headers=cloud.headers("operator_a"),
                         json=body)
    assert r.status_code == 200, r.text


def _box_patch(box: Box, serial: str, key: str, body: dict[str, Any]) -> None:
    r = box.client.patch(f"/api/v1/channels/{box.channel_id(serial, key)}", headers=box.headers(), json=body)
    assert r.status_code == 200, r.text


def _stamped(db: Path, key: str, name: str, value: Any) -> bool:
    found = stamp_of(db, BLE_SERIAL, key, name)
    return found is not None and found[0] == value


def test_concurrent_edits_the_later_stamp_wins_per_field_on_both_sides(cloud: Cloud, box: Box) -> None:
    box.link.up = False
    # delay_s: the cloud first, then the box. alarm: the box first, then the cloud. label: the box only.
    _cloud_patch(cloud, BLE_SERIAL, "residual_ma", {"settings": {"delay_s": 10}})
    assert wait_for(lambda: _stamped(cloud.db, "residual_ma", "settings.delay_s", 10.0))  # the cloud's watchdog
    _box_patch(box, BLE_SERIAL, "residual_ma", {"settings": {"delay_s": 20, "alarm": 400}, "label": "冷柜 剩余电流"})
    assert wait_for(lambda: _stamped(box.db, "residual_ma", "settings.alarm", 400.0))
    _cloud_patch(cloud, BLE_SERIAL, "residual_ma", {"settings": {"alarm": 200}})
    assert wait_for(lambda: _stamped(cloud.db, "residual_ma", "settings.alarm", 200.0))
    box.link.up = True

    expected = {"delay_s": 20.0, "alarm": 200.0, "prealarm": 160.0, "hysteresis": 10.0}

    def converged(db: Path) -> bool:
        label = rows(db, "SELECT c.label FROM channels c JOIN devices d ON d.id = c.device_id "
                         "WHERE d.serial = ? AND c.key = 'residual_ma'", BLE_SERIAL)[0][0]
        got = {name: setting(db, BLE_SERIAL, "residual_ma", name) for name in expected}
        return bool(label == "冷柜 剩余电流" and got == expected)

    assert wait_for(lambda: converged(cloud.db) and converged(box.db))
    # Both hold the same stamp for every field of the channel.
    for name in ("settings.delay_s", "settings.alarm", "settings.prealarm", "label"):
        assert stamp_of(cloud.db, BLE_SERIAL, "residual_ma", name) == stamp_of(box.db, BLE_SERIAL, "residual_ma", name)
    assert box.detector_setting(BLE_SERIAL, "residual_ma", "alarm") == 200.0
    assert box.detector_setting(BLE_SERIAL, "residual_ma", "delay_s") == 20.0


def test_an_edit_the_api_would_refuse_is_refused_by_name_and_the_rest_taken(
        cloud: Cloud, box: Box, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="andian.upstream")
    box.link.up = False
    # The cloud rates the circuit 20 A; the box, not knowing it yet, sets the overload alarm to 45 A (fine at 32 A).
    _cloud_patch(cloud, BLE_SERIAL, "current_a", {"settings": {"rated_a": 20}})
    assert wait_for(lambda: _stamped(cloud.db, "current_a", "settings.rated_a", 20.0))
    _box_patch(box, BLE_SERIAL, "current_a", {"settings": {"alarm": 45}, "label": "冷柜 负载"})
    assert wait_for(lambda: _stamped(box.db, "current_a", "settings.alarm", 45.0))
    box.link.up = True

    def audit() -> list[str]:
        found = rows(cloud.db, "SELECT detail FROM audit_log WHERE action = 'mirror' AND detail LIKE '%rejected%' "
                               "AND detail LIKE '%settings.alarm%'")
        return [detail for (detail,) in found]

    assert wait_for(audit)
    # The refusal names the device, the channel and why: the alarm level itself out of range, or — when the cloud
    # first derives the pre-alarm from it (0.9 × 45 A) — the pre-alarm it would make.
    # The cloud's audit row is written before the box reads the answer and logs it: wait for the box's line.
    message = wait_for(lambda: next((m for m in caplog.messages
                                     if f"device {BLE_SERIAL}, channel current_a, field settings." in m), None))
    assert message, "the box logged the refusal"
    assert (f"device {BLE_SERIAL}, channel current_a, field settings.alarm: 45 is outside the allowed range "
            "[16, 29] A" in message) or "field settings.prealarm: 40.5" in message
    # The label went up; the alarm stayed the cloud's and went back to the box, with its rated current.
    assert wait_for(lambda: rows(cloud.db, "SELECT label FROM channels WHERE id = ?",
                                 cloud.channel_id(BLE_SERIAL, "current_a"))[0][0] == "冷柜 负载")
    assert setting(cloud.db, BLE_SERIAL, "current_a", "alarm") == 20.0
    assert wait_for(lambda: setting(box.db, BLE_SERIAL, "current_a", "alarm") == 20.0)
    assert setting(box.db, BLE_SERIAL, "current_a", "rated_a") == 20.0
    assert box.detector_setting(BLE_SERIAL, "current_a", "alarm") == 20.0


def test_a_box_that_ran_alone_keeps_what_was_set_up_on_site(cloud: Cloud, tmp_path: Path) -> None:
    alone = backends.settings(tmp_path / "box.db", static_dir=tmp_path / "static")
    add_admin(alone)
    with TestClient(create_app(alone, notify=False)) as client:
        h = bearer(login(client, "root"))
        r = client.post("/api/v1/sites", headers=h, json={
            "name": "本地市场", "address": "赫山路", "venue_type": "market", "region_code": "430903001001"})
        assert r.status_code == 201, r.text
        site_id = r.json()["id"]
        for serial, name, address in ((BLE_SERIAL, "本地名", "AA:BB:CC:00:00:01"), ("SN-LOCAL-1", "插座回路",
                                                                                   "AA:BB:CC:00:00:09")):
            r = client.post(f"/api/v1/sites/{site_id}/devices", headers=h, json={
                "serial": serial, "model": "AD-SB63", "kind": "breaker", "name": name, "ble_address": address,
                "rated_current_a": 32, "channels": [{"key": "residual_ma", "settings": {"alarm": 300}},
                                                    {"key": "current_a"}]})
            assert r.status_code == 201, r.text
    with box_app(tmp_path, cloud, fresh=False) as box:
        assert wait_for(lambda: rows(cloud.db, "SELECT name FROM devices WHERE serial = 'SN-LOCAL-1'"))
        assert box.site_id() == site_id  # the box's only site is the one the cloud's mirrors
        assert wait_for(lambda: setting(cloud.db, BLE_SERIAL, "residual_ma", "alarm") == 300.0)
        assert rows(cloud.db, "SELECT name FROM devices WHERE serial = ?", BLE_SERIAL) == [("本地名",)]
        assert rows(box.db, "SELECT name FROM sites") == [("site_market",)]
        assert rows(box.db, "SELECT name FROM devices WHERE serial = ?", SITE_SERIAL) == [("SN-site_market",)]
        assert setting(box.db, BLE_SERIAL, "residual_ma", "alarm") == 300.0


def test_only_a_site_box_may_mirror(cloud: Cloud) -> None:
    body = {"edits": []}
    for who in ("installer_a", "admin", "owner_1"):
        r = cloud.http.post("/api/v1/upstream/mirror", headers=cloud.headers(who), json=body)
        assert r.status_code == 403, (who, r.text)
        assert "gateway key" in r.json()["detail"]
    assert cloud.http.post("/api/v1/upstream/mirror", json=body).status_code == 401
    r = cloud.http.post("/api/v1/upstream/mirror", json=body,
                        headers=bearer(cloud.world.gateway_keys["site_care"]))
    assert r.status_code == 200 and r.json()["site"]["name"] == "site_care"  # each key its own site only
    assert {d["key"] for d in r.json()["records"] if d["entity"] == "device"} == {"SN-site_care"}


def test_box_pair_stores_the_pairing_and_tries_it(cloud: Cloud, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "paired.db"
    for name, value in backends.server_env(db).items():  # the command's files (its key) beside the database
        monkeypatch.setenv(name, value)
    key = cloud.world.gateway_keys["site_market"]
    assert main(["box", "pair", cloud.url + "/", key, "--db", backends.database(db)]) == 0
    gateway = cloud.world.gateways["site_market"]
    assert f"paired with {cloud.url} (site site_market, gateway {gateway})" in capsys.readouterr().out

    async def stored() -> Any:
        async with open_context(backends.settings(db, static_dir=tmp_path / "static")) as ctx:
            return await load_pairing(ctx)

    pairing = asyncio.run(stored())
    assert (pairing.url, pairing.key) == (cloud.url, key)
    # A key the cloud does not know: refused, exit 2, saying so.
    assert main(["box", "pair", cloud.url, key[:-4] + "0000", "--db", backends.database(db)]) == 2
    assert "refused the key (401" in capsys.readouterr().err
    # A cloud that does not answer now: stored all the same; the box keeps trying.
    away = f"http://127.0.0.1:{free_port()}"
    assert main(["box", "pair", away, key, "--db", backends.database(db)]) == 0
    assert "stored; the cloud is not reachable now" in capsys.readouterr().out
    assert asyncio.run(stored()).url == away
    assert httpx.get(f"{cloud.url}/api/v1/health").status_code == 200
