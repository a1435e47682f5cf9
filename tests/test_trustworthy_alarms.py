"""Alarms a person can act on, through the real app on an injected clock with the sender stepped by hand and a real
HTTP receiver: no blind spot from a sample stamped ahead, self-test alarms never sent nor counted, one hazard per
fault, and a breaker trip that ends an alarm still leading to a hazard (ISSUE 14)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from server import clock as watchdog
from server.hazards import automation
from server.hazards.service import announcer

from .notify_rig import Rig
from .replay import Site

MINUTE = 60.0




def device(rig: Rig, channels: list[str], serial: str) -> Site:
    return Site(rig.client, rig.clock, rig.world.headers("admin"), rig.world.sites["site_market"], serial, channels)


def post(site: Site, samples: list[tuple[str, float, float]], events: list[dict[str, Any]] | None = None) -> None:
    site.post([{"device": site.serial, "channel": k, "ts": ts, "value": v} for k, ts, v in samples],
              [{"device": site.serial, **e} for e in events or []])


def alarms(rig: Rig, site: Site) -> list[dict[str, Any]]:
    return site.alarms(rig.world.headers("admin"))


def run_rules(rig: Rig) -> int:
    ctx = rig.client.app.state["andian"]
    made: int = rig.client.blocking_portal.call(
        ctx.db.write, lambda conn: automation.run(conn, announcer(ctx), rig.clock.now))
    return made


def tick(rig: Rig) -> None:
    ctx = rig.client.app.state["andian"]
    rig.client.blocking_portal.call(ctx.db.write, lambda conn: watchdog.tick(ctx.pipeline, conn, rig.clock.now))


def hazards(rig: Rig) -> list[dict[str, Any]]:
    r = rig.client.get("/api/v1/hazards", headers=rig.world.headers("admin"))
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()
    return result


def test_a_sample_stamped_ahead_does_not_hide_the_alarm_readings_after_it(rig: Rig) -> None:
    """Ingest accepts a device clock up to 300 s fast; the readings that follow from a correct clock are judged."""
    rig.subscribe("owner_1", "owner")
    site = device(rig, ["residual_ma"], "SKEW-1")
    now = rig.clock.now
    post(site, [("residual_ma", now + 240, 120.0)])  # one sample from a clock four minutes fast
    for i in range(1, 13):  # then a minute of real leakage, every 5 s, stamped correctly
        rig.clock.now = now + 5 * i
        post(site, [("residual_ma", rig.clock.now, 420.0)])
    [alarm] = alarms(rig, site)
    assert alarm["cause"] == "leakage" and alarm["level"] == "alarm" and alarm["test"] is False
    assert alarm["cleared_at"] is None  # the leakage goes on: an alarm now, not an episode judged after the fact
    assert alarm["started_at"] <= now + 60  # judged as the readings came, not after the fast stamp
    rig.step()
    assert len(rig.got("owner")) == 1


def test_late_samples_are_judged_too(rig: Rig) -> None:
    """A batch whose readings are all older than what the channel has seen still raises what they show."""
    site = device(rig, ["residual_ma"], "LATE-1")
    now = rig.clock.now
    post(site, [("residual_ma", now, 120.0)])
    post(site, [("residual_ma", now - 120 + 5 * i, 450.0) for i in range(12)])  # a minute of leakage, sent late
    [alarm] = alarms(rig, site)
    assert alarm["cause"] == "leakage" and alarm["level"] == "alarm"


def test_readings_from_a_month_ago_are_history_not_an_active_alarm(rig: Rig) -> None:
    """A channel's first readings, all 30 days old (an import, a box that was off): a past episode, cleared."""
    site = device(rig, ["residual_ma"], "OLD-1")
    then = rig.clock.now - 30 * 86400
    post(site, [("residual_ma", then + 5 * i, 450.0) for i in range(12)])
    [alarm] = alarms(rig, site)
    assert alarm["cause"] == "leakage" and alarm["level"] == "alarm"
    assert then <= alarm["started_at"] <= then + 5 and alarm["cleared_at"] == then + 55
    active = rig.client.get("/api/v1/alarms", params={"active": True}, headers=rig.world.headers("admin")).json()
    assert all(a["device_id"] != site.device_id for a in active)
    # Fresh readings of the same fault are the present again: an alarm now.
    post(site, [("residual_ma", rig.clock.now - 60 + 5 * i, 450.0) for i in range(12)])
    assert [a["cleared_at"] for a in alarms(rig, site)].count(None) == 1


def test_self_test_alarms_are_shown_as_tests_never_sent_nor_made_hazards_nor_counted(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner")
    site = device(rig, ["residual_ma"], "TEST-1")
    now = rig.clock.now
    post(site, [("residual_ma", now, 100.0)], [{"kind": "self_test", "ts": now, "count": 1}])
    for i in range(1, 5):  # the detector injects its test current for 20 s
        rig.clock.now = now + 5 * i
        post(site, [("residual_ma", rig.clock.now, 480.0)])
    rig.clock.now = now + 30
    post(site, [("residual_ma", rig.clock.now, 100.0)])
    [alarm] = alarms(rig, site)
    assert alarm["test"] is True and alarm["level"] == "alarm" and alarm["cleared_at"] is not None
    rig.step()
    assert rig.got("owner") == []
    r = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=rig.world.headers("admin"))
    assert r.status_code == 200 and r.json() == []
    rig.clock.now += 31 * MINUTE
    assert run_rules(rig) == 0 and hazards(rig) == []
    month = time.strftime("%Y-%m", time.gmtime(now))
    site_id = rig.world.sites["site_market"]
    report = rig.client.get(f"/api/v1/sites/{site_id}/report", params={"period": month},
                            headers=rig.world.headers("admin"))
    assert report.status_code == 200, report.text
    assert report.json()["alarms_total"] == 0
    hotspots = rig.client.get("/api/v1/stats/hotspots", headers=rig.world.headers("regulator_fire"))
    assert hotspots.status_code == 200, hotspots.text
    assert sum(map(sum, hotspots.json()["counts"])) == 0  # nor do the regulators' alarm statistics
    site_page = rig.client.get(f"/api/v1/sites/{site_id}", headers=rig.world.headers("admin")).json()
    assert site_page["status"] == "normal"

    # After the 60 s window the same leakage is a real alarm, and people are told.
    rig.clock.now = now + 200
    for _ in range(4):
        rig.clock.now += 5
        post(site, [("residual_ma", rig.clock.now, 480.0)])
    real = next(a for a in alarms(rig, site) if a["cleared_at"] is None)
    assert real["test"] is False
    rig.step()
    assert len(rig.got("owner")) == 1
    hotspots = rig.client.get("/api/v1/stats/hotspots", headers=rig.world.headers("regulator_fire"))
    assert sum(map(sum, hotspots.json()["counts"])) == 1  # the real one counts


def test_a_test_alarm_that_outlives_its_self_test_becomes_a_real_alarm(rig: Rig) -> None:
    """Neither a fault that starts during a self-test nor a stream of self_test events can hide an alarm."""
    rig.subscribe("owner_1", "owner")
    site = device(rig, ["residual_ma"], "TEST-2")
    now = rig.clock.now
    for i in range(0, 70):  # self_test every 50 s while the leakage stays high for ten minutes
        rig.clock.now = now + 10 * i
        events = [{"kind": "self_test", "ts": rig.clock.now, "count": 1}] if i % 5 == 0 else []
        post(site, [("residual_ma", rig.clock.now, 450.0)], events)
        tick(rig)
    real = [a for a in alarms(rig, site) if not a["test"]]
    assert len(real) == 1 and real[0]["cleared_at"] is None
    assert real[0]["started_at"] <= now + 300 + 30  # within a watchdog round of the 5 minutes a test may last
    rig.step()
    assert len(rig.got("owner")) == 1


def arc_burst(rig: Rig, site: Site, at: float) -> None:
    rig.clock.now = at
    post(site, [("arc", at, 0.0)], [{"kind": "arc", "ts": at + 0.1 * k, "count": 3} for k in range(6)])


def test_repeat_arc_alarms_of_one_device_make_one_hazard_with_each_alarm_on_its_timeline(rig: Rig) -> None:
    site = device(rig, ["arc"], "ARC-1")
    start = rig.clock.now
    for n in range(4):  # four bursts in 22 minutes, each an alarm that clears after 5 quiet minutes
        arc_burst(rig, site, start + n * 7 * MINUTE)
        rig.clock.now += 6 * MINUTE
        tick(rig)
        run_rules(rig)
    arcs = [a for a in alarms(rig, site) if a["cause"] == "arc"]
    assert len(arcs) == 4 and all(a["cleared_at"] is not None for a in arcs)
    [hazard] = hazards(rig)
    detail = rig.client.get(f"/api/v1/hazards/{hazard['id']}", headers=rig.world.headers("admin")).json()
    again = [e for e in detail["events"] if e["kind"] == "alarm_again"]
    assert sorted(e["detail"]["alarm_id"] for e in again) == sorted(a["id"] for a in arcs)[1:]
    assert hazard["alarm_id"] == min(a["id"] for a in arcs)

    # Once that hazard is closed, the next arc opens a new one.
    closer = rig.client.post(f"/api/v1/hazards/{hazard['id']}/transition", json={"to": "closed"},
                             headers=rig.world.headers("admin"))
    assert closer.status_code == 409  # it has to be rectified and verified first: the loop is not skipped
    ctx = rig.client.app.state["andian"]
    rig.client.blocking_portal.call(ctx.db.write, lambda conn: conn.execute(
        "UPDATE hazards SET state = 'closed' WHERE id = ?", [hazard["id"]]))
    arc_burst(rig, site, rig.clock.now + MINUTE)
    run_rules(rig)
    assert len(hazards(rig)) == 2


def test_an_alarm_ended_by_a_trip_says_so_shows_the_breaker_open_and_still_becomes_a_hazard(rig: Rig) -> None:
    site = device(rig, ["residual_ma"], "TRIP-1")
    site_id = rig.world.sites["site_market"]
    now = rig.clock.now
    for i in range(6):
        rig.clock.now = now + 5 * i
        post(site, [("residual_ma", rig.clock.now, 420.0)])
    rig.clock.now = now + 40
    post(site, [("residual_ma", rig.clock.now, 0.0)], [{"kind": "trip", "ts": rig.clock.now - 1, "count": 1}])
    [alarm] = alarms(rig, site)
    assert alarm["cleared_at"] is not None and alarm["cleared_reason"] == "trip" and alarm["tripped_by"] is None
    page = rig.client.get(f"/api/v1/sites/{site_id}", headers=rig.world.headers("owner_1")).json()
    assert page["status"] == "power_off"
    [breaker] = [d for d in page["devices"] if d["serial"] == "TRIP-1"]
    assert breaker["switch"] == "open" and breaker["switch_at"] == pytest.approx(now + 39)
    assert run_rules(rig) == 1
    [hazard] = hazards(rig)
    assert hazard["alarm_id"] == alarm["id"] and hazard["state"] == "assigned"
    assert "跳闸断电，故障原因尚未排除" in hazard["description"]

    # Closing the breaker again: the site is back to normal, and the position is recorded.
    rig.clock.now += MINUTE
    post(site, [("residual_ma", rig.clock.now, 90.0)], [{"kind": "close", "ts": rig.clock.now, "count": 1}])
    page = rig.client.get(f"/api/v1/sites/{site_id}", headers=rig.world.headers("owner_1")).json()
    assert page["status"] == "normal"


def test_an_alarm_that_clears_by_itself_with_the_breaker_closed_is_no_trip(rig: Rig) -> None:
    site = device(rig, ["residual_ma"], "TRIP-2")
    now = rig.clock.now
    post(site, [("residual_ma", now, 100.0)], [{"kind": "close", "ts": now, "count": 1}])
    for i in range(1, 7):
        rig.clock.now = now + 5 * i
        post(site, [("residual_ma", rig.clock.now, 420.0)])
    rig.clock.now += 10
    post(site, [("residual_ma", rig.clock.now, 100.0)])
    [alarm] = alarms(rig, site)
    assert alarm["cleared_at"] is not None and alarm["cleared_reason"] is None


def test_a_trip_in_the_same_batch_as_the_reading_it_causes_ends_the_alarm(rig: Rig) -> None:
    """The trip and the reading it causes may come in one batch in any order: the trip still ends the alarm."""
    site = device(rig, ["residual_ma"], "TRIP-3")
    now = rig.clock.now
    for i in range(6):
        rig.clock.now = now + 5 * i
        post(site, [("residual_ma", rig.clock.now, 420.0)])
    rig.clock.now = now + 40
    body = {"batch_id": str(uuid.uuid4()),
            "samples": [{"device": site.serial, "channel": "residual_ma", "ts": now + 40, "value": 0.0}],
            "events": [{"device": site.serial, "kind": "trip", "ts": now + 40, "count": 1}]}
    r = rig.client.post("/api/v1/ingest", json=body, headers=site.headers)
    assert r.status_code == 200 and r.json()["rejected"] == []
    [alarm] = alarms(rig, site)
    assert alarm["cleared_reason"] == "trip"
