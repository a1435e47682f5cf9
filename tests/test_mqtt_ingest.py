"""MQTT ingress (docs/operations.md, "MQTT ingress"): a real mosquitto, the real app subscribed to it, devices that
publish ingest bodies and vendor JSON and wait for the answers on their ack topic."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.ingest.vendor import VENDORS_DIR, VendorMapError, load_vendors
from server.settings import Settings
from server.web.app import create_app

from . import backends
from .conftest import Clock, World, add_admin, bearer, build_world, login
from .mqtt_helpers import Device, Mosquitto
from .test_disk_full import disk, fill  # noqa: F401  (disk: its small tmpfs, a fixture taken through request)

ROOT = Path(__file__).parent.parent
SERIAL = "SN-site_market"  # build_world's breaker on site_market: channels residual_ma and current_a


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto"))
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def settings(tmp_path: Path, broker: Mosquitto) -> Settings:
    """conftest's settings, with the server subscribed to this module's broker."""
    return backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static", notify_allow_private=True,
                    mqtt_url=broker.url)


@pytest.fixture
def device(broker: Mosquitto, world: World) -> Iterator[Device]:
    """A device on the broker, listening to every ack, once the app (started by ``world``) has subscribed."""
    device = Device(broker)
    device.listen()
    device.wait_for_server()
    yield device
    device.close()


def _sample(clock: Clock, value: float, ago: float = 0.0, channel: str = "residual_ma") -> dict[str, Any]:
    return {"device": SERIAL, "channel": channel, "ts": clock.now - ago, "value": value}


def _readings(client: TestClient[Any], world: World, channel_id: int, ts: float) -> list[float]:
    r = client.get(f"/api/v1/channels/{channel_id}/readings", params={"from": ts - 1, "to": ts + 1},
                   headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    return [v for t, v in zip(r.json()["ts"], r.json()["value"], strict=True) if t == ts]


def test_a_body_on_the_ingest_topic_is_stored_and_answered_as_over_http(
        client: TestClient[Any], world: World, clock: Clock, device: Device) -> None:
    gateway = world.gateways["site_market"]
    good = _sample(clock, 42.5, ago=30)
    bad = {"device": SERIAL, "channel": "residual_ma", "ts": "yesterday", "value": 1.0}
    body = {"batch_id": "mqtt-1", "samples": [good, bad]}
    device.publish(f"andian/{gateway}/ingest", body)
    answer = device.answer(gateway)
    assert answer["accepted"] == 1 and answer["duplicate"] is False
    [rejected] = answer["rejected"]
    assert rejected["index"] == 1 and rejected["kind"] == "sample" and "ts" in rejected["error"]
    assert _readings(client, world, world.channels["site_market"], good["ts"]) == [42.5]

    device.publish(f"andian/{gateway}/ingest", body)  # the same batch again: acknowledged, stored once
    again = device.answer(gateway)
    assert again["duplicate"] is True
    assert _readings(client, world, world.channels["site_market"], good["ts"]) == [42.5]

    # The same answer as HTTP gives for the same body (as a fresh batch of another gateway of the site).
    r = client.post(f"/api/v1/sites/{world.sites['site_market']}/gateways", headers=world.headers("admin"),
                    json={"name": "http twin"})
    http = client.post("/api/v1/ingest", json={**body, "batch_id": "http-1"},
                       headers={"Authorization": f"Bearer {r.json()['api_key']}"})
    assert http.status_code == 200
    assert set(http.json()) == set(answer) and http.json()["rejected"] == answer["rejected"]


def test_an_alarm_level_batch_raises_an_alarm(client: TestClient[Any], world: World, clock: Clock,
                                              device: Device) -> None:
    gateway = world.gateways["site_market"]
    samples = [_sample(clock, 450.0, ago=ago) for ago in (50, 40, 30, 20, 10, 0)]  # 300 mA alarm, held 50 s
    device.publish(f"andian/{gateway}/ingest", {"batch_id": "mqtt-alarm", "samples": samples})
    assert device.answer(gateway) == {"accepted": 6, "duplicate": False, "rejected": []}
    r = client.get("/api/v1/alarms", headers=world.headers("owner_1"))
    assert r.status_code == 200, r.text
    alarms = [a for a in r.json() if a["device_id"] == world.devices["site_market"]]
    assert [(a["level"], a["cause"]) for a in alarms] == [("alarm", "leakage")]


def test_bad_messages_get_error_answers_and_the_next_good_one_is_stored(
        client: TestClient[Any], world: World, clock: Clock, device: Device) -> None:
    gateway = world.gateways["site_market"]
    topic = f"andian/{gateway}/ingest"
    device.publish(topic, b"this is not json")
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "body"}
    assert "not valid JSON" in answer["detail"]

    device.publish(topic, b"[1, 2, 3]")
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "body"} and "object" in answer["detail"]

    device.publish(topic, b"[" * 100_000)  # nested deeper than any decoder goes
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "body"}

    device.publish(topic, {"batch_id": "has spaces", "samples": []})
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "batch_id"}

    too_large = b'{"batch_id": "big", "samples": [' + b" " * client.app.state["andian"].settings.max_body_bytes + b"]}"
    device.publish(topic, too_large)
    answer = device.answer(gateway)
    assert answer["status_code"] == 413 and answer["extra"] == {"field": "body"}

    device.publish("andian/999999/ingest", {"batch_id": "nobody", "samples": [_sample(clock, 1.0, ago=5)]})
    answer = device.answer(999999)
    assert answer["status_code"] == 401 and answer["extra"] == {"field": "topic"}
    assert "gateway 999999 does not exist or was revoked" in answer["detail"]

    revoked = world.gateways["site_hotel"]
    r = client.delete(f"/api/v1/gateways/{revoked}", headers=world.headers("admin"))
    assert r.status_code in (200, 204), r.text
    device.publish(f"andian/{revoked}/ingest", {"batch_id": "revoked", "samples": [
        {"device": "SN-site_hotel", "channel": "residual_ma", "ts": clock.now - 5, "value": 7.0}]})
    answer = device.answer(revoked)
    assert answer["status_code"] == 401 and answer["extra"] == {"field": "topic"}
    assert _readings(client, world, world.channels["site_hotel"], clock.now - 5) == []

    device.publish(f"andian/{gateway}/vendor/nosuchvendor", b"{}")
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "topic"} and "leak4g" in answer["detail"]

    good = _sample(clock, 12.0, ago=3)
    device.publish(topic, {"batch_id": "after-the-bad-ones", "samples": [good]})
    assert device.answer(gateway) == {"accepted": 1, "duplicate": False, "rejected": []}
    assert _readings(client, world, world.channels["site_market"], good["ts"]) == [12.0]


def test_vendor_json_goes_through_its_mapping(client: TestClient[Any], world: World, clock: Clock,
                                              device: Device) -> None:
    imei = "866123045678901"
    r = client.post(f"/api/v1/sites/{world.sites['site_care']}/devices", headers=world.headers("admin"), json={
        "serial": imei, "model": "4G-LEAK", "kind": "combined",
        "channels": [{"key": "residual_ma"}, {"key": "temp_c_1"}, {"key": "voltage_v"}],
    })
    assert r.status_code == 201, r.text
    channels = {c["key"]: c["id"] for c in r.json()["channels"]}
    gateway = world.gateways["site_care"]
    topic = f"andian/{gateway}/vendor/leak4g"
    ms = int((clock.now - 20) * 1000)
    message = {"imei": int(imei), "time": ms, "data": {"leak": 123, "t1": 35.2, "ua": 2205, "csq": 21}}
    device.publish(topic, message)
    assert device.answer(gateway) == {"accepted": 3, "duplicate": False, "rejected": []}
    ts = ms / 1000
    assert _readings(client, world, channels["residual_ma"], ts) == [123.0]
    assert _readings(client, world, channels["temp_c_1"], ts) == [35.2]
    assert _readings(client, world, channels["voltage_v"], ts) == [pytest.approx(220.5)]

    device.publish(topic, message)  # delivered twice: the batch id comes from the serial and the time
    assert device.answer(gateway)["duplicate"] is True

    later = {"imei": imei, "time": ms + 10_000, "data": {"leak": 130, "t1": "hot"}}
    device.publish(topic, later)
    answer = device.answer(gateway)
    assert answer["accepted"] == 1
    [rejected] = answer["rejected"]
    assert rejected["index"] == 1 and rejected["error"].startswith("data.t1: samples[1]")

    device.publish(topic, {"time": ms, "data": {"leak": 1}})
    answer = device.answer(gateway)
    assert answer["status_code"] == 400 and answer["extra"] == {"field": "imei"}

    # The same device through another site's gateway: unknown to it, as over HTTP.
    device.publish(f"andian/{world.gateways['site_market']}/vendor/leak4g", {**later, "time": ms + 20_000})
    answer = device.answer(world.gateways["site_market"])
    assert answer["accepted"] == 0 and "unknown device" in answer["rejected"][0]["error"]


def test_the_subscriber_reconnects_after_the_broker_restarts(
        client: TestClient[Any], world: World, clock: Clock, device: Device, broker: Mosquitto) -> None:
    gateway = world.gateways["site_market"]
    device.close()
    broker.stop()
    broker.start()  # the same port
    again = Device(broker)
    try:
        again.listen()
        again.wait_for_server()  # the subscriber is back (its backoff: 0.5, 1, 2, … s)
        sample = _sample(clock, 77.0, ago=1)
        again.publish(f"andian/{gateway}/ingest", {"batch_id": "after-restart", "samples": [sample]})
        assert again.answer(gateway) == {"accepted": 1, "duplicate": False, "rejected": []}
        assert _readings(client, world, world.channels["site_market"], sample["ts"]) == [77.0]
    finally:
        again.close()


def _documented_acl() -> str:
    page = (ROOT / "docs" / "operations.md").read_text("utf-8")
    found = re.search(r"with this ACL file:\n\n```\n(.*?)```", page, re.S)
    assert found, "docs/operations.md lost its mosquitto ACL"
    return found.group(1)


def test_the_documented_acl_keeps_each_gateway_to_its_own_topics(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, clock: Clock) -> None:
    """mosquitto with the ACL of docs/operations.md: gateway 2 cannot publish as gateway 1 or read its answers."""
    directory = tmp_path_factory.mktemp("mosquitto-acl")
    passwd = directory / "passwd"
    for user in ("andian", "1", "2"):
        subprocess.run(["mosquitto_passwd", *(["-c"] if user == "andian" else []), "-b", str(passwd), user,
                        f"pw-{user}"], check=True, capture_output=True)
    (directory / "acl").write_text(_documented_acl(), "utf-8")
    broker = Mosquitto(directory, f"allow_anonymous false\npassword_file {passwd}\nacl_file {directory / 'acl'}\n")
    broker.start()
    settings = backends.settings(tmp_path / "andian.db", static_dir=tmp_path / "static",
                        mqtt_url=f"mqtt://andian:pw-andian@127.0.0.1:{broker.port}")
    add_admin(settings)
    try:
        with TestClient(create_app(settings, clock=clock)) as client:
            world = build_world(client, bearer(login(client, "root")))
            assert world.gateways["site_market"] == 1 and world.gateways["site_care"] == 2
            one, two = Device(broker, "1", "pw-1"), Device(broker, "2", "pw-2")
            try:
                one.listen("andian/1/ack")
                two.listen("andian/2/ack")
                two.listen("andian/1/ack")  # refused by the broker (or granted and never delivered)
                two.wait_for_server(probe_gateway="2")  # its probes ("{}") are answered 400: no batch_id

                def own(batch_id: str, ago: float) -> dict[str, Any]:
                    """A batch of gateway 2's own, and its answer after the probes' answers."""
                    sample = {"device": "SN-site_care", "channel": "residual_ma", "ts": clock.now - ago, "value": 5.0}
                    two.publish("andian/2/ingest", {"batch_id": batch_id, "samples": [sample]})
                    while "status_code" in (answer := two.answer(2)):
                        pass
                    return answer

                forged = _sample(clock, 99.0, ago=9)
                two.publish("andian/1/ingest", {"batch_id": "forged", "samples": [forged]})  # dropped by the broker
                # The server handles messages in the order the broker passes them on: had the forged one passed,
                # it would be stored by the time the next one is answered.
                assert own("own-1", 9) == {"accepted": 1, "duplicate": False, "rejected": []}
                assert _readings(client, world, world.channels["site_market"], forged["ts"]) == []
                one.publish("andian/1/ingest", {"batch_id": "real", "samples": [forged]})
                assert one.answer(1)["accepted"] == 1
                assert _readings(client, world, world.channels["site_market"], forged["ts"]) == [99.0]
                # Answers reach a subscriber in the order they were published: gateway 1's came before this one.
                assert own("own-2", 8)["accepted"] == 1
                assert not two.has_answer(1), "gateway 2 read gateway 1's answer"
            finally:
                one.close()
                two.close()
    finally:
        broker.stop()


def test_the_shipped_mappings_load_and_a_bad_one_names_its_file_and_field(tmp_path: Path) -> None:
    assert "leak4g" in load_vendors(VENDORS_DIR)
    cases = {
        "nokey.toml": ('serial = "imei"\ntime = "time"\n[channels]\nresidual_ma = { field = "leak" }\n', "time_unit"),
        "badkey.toml": ('serial = "imei"\ntime = "time"\ntime_unit = "ms"\n[channels]\ntemp_x = { field = "t" }\n',
                        "channels.temp_x"),
        "badunit.toml": ('serial = "imei"\ntime = "time"\ntime_unit = "us"\n[channels]\nresidual_ma = '
                         '{ field = "leak" }\n', "time_unit"),
        "badscale.toml": ('serial = "imei"\ntime = "time"\ntime_unit = "s"\n[channels]\nresidual_ma = '
                          '{ field = "leak", scale = 0 }\n', "channels.residual_ma.scale"),
        "Bad Name.toml": ('serial = "imei"\n', "file name"),
    }
    for name, (text, field) in cases.items():
        directory = tmp_path / name.split(".")[0].replace(" ", "_")
        directory.mkdir()
        (directory / name).write_text(text, "utf-8")
        with pytest.raises(VendorMapError) as raised:
            load_vendors(directory)
        assert name in str(raised.value) and field in str(raised.value), str(raised.value)


@pytest.mark.sqlite_only("a SQLite file on a full disk: andian's reserve file and full mode")
def test_a_full_disk_is_an_error_answer_and_alarms_still_go_in(request: pytest.FixtureRequest, tmp_path: Path,
                                                               clock: Clock, broker: Mosquitto) -> None:
    """On a real small tmpfs (tests/test_disk_full.py): readings are refused with 507, the subscriber carries on,
    and a batch that raises an alarm is stored from the reserve."""
    small: Path = request.getfixturevalue("disk")
    settings = Settings(db_path=small / "andian.db", static_dir=tmp_path / "static", disk_reserve_bytes=256 * 1024,
                        mqtt_url=broker.url)
    add_admin(settings)
    with TestClient(create_app(settings, clock=clock)) as client:
        world = build_world(client, bearer(login(client, "root")))
        device = Device(broker)
        try:
            device.listen()
            device.wait_for_server()
            gateway = world.gateways["site_market"]
            fill(small)
            device.publish(f"andian/{gateway}/ingest", {"batch_id": "full-1", "samples": [_sample(clock, 12.0, 30)]})
            answer = device.answer(gateway)
            assert answer["status_code"] == 507 and "disk is full" in answer["detail"]
            assert answer["extra"] == {"retry_after_s": 60}
            samples = [_sample(clock, 450.0, ago=ago) for ago in (25, 20, 15, 10, 5, 0)]
            device.publish(f"andian/{gateway}/ingest", {"batch_id": "full-alarm", "samples": samples})
            assert device.answer(gateway) == {"accepted": 6, "duplicate": False, "rejected": []}
            r = client.get("/api/v1/alarms", headers=world.headers("admin"))
            assert [a["cause"] for a in r.json() if a["device_id"] == world.devices["site_market"]] == ["leakage"]
        finally:
            device.close()
