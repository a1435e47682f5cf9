"""What a site's page shows first (issue 18, story 1): each channel's last known reading in the site's answer, the
channel's human label (PATCH /api/v1/channels/{id}), and the site's capabilities against its venue type — by the
same rule as the regulators' statistics."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from server.storage import readings as reading_sql

from . import backends
from .conftest import T0, World
from .test_api_validation import assert_error

DEVICE = "SN-site_market"  # the world's breaker at the market: residual_ma and current_a


def ingest(client: TestClient[Any], world: World, batch: str, samples: list[tuple[str, float, float]]) -> None:
    r = client.post("/api/v1/ingest", headers={"Authorization": f"Bearer {world.gateway_keys['site_market']}"},
                    json={"batch_id": batch, "samples": [{"device": DEVICE, "channel": key, "ts": ts, "value": value}
                                                         for key, ts, value in samples]})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == len(samples), r.text


def channels(client: TestClient[Any], world: World, who: str = "owner_1") -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers(who))
    assert r.status_code == 200, r.text
    (device,) = [d for d in r.json()["devices"] if d["serial"] == DEVICE]
    return {c["key"]: c for c in device["channels"]}


def test_site_answer_carries_each_channels_newest_reading(client: TestClient[Any], world: World) -> None:
    assert channels(client, world)["residual_ma"]["latest"] is None  # never reported: null, not 0
    ingest(client, world, "latest-1", [("residual_ma", T0 - 30, 120.0), ("residual_ma", T0 - 20, 135.5),
                                       ("current_a", T0 - 3 * 3600, 7.25)])
    got = channels(client, world)
    assert got["residual_ma"]["latest"] == {"ts": T0 - 20, "value": 135.5}
    # Three hours old and nothing rolled up yet: the raw readings are searched further back.
    assert got["current_a"]["latest"] == {"ts": T0 - 3 * 3600, "value": 7.25}

    # Once the minutes are rolled up, an old reading is found through its newest aggregate, not a long raw scan.
    ctx = client.app.state["andian"]
    client.blocking_portal.call(ctx.db.write, lambda conn: reading_sql.rollup(conn, T0, max_minutes=10**6))
    assert channels(client, world)["current_a"]["latest"] == {"ts": T0 - 3 * 3600, "value": 7.25}
    # Sent late, for a time behind the rolled-up minutes (a box forwarding after an outage): found before the next
    # rollup has taken it into an aggregate, and newer than the aggregate it will join.
    ingest(client, world, "latest-late", [("current_a", T0 - 2 * 3600, 8.5)])
    assert channels(client, world)["current_a"]["latest"] == {"ts": T0 - 2 * 3600, "value": 8.5}
    # A later reading wins; one sent late for an earlier time does not replace it.
    ingest(client, world, "latest-2", [("residual_ma", T0 - 5, 140.0), ("residual_ma", T0 - 25, 99.0)])
    assert channels(client, world)["residual_ma"]["latest"] == {"ts": T0 - 5, "value": 140.0}


def test_latest_finds_readings_only_an_aggregate_still_has(client: TestClient[Any], world: World) -> None:
    """Raw readings past retention are gone; the hour aggregate's mean stands in, at its start."""
    ingest(client, world, "old-1", [("current_a", T0 - 10 * 86400 + 10, 4.0), ("current_a", T0 - 10 * 86400 + 20, 6.0)])
    ctx = client.app.state["andian"]
    channel_id = channels(client, world)["current_a"]["id"]

    def rolled_and_pruned(conn: Any) -> dict[int, tuple[float, float]]:
        reading_sql.rollup(conn, T0, max_minutes=10**6)
        reading_sql.prune(conn, T0, raw_days=1, minute_days=1)
        return reading_sql.latest(conn, [channel_id], T0)

    found = client.blocking_portal.call(ctx.db.write, rolled_and_pruned)
    hour = (T0 - 10 * 86400) // 3600 * 3600
    assert found == {channel_id: (hour, 5.0)}


def test_channel_label_is_set_by_installers_and_shown_to_the_owner(client: TestClient[Any], world: World) -> None:
    channel_id = world.channels["site_market"]
    path = f"/api/v1/channels/{channel_id}"
    r = client.patch(path, json={"label": "  二楼走廊照明   进线端子 "}, headers=world.headers("installer_a"))
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "二楼走廊照明 进线端子"  # one line, single spaces
    before = r.json()["settings"]
    assert before["enabled"] is True  # the settings were left as they were
    assert channels(client, world)["residual_ma"]["label"] == "二楼走廊照明 进线端子"
    assert client.get(path, headers=world.headers("owner_1")).json()["label"] == "二楼走廊照明 进线端子"

    # Settings and label together; then settings alone keep the label.
    r = client.patch(path, json={"label": "插座回路", "settings": {"alarm": 280}}, headers=world.headers("operator_a"))
    assert r.status_code == 200, r.text
    assert (r.json()["label"], r.json()["settings"]["alarm"]) == ("插座回路", 280)
    r = client.patch(path, json={"settings": {"alarm": 300}}, headers=world.headers("operator_a"))
    assert (r.json()["label"], r.json()["settings"]["alarm"]) == ("插座回路", 300)
    # An empty label clears it (the PWA falls back to circuit · quantity).
    r = client.patch(path, json={"label": ""}, headers=world.headers("installer_a"))
    assert r.status_code == 200 and r.json()["label"] == ""

    # The owner reads it but may not change it; another company's operator does not see the channel at all.
    assert_error(client.patch(path, json={"label": "我的"}, headers=world.headers("owner_1")), 403)
    assert_error(client.patch(path, json={"label": "别家"}, headers=world.headers("operator_b")), 404)
    assert channels(client, world)["residual_ma"]["label"] == ""


@pytest.mark.parametrize(("body", "field"), [
    ({"label": "长" * 61}, "label"),
    ({"label": "第一行\n第二行"}, "label"),
    ({"label": "\x1b[31m红"}, "label"),
    ({"label": 12}, "label"),
    ({"label": None}, "settings"),  # null leaves the label as it is, so nothing is left to change
    ({}, "settings"),
    ({"name": "x"}, "name"),
])
def test_bad_label_bodies_are_400_naming_the_field(client: TestClient[Any], world: World, body: dict[str, Any],
                                                   field: str) -> None:
    path = f"/api/v1/channels/{world.channels['site_market']}"
    detail = assert_error(client.patch(path, json=body, headers=world.headers("installer_a")), 400)
    assert detail.startswith(f"{field}:"), detail
    assert client.get(path, headers=world.headers("admin")).json()["label"] == ""


def _commission(client: TestClient[Any], device_ids: list[int]) -> None:
    """What a signed acceptance does to a device's state, done here directly (the flow has its own tests)."""
    with backends.connect(client.app.state["andian"].settings) as conn:
        conn.executemany("UPDATE devices SET state = 'commissioned' WHERE id = ?", [(i,) for i in device_ids])


def test_capabilities_follow_commissioned_devices_and_agree_with_the_statistics(
    client: TestClient[Any], world: World,
) -> None:
    care = world.sites["site_care"]  # 养老机构: fault-arc detection required

    def capabilities() -> dict[str, Any]:
        r = client.get(f"/api/v1/sites/{care}", headers=world.headers("owner_2"))
        assert r.status_code == 200, r.text
        caps: dict[str, Any] = r.json()["capabilities"]
        stats = client.get("/api/v1/stats/coverage", headers=world.headers("admin")).json()
        assert caps["compliant"] == (care not in stats["not_compliant"])  # one rule for both
        return caps

    assert capabilities() == {"required": ["arc_detection"], "present": [], "compliant": False}
    r = client.post(f"/api/v1/sites/{care}/devices", headers=world.headers("admin"), json={
        "serial": "CARE-ARC-1", "model": "AD-AF1", "kind": "arc", "channels": [{"key": "current_a"}, {"key": "arc"}]})
    assert r.status_code == 201, r.text
    arc_id = r.json()["id"]
    assert capabilities()["compliant"] is False  # registered, not yet accepted: does not count
    _commission(client, [arc_id, world.devices["site_care"]])
    assert capabilities() == {"required": ["arc_detection"], "present": ["arc_detection"], "compliant": True}

    # A market needs arc extinguishing; its plain breaker gives nothing of the kind.
    _commission(client, [world.devices["site_market"]])
    r = client.get(f"/api/v1/sites/{world.sites['site_market']}", headers=world.headers("owner_1"))
    assert r.json()["capabilities"] == {"required": ["arc_extinguishing"], "present": [], "compliant": False}
