"""Done-when 3 of issue 5: escalation, digest, quiet hours, the rate limit and retries, on an injected clock.

The sender is stepped by hand (``create_app(notify=False)`` and one ``Notifier``), against a real HTTP
receiver; the watchdog is slowed down so that moving the clock makes no offline alarms of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from server.notify import policy
from server.settings import Settings

from .conftest import Clock
from .notify_rig import HOUR, Rig, make_rig
from .receivers import WebhookReceiver


def test_ladder_owner_then_operator_then_inspector(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner")
    rig.subscribe("operator_a", "operator")
    rig.subscribe("inspector_heshan", "inspector")
    rig.subscribe("inspector_ziyang", "other_grid")  # another grid: never told
    alarm = rig.alarm(rig.device())
    rig.step()
    told_at = rig.clock.now
    assert len(rig.got("owner")) == 1 and rig.got("operator") == [] and rig.got("inspector") == []

    rig.clock.now = told_at + 599
    rig.step()
    assert rig.got("operator") == []
    rig.clock.now = told_at + 600
    rig.step()
    [operator] = rig.got("operator")
    assert "此报警已 10 分钟无人确认" in operator and "（运营单位）" in operator
    assert f"/alarms/{alarm['id']}" in operator
    one = rig.client.get(f"/api/v1/alarms/{alarm['id']}", headers=rig.world.headers("owner_1")).json()
    assert one["escalated_tier"] == 1
    assert rig.got("inspector") == []

    rig.clock.now = told_at + 1800
    rig.step()
    [inspector] = rig.got("inspector")
    assert "30 分钟无人确认" in inspector and "（网格员）" in inspector
    assert rig.client.get(f"/api/v1/alarms/{alarm['id']}", headers=rig.world.headers("admin")).json()[
        "escalated_tier"] == 2
    rig.clock.now = told_at + 4000
    rig.step()
    assert len(rig.got("owner")) == 1 and len(rig.got("operator")) == 1 and len(rig.got("inspector")) == 1
    assert rig.got("other_grid") == []
    log = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=rig.world.headers("admin")).json()
    assert [(d["user"], d["tier"], d["state"]) for d in log] == [
        ("owner_1", 0, "sent"), ("operator_a", 1, "sent"), ("inspector_heshan", 2, "sent")]
    seen_by_owner = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries",
                                   headers=rig.world.headers("owner_1")).json()
    assert [bool(d["target"]) for d in seen_by_owner] == [True, False, False]  # others' addresses stay theirs


def test_acknowledgement_stops_the_ladder(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner")
    rig.subscribe("operator_a", "operator")
    alarm = rig.alarm(rig.device())
    rig.step()
    rig.clock.advance(300)
    r = rig.client.post(f"/api/v1/alarms/{alarm['id']}/ack", json={"note": "电工已到场"},
                        headers=rig.world.headers("owner_1"))
    assert r.status_code == 200, r.text
    rig.clock.advance(3 * HOUR)
    rig.step()
    assert len(rig.got("owner")) == 1 and rig.got("operator") == []
    assert rig.client.get(f"/api/v1/alarms/{alarm['id']}", headers=rig.world.headers("admin")).json()[
        "escalated_tier"] == 0


def test_an_empty_rung_is_skipped(rig: Rig) -> None:
    """Nobody can be told at the unit: the operator company hears at once, the inspector at the first step."""
    rig.subscribe("operator_a", "operator")
    rig.subscribe("inspector_heshan", "inspector")
    rig.alarm(rig.device())
    rig.step()
    told_at = rig.clock.now
    assert len(rig.got("operator")) == 1 and rig.got("inspector") == []
    assert "无人确认" not in rig.got("operator")[0]
    rig.clock.now = told_at + 600
    rig.step()
    assert len(rig.got("inspector")) == 1


def test_prealarms_come_in_one_digest_per_interval_and_alarms_at_once(rig: Rig) -> None:
    rig.subscribe("owner_1", "owner", digest_interval_s=900)
    first = rig.alarm(rig.device(), 260.0)
    rig.step()
    started = rig.clock.now
    assert rig.got("owner") == []
    second = rig.alarm(rig.device(), 270.0)
    alarm = rig.alarm(rig.device(), 420.0)
    rig.step()
    [at_once] = rig.got("owner")
    assert at_once.startswith("【报警】") and f"/alarms/{alarm['id']}" in at_once

    rig.clock.now = started + 899
    rig.step()
    assert len(rig.got("owner")) == 1
    rig.clock.now = started + 900
    rig.step()
    digest = rig.got("owner")[1]
    assert digest.startswith("【预警摘要】2 条 · site_market")
    assert f"/alarms/{first['id']}" in digest and f"/alarms/{second['id']}" in digest
    assert "超过预警值 240 mA" in digest
    rig.clock.advance(5 * HOUR)
    rig.step()
    assert len(rig.got("owner")) == 2


def test_quiet_hours_hold_the_digest_never_an_alarm(rig: Rig) -> None:
    # Conftest's T0 is 08:00 in Shanghai; move to 23:00, inside quiet hours 22:00–07:00.
    rig.clock.advance(15 * HOUR)
    assert policy.in_quiet_hours(rig.clock.now, "22:00", "07:00", "Asia/Shanghai")
    rig.subscribe("owner_1", "owner", digest_interval_s=300, quiet_start="22:00", quiet_end="07:00")
    rig.alarm(rig.device(), 260.0)
    rig.alarm(rig.device(), 450.0)
    rig.step()
    assert [m[:4] for m in rig.got("owner")] == ["【报警】"]
    rig.clock.now = rig.clock.now - rig.clock.now % HOUR + 7 * HOUR + 59 * 60  # 06:59
    rig.step()
    assert len(rig.got("owner")) == 1
    rig.clock.advance(60)  # 07:00
    rig.step()
    assert rig.got("owner")[1].startswith("【预警摘要】1 条")


@pytest.fixture
def tight(settings: Settings, clock: Clock, hooks: WebhookReceiver) -> Iterator[Rig]:
    yield from make_rig(settings, clock, hooks, notify_rate_max=3, notify_rate_window_s=600.0)


def test_rate_limit_folds_the_excess_into_one_summary(tight: Rig) -> None:
    rig = tight
    rig.subscribe("owner_1", "sms")
    alarms = []
    for _ in range(5):
        alarms.append(rig.alarm(rig.device()))
        rig.step()
    first_sent = rig.hooks.accepted("sms")[0].at
    assert len(rig.got("sms")) == 3
    log = rig.client.get(f"/api/v1/alarms/{alarms[4]['id']}/deliveries", headers=rig.world.headers("owner_1"))
    assert [(d["mode"], d["state"]) for d in log.json()] == [("summary", "waiting")]

    rig.clock.advance(600)
    rig.step()
    messages = rig.got("sms")
    assert len(messages) == 4
    summary = messages[3]
    assert summary.startswith("【通知汇总】2 条")
    for alarm in alarms[3:]:
        assert f"/alarms/{alarm['id']}" in summary
    every = "\n".join(messages)
    assert all(f"/alarms/{a['id']}" in every for a in alarms), "an alarm was dropped"
    assert rig.hooks.accepted("sms")[3].at >= first_sent


def test_a_burst_sends_what_fits_and_folds_the_rest(tight: Rig) -> None:
    rig = tight
    rig.subscribe("owner_1", "sms")
    alarms = [rig.alarm(rig.device()) for _ in range(5)]
    rig.step()
    messages = rig.got("sms")
    assert len(messages) == 3
    assert sorted(m.split("\n")[0][:9] for m in messages) == ["【报警】site_", "【报警】site_", "【通知汇总】3 条"]
    every = "\n".join(messages)
    assert all(f"/alarms/{a['id']}" in every for a in alarms)


def test_failed_sends_retry_with_backoff_up_to_the_cap(rig: Rig) -> None:
    rig.hooks.behaviour = lambda path, n: 500 if n < 4 else 200
    rig.subscribe("owner_1", "flaky")
    alarm = rig.alarm(rig.device())
    rig.step()
    waits = []
    for _ in range(4):
        log = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=rig.world.headers("owner_1"))
        [delivery] = log.json()
        if delivery["state"] == "sent":
            break
        assert delivery["state"] == "retrying"
        assert "500" in (delivery["attempts"][-1]["error"] or "")
        due = rig.client.app.state["andian"]
        next_at = rig.client.blocking_portal.call(due.db.read, lambda c: c.execute(
            "SELECT next_at FROM notify_messages").fetchone()[0])
        waits.append(next_at - rig.clock.now)
        rig.clock.now = next_at - 0.01
        rig.step()
        assert len(rig.hooks.requests) == len(waits)  # not before its time
        rig.clock.now = next_at
        rig.step()
    assert len(rig.hooks.accepted("flaky")) == 1
    for tries, wait in enumerate(waits):  # 2, 4, 8, 16 s, each ±20 % jitter
        assert 0.8 * 2 * 2**tries - 0.01 <= wait <= 1.2 * 2 * 2**tries + 0.01, waits
    log = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=rig.world.headers("owner_1")).json()
    assert log[0]["state"] == "sent" and [a["ok"] for a in log[0]["attempts"]] == [False] * 4 + [True]


def test_backoff_doubles_and_stops_at_the_cap() -> None:
    delays = [policy.backoff(n, 2.0, 30.0, seed=7) for n in range(1, 9)]
    assert 1.6 <= delays[0] <= 2.4
    assert all(d <= 30.0 for d in delays)
    assert delays[-1] >= 24.0  # at the cap, within jitter


def test_ladder_and_rate_split_tables() -> None:
    assert policy.ladder([0, 1, 2], (600, 1800)) == {0: 0.0, 1: 600, 2: 1800}
    assert policy.ladder([1, 2], (600, 1800)) == {1: 0.0, 2: 600}
    assert policy.ladder([0, 2], (600, 1800)) == {0: 0.0, 2: 600}
    assert policy.ladder([], (600, 1800)) == {}
    assert policy.rate_split([1, 2], 3) == ([1, 2], [])
    assert policy.rate_split([1, 2, 3, 4, 5], 3) == ([1, 2], [3, 4, 5])
    assert policy.rate_split([1, 2], 1) == ([], [1, 2])
    assert policy.rate_split([1, 2], 0) == ([], [])
    shanghai = 1_763_856_000.0  # 08:00 local
    assert not policy.in_quiet_hours(shanghai, "22:00", "07:00", "Asia/Shanghai")
    assert policy.in_quiet_hours(shanghai, "07:30", "08:30", "Asia/Shanghai")
    assert policy.in_quiet_hours(shanghai + 16 * HOUR, "22:00", "07:00", "Asia/Shanghai")  # 00:00
    assert not policy.in_quiet_hours(shanghai, None, None, "Asia/Shanghai")
    assert re.match(r"^immediate$", policy.mode_of("offline")) and policy.mode_of("fault") == "digest"


def test_digest_time_and_free_slot_tables() -> None:
    shanghai = 1_763_856_000.0  # 08:00 local
    at = policy.after_quiet_hours
    assert at(shanghai, "22:00", "07:00", "Asia/Shanghai") == shanghai  # not quiet: unchanged
    assert at(shanghai + 15 * HOUR, "22:00", "07:00", "Asia/Shanghai") == shanghai + 23 * HOUR  # 23:00 → 07:00
    assert at(shanghai + 17 * HOUR, "22:00", "07:00", "Asia/Shanghai") == shanghai + 23 * HOUR  # 01:00 → 07:00
    assert at(shanghai, "07:30", "08:30", "Asia/Shanghai") == shanghai + 1800  # 08:00 → 08:30 the same day
    assert at(shanghai, None, None, "Asia/Shanghai") == shanghai
    # 21:50 + 15 min falls at 22:05, inside the quiet hours: the digest goes at 07:00.
    assert policy.digest_at(shanghai + 13 * HOUR + 50 * 60, 900, "22:00", "07:00", "Asia/Shanghai") == \
        shanghai + 23 * HOUR
    assert policy.digest_at(shanghai, 900, "22:00", "07:00", "Asia/Shanghai") == shanghai + 900
    assert policy.slot_free_at([], 3, 600) is None
    assert policy.slot_free_at([10.0, 20.0], 3, 600) is None
    assert policy.slot_free_at([10.0, 20.0, 30.0], 3, 600) == 610.0  # the oldest leaves the window
    assert policy.slot_free_at([10.0, 20.0, 30.0, 40.0], 3, 600) == 620.0  # one over: two must leave


def test_an_electrician_is_told_of_the_alarms_dispatched_to_them_only(rig: Rig) -> None:
    """An electrician who sees a site (a job there) and subscribes to alarms is not told of the site's alarms, at
    no rung, until one is dispatched to them; then they are on the operator company's rung, beside its operators.
    Their work reaches them as hazard notices."""
    w = rig.world
    me = w.user_ids["electrician_a"]
    rig.subscribe("owner_1", "owner", levels=["alarm"])
    rig.subscribe("operator_a", "operator", levels=["alarm"])
    rig.subscribe("electrician_a", "sparky_alarms", levels=["alarm", "offline", "prealarm", "fault"])
    rig.subscribe("electrician_a", "sparky_hazards", levels=["hazard"])
    old_job = rig.client.post("/api/v1/hazards", headers=w.headers("operator_a"), json={
        "site_id": w.sites["site_market"], "title": "插座面板松动"}).json()
    r = rig.client.post(f"/api/v1/hazards/{old_job['id']}/transition", headers=w.headers("operator_a"),
                        json={"to": "assigned", "assignee_id": me})
    assert r.status_code == 200, r.text
    assert [s["id"] for s in rig.client.get("/api/v1/sites", headers=w.headers("electrician_a")).json()] == \
        [w.sites["site_market"]]

    alarm = rig.alarm(rig.device())
    rig.step()
    raised = rig.clock.now
    for wait in (600, 1800, 4000):
        rig.clock.now = raised + wait
        rig.step()
    assert len(rig.got("owner")) == 1 and len(rig.got("operator")) == 1
    assert rig.got("sparky_alarms") == []  # neither at the operator company's rung nor at the inspector's
    log = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=w.headers("admin")).json()
    assert [(d["user"], d["tier"]) for d in log] == [("owner_1", 0), ("operator_a", 1)]

    # Another alarm, dispatched to them before anyone acknowledges it: told at the operator company's rung.
    second = rig.alarm(rig.device())
    rig.step()
    raised = rig.clock.now
    rig.clock.now = raised + 120
    r = rig.client.post(f"/api/v1/alarms/{second['id']}/dispatch", headers=w.headers("operator_a"),
                        json={"assignee_id": me, "note": "请立即到场"})
    assert r.status_code == 200, r.text
    rig.step()
    assert len(rig.got("sparky_hazards")) == 2  # the old job and this one, as hazard notices
    assert rig.got("sparky_alarms") == []
    rig.clock.now = raised + 600
    rig.step()
    [told] = rig.got("sparky_alarms")
    assert "此报警已 10 分钟无人确认" in told and "（运营单位）" in told and f"/alarms/{second['id']}" in told
    log = rig.client.get(f"/api/v1/alarms/{second['id']}/deliveries", headers=w.headers("admin")).json()
    assert sorted((d["user"], d["tier"]) for d in log) == [("electrician_a", 1), ("operator_a", 1), ("owner_1", 0)]
    rig.clock.now = raised + 4000
    rig.step()
    assert len(rig.got("sparky_alarms")) == 1
