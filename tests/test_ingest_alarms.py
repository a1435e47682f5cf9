"""Arc windows, offline, restarts, acknowledgement and readings, through the real app on an injected clock."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from server.settings import Settings
from server.web.app import create_app

from .conftest import Clock, World
from .replay import Site


def _arc_site(client: TestClient[Any], clock: Clock, world: World) -> Site:
    return Site(client, clock, world.headers("admin"), world.sites["site_market"], "ARC-1", ["arc", "current_a"])


def _burst(site: Site, start: float, count: int, spacing: float = 0.05) -> list[dict[str, Any]]:
    return [{"device": site.serial, "kind": "arc", "ts": start + i * spacing, "count": 1} for i in range(count)]


def test_nine_arc_half_cycles_a_second_never_alarm(client: TestClient[Any], clock: Clock, world: World) -> None:
    site = _arc_site(client, clock, world)
    # Nine half-cycles in every second for ten seconds, sent in batches that split the windows.
    events = [e for second in range(10) for e in _burst(site, clock.now + second, 9, 0.1)]
    for i in range(0, len(events), 7):
        site.post([], events[i:i + 7])
    clock.advance(20)
    assert site.alarms(world.headers("owner_1")) == []


def test_fifteen_arc_half_cycles_alarm_and_clear_when_quiet(client: TestClient[Any], clock: Clock,
                                                          world: World) -> None:
    site = _arc_site(client, clock, world)
    events = _burst(site, clock.now, 15)
    site.post([], events[:8])  # the window spans two batches
    site.post([], events[8:])
    [alarm] = site.alarms(world.headers("owner_1"))
    assert (alarm["cause"], alarm["level"], alarm["channel"], alarm["peak"]) == ("arc", "alarm", "arc", 15)
    def arc_alarm() -> dict[str, Any]:
        [found] = [a for a in site.alarms(world.headers("owner_1")) if a["cause"] == "arc"]
        return found

    clock.advance(120)
    site.tick()
    assert arc_alarm()["cleared_at"] is None
    clock.advance(200)
    site.tick()
    assert arc_alarm()["cleared_at"] is not None


def test_arc_event_from_a_device_without_an_arc_channel_is_refused(client: TestClient[Any], clock: Clock,
                                                                  world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "NOARC", ["residual_ma"])
    r = client.post("/api/v1/ingest", headers=site.headers, json={
        "batch_id": "b-noarc", "samples": [{"device": "NOARC", "channel": "residual_ma", "ts": clock.now,
                                            "value": 120}],
        "events": _burst(site, clock.now, 1)})
    assert r.status_code == 200
    assert r.json()["accepted"] == 1
    [rejected] = r.json()["rejected"]
    assert rejected["kind"] == "event" and "register channel 'arc'" in rejected["error"]


def test_offline_within_three_intervals_and_back(client: TestClient[Any], clock: Clock, world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "OFF-1", ["residual_ma"],
                poll_interval_s=10)
    site.replay({"residual_ma": lambda t: 120.0}, 120, every=10, batch_s=10)
    last = clock.now - 10
    for _ in range(6):  # the watchdog runs every 5 s
        clock.advance(5)
        site.tick()
    alarms = site.alarms(world.headers("owner_1"))
    assert [(a["cause"], a["level"], a["channel"]) for a in alarms] == [("offline", "offline", None)]
    assert alarms[0]["started_at"] - last <= 3 * 10 + 5
    site.replay({"residual_ma": lambda t: 121.0}, 10, every=10, batch_s=10)
    [offline] = site.alarms(world.headers("owner_1"))
    assert offline["cleared_at"] is not None
    r = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("owner_1"))
    assert r.json()["status"] == "normal"


def test_restart_keeps_the_active_alarm_and_never_raises_it_twice(settings: Settings, clock: Clock,
                                                                  client: TestClient[Any], world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "RST-1", ["residual_ma"])
    site.replay({"residual_ma": lambda t: 450.0}, 60)
    assert [a["level"] for a in site.alarms(world.headers("owner_1"))] == ["alarm"]
    client.__exit__(None, None, None)  # stop the app: lifespan shutdown checkpoints detector state
    with TestClient(create_app(settings, clock=clock)) as again:
        site.client = again
        site.replay({"residual_ma": lambda t: 460.0}, 60)
        [alarm] = site.alarms(world.headers("owner_1"))
        assert alarm["cleared_at"] is None and alarm["peak"] == 460
        site.replay({"residual_ma": lambda t: 120.0}, 30)
        [alarm] = site.alarms(world.headers("owner_1"))
        assert alarm["cleared_at"] is not None


def test_status_ack_and_roles(client: TestClient[Any], clock: Clock, world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "ACK-1", ["residual_ma"])
    site.replay({"residual_ma": lambda t: 260.0}, 60)
    site_id = world.sites["site_market"]
    assert client.get(f"/api/v1/sites/{site_id}", headers=world.headers("owner_1")).json()["status"] == "prealarm"
    [alarm] = site.alarms(world.headers("owner_1"))
    assert alarm["threshold"] == 240 and alarm["unit"] == "mA" and alarm["device_serial"] == "ACK-1"
    # Scoped like everything else: another company's operator does not see it at all.
    assert client.post(f"/api/v1/alarms/{alarm['id']}/ack", headers=world.headers("operator_b")).status_code == 404
    assert client.get("/api/v1/alarms", headers=world.headers("operator_b")).json() == []
    # A regulator sees it but does not answer for it.
    assert client.post(f"/api/v1/alarms/{alarm['id']}/ack", headers=world.headers("regulator_fire")).status_code == 403
    r = client.post(f"/api/v1/alarms/{alarm['id']}/ack", headers=world.headers("owner_1"), json={"note": "电工已出发"})
    assert r.status_code == 200, r.text
    assert r.json()["acknowledged_by"] == "owner_1" and r.json()["ack_note"] == "电工已出发"
    assert r.json()["cleared_at"] is None  # acknowledging is not clearing
    active = client.get(f"/api/v1/alarms?site_id={site_id}&active=true", headers=world.headers("owner_1")).json()
    assert [a["id"] for a in active] == [alarm["id"]]


def test_readings_range_and_step(client: TestClient[Any], clock: Clock, world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "RD-1", ["residual_ma"])
    start = clock.now
    site.replay({"residual_ma": lambda t: 100.0 + t / 60}, 3600, every=10)
    channel = client.get(f"/api/v1/devices/{site.device_id}", headers=world.headers("owner_1")).json()["channels"][0]
    url = f"/api/v1/channels/{channel['id']}/readings"
    raw = client.get(url, params={"from": start, "to": start + 600}, headers=world.headers("owner_1")).json()
    assert len(raw["ts"]) == 61 and raw["value"][0] == 100.0 and raw["ts"] == sorted(raw["ts"])
    stepped = client.get(url, params={"from": start, "to": start + 3599, "step": 600},
                         headers=world.headers("owner_1")).json()
    assert len(stepped["ts"]) == 6
    assert abs(stepped["value"][0] - (100 + 295 / 60)) < 1e-6  # the mean of the first ten minutes
    backwards = {"from": start + 10, "to": start}
    assert client.get(url, params=backwards, headers=world.headers("owner_1")).status_code == 400
    assert client.get(url, headers=world.headers("operator_b")).status_code == 404
