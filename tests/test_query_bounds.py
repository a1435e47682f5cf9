"""Every range query is bounded by what it may return: the readings of a channel (points, range and step) and the
report periods; a bound is a 400 naming the parameter and what would fit, never minutes of work or a 500."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from server.clock import housekeeping
from server.readings.service import MAX_POINTS

from .conftest import Clock, World
from .replay import Site


def _channel_url(client: TestClient[Any], world: World, site: Site) -> str:
    device = client.get(f"/api/v1/devices/{site.device_id}", headers=world.headers("admin")).json()
    return f"/api/v1/channels/{device['channels'][0]['id']}/readings"


def test_the_fuzzers_range_is_refused_naming_the_step_that_fits(client: TestClient[Any], clock: Clock,
                                                                 world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "QB-1", ["residual_ma"])
    url = _channel_url(client, world, site)
    # The independent test's request: a gateway key, 900 years at a 1 s step.
    r = client.get(url, params={"from": 946684801, "to": 30000000000, "step": 1}, headers=site.headers)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["extra"] == {"field": "step"}
    fitting = -(-(30000000000 - 946684801) // MAX_POINTS)
    assert f"step ≥ {fitting}" in body["detail"]
    # The step it names is answered (nothing stored that long ago: an empty answer, quickly).
    r = client.get(url, params={"from": 946684801, "to": 30000000000, "step": fitting}, headers=site.headers)
    assert r.status_code == 200, r.text
    # Raw readings over more than a week need a step.
    r = client.get(url, params={"from": clock.now - 8 * 86400, "to": clock.now}, headers=site.headers)
    assert r.status_code == 400 and r.json()["extra"] == {"field": "step"}


def test_a_raw_range_holding_more_than_one_answer_asks_for_a_step(client: TestClient[Any], clock: Clock,
                                                                   world: World) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "QB-2", ["residual_ma"])
    start = clock.now
    site.replay({"residual_ma": lambda t: 50.0}, MAX_POINTS + 100, every=1, batch_s=3000)
    url = _channel_url(client, world, site)
    r = client.get(url, params={"from": start, "to": clock.now}, headers=world.headers("owner_1"))
    assert r.status_code == 400, r.text
    assert r.json()["extra"] == {"field": "step"} and f"more than {MAX_POINTS} readings" in r.json()["detail"]
    r = client.get(url, params={"from": start, "to": start + 600}, headers=world.headers("owner_1"))
    assert r.status_code == 200 and len(r.json()["ts"]) == 601
    r = client.get(url, params={"from": start, "to": clock.now, "step": 2}, headers=world.headers("owner_1"))
    assert r.status_code == 200 and set(r.json()["value"]) == {50.0}


def test_bucket_means_are_the_same_from_raw_readings_and_from_the_rollups(client: TestClient[Any], clock: Clock,
                                                                          world: World) -> None:
    start = clock.now = clock.now - clock.now % 3600
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "QB-3", ["residual_ma"])
    site.replay({"residual_ma": lambda t: 100.0 + (t % 977) / 7}, 3 * 3600, every=10)
    url = _channel_url(client, world, site)
    asks = [{"from": start, "to": start + 3 * 3600 - 1, "step": step} for step in (60, 600, 3600)]
    before = [client.get(url, params=ask, headers=world.headers("owner_1")).json() for ask in asks]
    # The watchdog's housekeeping rolls the finished minutes and hours up (an hour a round); later asks read the
    # aggregates.
    ctx = client.app.state["andian"]
    for _ in range(4):
        client.blocking_portal.call(ctx.db.write, lambda conn: housekeeping(conn, clock.now + 600, 90, 400))
    after = [client.get(url, params=ask, headers=world.headers("owner_1")).json() for ask in asks]
    for raw, rolled in zip(before, after, strict=True):
        assert raw["ts"] == rolled["ts"]
        assert all(abs(a - b) < 1e-6 for a, b in zip(raw["value"], rolled["value"], strict=True))
    assert [len(b["ts"]) for b in before] == [180, 18, 3]


def test_report_periods_out_of_range_or_before_the_site_say_so(client: TestClient[Any], clock: Clock,
                                                                world: World) -> None:
    url = f"/api/v1/sites/{world.sites['site_market']}/report"
    owner = world.headers("owner_1")
    for period, words in [("9999-12", "has not begun"), ("0000-01", "before andian kept any data"),
                          ("1999-12", "before andian kept any data"), ("2025-13", "not a month")]:
        r = client.get(url, params={"period": period}, headers=owner)
        assert r.status_code == 400, (period, r.text)
        assert r.json()["extra"] == {"field": "period"} and words in r.json()["detail"], r.text
    # The world's sites were registered at the clock's start (2025-11-23): October has no data and no grade.
    r = client.get(url, params={"period": "2025-10"}, headers=owner)
    assert r.status_code == 400 and "registered on 2025-11-23" in r.json()["detail"], r.text
    r = client.get(url, params={"period": "2025-11"}, headers=owner)
    assert r.status_code == 200 and r.json()["grade"] in "ABCD"
