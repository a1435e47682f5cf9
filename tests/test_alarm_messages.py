"""What an alarm message says, in zh-CN and en, through the real ingest, planner and sender against a real HTTP
receiver (and a real SMTP server with the sender running in the app):

- a pre-alarm names the pre-alarm level it crossed, even when composed after the alarm escalated;
- a recovery says it recovered, and a trip says the power was cut and by whom (never "back to normal");
- a digest goes out at the time its delivery log shows, and says what became of each alarm since;
- an arc message quotes the count the alarm page shows (the raising count, not the peak).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from server.context import Context
from server.detection.detectors import ARC_QUIET_S
from server.settings import Settings

from .conftest import Clock, World
from .notify_rig import HOUR, Rig, make_rig
from .receivers import MailSink, WebhookReceiver, mail_sink, wait_for
from .replay import Site

ZONE = ZoneInfo("Asia/Shanghai")  # the settings' time zone; conftest's T0 is 08:00 there


def clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, ZONE).strftime("%H:%M")




@pytest.fixture
def one_slot(settings: Settings, clock: Clock, hooks: WebhookReceiver) -> Iterator[Rig]:
    """One message per subscription per 10 minutes: whatever comes next waits for a summary."""
    yield from make_rig(settings, clock, hooks, notify_rate_max=1, notify_rate_window_s=600.0)


def leak(site: Site, value: float, seconds: float = 60) -> None:
    site.replay({"residual_ma": lambda t: value}, seconds)


def alarm_of(rig: Rig, site: Site) -> dict[str, Any]:
    [found] = site.alarms(rig.world.headers("admin"))
    return found


def deliveries(rig: Rig, alarm_id: int) -> list[dict[str, Any]]:
    r = rig.client.get(f"/api/v1/alarms/{alarm_id}/deliveries", headers=rig.world.headers("admin"))
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def trip(rig: Rig, site: Site, by: str | None = None) -> dict[str, Any]:
    """The breaker opens and the leakage drops to nothing: by itself (the device's trip event), or by ``by``
    remotely (the position read back after remote control, as the site box records it)."""
    ctx: Context = rig.client.app.state["andian"]
    if by is None:
        site.post([], [{"device": site.serial, "kind": "trip", "ts": rig.clock.now}])
    else:
        user_id, now = rig.world.user_ids[by], rig.clock.now
        site_id = alarm_of(rig, site)["site_id"]
        rig.client.blocking_portal.call(ctx.db.write, lambda conn: ctx.pipeline.switched(
            conn, site.device_id, site_id, "open", now, user_id))
    leak(site, 0.0, 30)
    alarm = alarm_of(rig, site)
    assert alarm["cleared_reason"] == "trip", alarm
    return alarm


def test_a_prealarm_names_its_own_level_after_the_alarm_escalated(rig: Rig) -> None:
    """The digest of a pre-alarm composed after it escalated said "260 mA，超过预警值 300 mA": the alarm's threshold,
    which escalation overwrote. Each message now takes the threshold of the transition it tells."""
    rig.subscribe("owner_1", "zh", digest_interval_s=900)
    rig.subscribe("owner_1", "en", lang="en", digest_interval_s=900)
    rig.subscribe("operator_a", "operator", levels=["alarm"])
    site = rig.device()
    leak(site, 260.0)
    rig.step()
    planned = rig.clock.now
    leak(site, 380.0)
    rig.step()
    escalated = rig.clock.now
    [zh_alarm], [en_alarm] = rig.got("zh"), rig.got("en")
    assert zh_alarm.startswith("【报警】") and "漏电流 380 mA，超过报警值 300 mA。" in zh_alarm
    assert "Leakage current 380 mA, over the alarm threshold 300 mA." in en_alarm

    # The operator company's rung re-sends the transition that started the ladder: the alarm, at the alarm level.
    rig.clock.now = escalated + 600
    rig.step()
    [rung] = rig.got("operator")
    assert "10 分钟无人确认" in rung and "漏电流 380 mA，超过报警值 300 mA。" in rung

    rig.clock.now = planned + 900
    rig.step()
    zh_digest, en_digest = rig.got("zh")[1], rig.got("en")[1]
    assert zh_digest.startswith("【预警摘要】1 条")
    assert "漏电流 260 mA，超过预警值 240 mA（已升级为报警）" in zh_digest
    assert "预警值 300" not in zh_digest
    assert "Leakage current 260 mA, over the pre-alarm threshold 240 mA (escalated to alarm)" in en_digest
    assert "pre-alarm threshold 300" not in en_digest


def test_a_digest_says_what_became_of_each_alarm(rig: Rig) -> None:
    """Recovered, power cut, escalated and then recovered: each line says so when the digest goes out, also when
    the later change went out on its own (an alarm's clearing is told at once, not in the digest)."""
    rig.subscribe("owner_1", "zh", digest_interval_s=900)
    rig.subscribe("owner_1", "en", lang="en", digest_interval_s=900)
    recovered, cut, climbed = rig.device(), rig.device(), rig.device()
    leak(recovered, 260.0)
    rig.step()
    planned = rig.clock.now
    leak(recovered, 100.0, 30)
    leak(cut, 250.0)
    rig.step()
    cut_alarm = trip(rig, cut)
    leak(climbed, 270.0)
    leak(climbed, 400.0)
    leak(climbed, 90.0, 30)
    rig.step()
    assert sorted(m.split("】")[0] for m in rig.got("zh")) == ["【已恢复", "【报警"]  # the alarm's own, at once
    recovered_at, climbed_at = alarm_of(rig, recovered)["cleared_at"], alarm_of(rig, climbed)["cleared_at"]

    rig.clock.now = planned + 900
    rig.step()
    zh, en = rig.got("zh")[-1], rig.got("en")[-1]
    assert zh.startswith("【预警摘要】3 条")
    assert f"漏电流 260 mA，超过预警值 240 mA（{clock_text(recovered_at)} 已恢复）" in zh
    assert f"漏电流 250 mA，超过预警值 240 mA（{clock_text(cut_alarm['cleared_at'])} 已断电）" in zh
    assert f"漏电流 270 mA，超过预警值 240 mA（已升级为报警，{clock_text(climbed_at)} 已恢复）" in zh
    assert f"Leakage current 260 mA, over the pre-alarm threshold 240 mA (cleared {clock_text(recovered_at)})" in en
    assert f"(power cut {clock_text(cut_alarm['cleared_at'])})" in en
    assert f"270 mA, over the pre-alarm threshold 240 mA (escalated to alarm; cleared {clock_text(climbed_at)})" in en
    assert "已恢复正常" not in zh and "back to normal" not in en


def test_a_recovery_in_a_later_digest_says_it_recovered(rig: Rig) -> None:
    """The clearing of a pre-alarm told in an earlier digest comes in the next one: its line said "漏电流 100 mA，
    超过预警值 240 mA" (the "over" sentence with the clearing value); it says it recovered and for how long."""
    site = prealarm_in_a_first_digest(rig)
    assert len(rig.got("zh")) == 1
    leak(site, 100.0, 30)
    rig.step()
    rig.clock.advance(300)
    rig.step()
    zh, en = rig.got("zh")[1], rig.got("en")[1]
    lasted = minutes(alarm_of(rig, site))
    assert zh.startswith("【预警摘要】1 条")
    assert f"漏电流已恢复正常（预警持续 {lasted} 分钟）" in zh and "超过" not in zh
    assert f"Leakage current back to normal (pre-alarm lasted {lasted} min)" in en and " over " not in en


def minutes(alarm: dict[str, Any]) -> int:
    return max(1, round((alarm["cleared_at"] - alarm["started_at"]) / 60))


def test_a_recovery_in_a_summary_says_it_recovered(one_slot: Rig) -> None:
    """A clearing held by the rate limit comes in a summary: its line said "漏电流 100 mA，超过报警值 300 mA"."""
    rig = one_slot
    sub = rig.subscribe("owner_1", "zh")
    rig.subscribe("owner_1", "en", lang="en")
    site = rig.device()
    leak(site, 400.0)
    rig.step()
    sent = rig.clock.now
    leak(site, 100.0, 30)
    rig.step()
    alarm = alarm_of(rig, site)
    [held] = [d for d in deliveries(rig, alarm["id"]) if d["transition"] == "cleared" and d["subscription_id"] == sub]
    assert (held["mode"], held["state"], held["due_at"]) == ("summary", "waiting", sent + 600)
    rig.clock.now = sent + 600
    rig.step()
    zh, en = rig.got("zh")[1], rig.got("en")[1]
    assert zh.startswith("【通知汇总】1 条") and "【已恢复】site_market" in zh
    assert f"漏电流已恢复正常（报警持续 {minutes(alarm)} 分钟）" in zh and "超过" not in zh
    assert "[Cleared] site_market" in en
    assert f"Leakage current back to normal (alarm lasted {minutes(alarm)} min)" in en and " over " not in en


def test_a_trip_says_the_power_was_cut_and_by_whom(rig: Rig) -> None:
    rig.subscribe("owner_1", "zh")
    rig.subscribe("owner_1", "en", lang="en")
    by_itself, remotely = rig.device(), rig.device()
    leak(by_itself, 400.0)
    leak(remotely, 400.0)
    rig.step()
    alarm = trip(rig, by_itself)
    rig.step()
    zh, en = rig.got("zh")[-1], rig.got("en")[-1]
    at = datetime.fromtimestamp(alarm["cleared_at"], ZONE)
    assert zh.startswith(f"【已断电】site_market {by_itself.serial} 漏电流\n")
    assert f"漏电流报警后，断路器自动跳闸，切断了这条回路的电源（{at:%m月%d日 %H:%M}）。" in zh
    assert "故障原因尚未排除，请电工检查后再合闸。" in zh
    assert en.startswith(f"【Power cut】site_market {by_itself.serial} leakage current\n")
    assert (f"The power to this circuit was cut after the leakage current alarm: the breaker tripped by itself "
            f"({at:%d %b %H:%M}).") in en
    assert "The cause is not fixed yet; have an electrician check before switching it back on." in en

    trip(rig, remotely, by="operator_a")
    rig.step()
    zh, en = rig.got("zh")[-1], rig.got("en")[-1]
    assert "漏电流报警后，operator_a 远程分闸，切断了这条回路的电源" in zh
    assert "cut after the leakage current alarm: tripped remotely by operator_a (" in en
    every = "\n".join(rig.got("zh") + rig.got("en"))
    assert "恢复" not in every and "back to normal" not in every and "Cleared" not in every


def test_a_trip_in_a_summary(one_slot: Rig) -> None:
    rig = one_slot
    rig.subscribe("owner_1", "zh")
    rig.subscribe("owner_1", "en", lang="en")
    site = rig.device()
    leak(site, 400.0)
    rig.step()
    sent = rig.clock.now
    trip(rig, site)
    rig.step()
    rig.clock.now = sent + 600
    rig.step()
    zh, en = rig.got("zh")[1], rig.got("en")[1]
    assert zh.startswith("【通知汇总】1 条")
    assert f"【已断电】site_market {site.serial} 漏电流报警后已断电（断路器自动跳闸）" in zh
    assert f"[Power cut] site_market {site.serial} Power cut after the leakage current alarm (the breaker tripped " \
           "by itself)" in en
    assert "恢复" not in zh and "back to normal" not in en


def prealarm_in_a_first_digest(rig: Rig) -> Site:
    """Two subscriptions (zh and en, 5-minute digests) told of a pre-alarm in a first digest; its device."""
    rig.subscribe("owner_1", "zh", digest_interval_s=300)
    rig.subscribe("owner_1", "en", lang="en", digest_interval_s=300)
    site = rig.device()
    leak(site, 260.0)
    rig.step()
    rig.clock.advance(300)
    rig.step()
    return site


def test_a_trip_in_a_later_digest(rig: Rig) -> None:
    site = prealarm_in_a_first_digest(rig)
    trip(rig, site, by="operator_a")
    rig.step()
    rig.clock.advance(300)
    rig.step()
    zh, en = rig.got("zh")[1], rig.got("en")[1]
    assert zh.startswith("【预警摘要】1 条") and "漏电流预警后已断电（operator_a 远程分闸）" in zh
    assert "Power cut after the leakage current pre-alarm (tripped remotely by operator_a)" in en
    assert "恢复" not in zh and "back to normal" not in en


def test_a_digest_goes_out_when_its_log_says(rig: Rig) -> None:
    """The log said a digest delivery was due when it was planned; the digest went out an interval later."""
    sub = rig.subscribe("owner_1", "zh", digest_interval_s=900)
    first, second = rig.device(), rig.device()
    leak(first, 260.0)
    rig.step()
    planned = rig.clock.now
    leak(second, 265.0)
    rig.step()
    logged = [deliveries(rig, alarm_of(rig, s)["id"])[0] for s in (first, second)]
    assert [(d["mode"], d["state"], d["due_at"]) for d in logged] == [("digest", "waiting", planned + 900)] * 2

    rig.clock.now = planned + 900 - 0.5
    rig.step()
    assert rig.got("zh") == [], "sent before the time the log showed"
    rig.clock.now = planned + 900
    rig.step()
    [digest] = rig.got("zh")
    assert digest.startswith("【预警摘要】2 条")
    sent = [deliveries(rig, alarm_of(rig, s)["id"])[0] for s in (first, second)]
    assert [(d["state"], d["due_at"]) for d in sent] == [("sent", planned + 900)] * 2
    assert sent[0]["sent_at"] == planned + 900  # composed and sent in the round at the logged time
    assert messages_made(rig, sub) == [("digest", planned + 900)]


def messages_made(rig: Rig, subscription_id: int) -> list[tuple[str, float]]:
    ctx: Context = rig.client.app.state["andian"]
    rows = rig.client.blocking_portal.call(ctx.db.read, lambda conn: conn.execute(
        "SELECT kind, created_at FROM notify_messages WHERE subscription_id = ? ORDER BY id",
        [subscription_id]).fetchall())
    return [(r[0], r[1]) for r in rows]


def test_a_digest_due_in_quiet_hours_is_logged_for_their_end(rig: Rig) -> None:
    rig.clock.advance(13 * HOUR + 50 * 60)  # 21:50 in Shanghai; the digest would be due at 22:05
    sub = rig.subscribe("owner_1", "zh", digest_interval_s=900, quiet_start="22:00", quiet_end="07:00")
    site = rig.device()
    leak(site, 260.0)
    rig.step()
    seven = datetime.fromtimestamp(rig.clock.now, ZONE).replace(hour=7, minute=0, second=0, microsecond=0)
    seven_am = seven.timestamp() + 24 * HOUR
    [row] = deliveries(rig, alarm_of(rig, site)["id"])
    assert row["due_at"] == seven_am
    rig.clock.now = seven_am - 1
    rig.step()
    assert rig.got("zh") == []
    rig.clock.now = seven_am
    rig.step()
    assert rig.got("zh")[0].startswith("【预警摘要】1 条")
    assert messages_made(rig, sub) == [("digest", seven_am)]


def test_a_changed_interval_moves_the_waiting_digest(rig: Rig) -> None:
    sub = rig.subscribe("owner_1", "zh", digest_interval_s=3600)
    site = rig.device()
    leak(site, 260.0)
    rig.step()
    planned = rig.clock.now
    alarm = alarm_of(rig, site)
    assert deliveries(rig, alarm["id"])[0]["due_at"] == planned + 3600
    r = rig.client.patch(f"/api/v1/me/subscriptions/{sub}", json={"digest_interval_s": 600},
                         headers=rig.world.headers("owner_1"))
    assert r.status_code == 200, r.text
    assert deliveries(rig, alarm["id"])[0]["due_at"] == planned + 600
    rig.clock.now = planned + 600
    rig.step()
    assert messages_made(rig, sub) == [("digest", planned + 600)]


def test_a_digest_held_by_the_rate_limit_is_logged_for_the_free_slot(one_slot: Rig) -> None:
    rig = one_slot
    sub = rig.subscribe("owner_1", "zh", digest_interval_s=300)
    alarm_site, prealarm_site = rig.device(), rig.device()
    leak(alarm_site, 400.0)
    rig.step()
    sent = rig.clock.now
    leak(prealarm_site, 260.0)
    rig.step()
    rig.clock.advance(300)
    rig.step()  # the digest's time, but the one slot is taken until the alarm's message leaves the window
    [row] = deliveries(rig, alarm_of(rig, prealarm_site)["id"])
    assert (row["state"], row["due_at"]) == ("waiting", sent + 600)
    rig.clock.now = sent + 600
    rig.step()
    assert messages_made(rig, sub) == [("alarm", sent), ("digest", sent + 600)]


def test_an_arc_message_quotes_the_count_the_alarm_page_shows(one_slot: Rig) -> None:
    """The page shows the raising count (and the peak apart); a message never quotes the peak as the count: a
    cleared arc in a summary said "1 秒内检测到 15 个故障电弧半波" from the peak."""
    rig = one_slot
    rig.subscribe("owner_1", "zh", levels=["alarm"])
    rig.subscribe("owner_1", "en", lang="en", levels=["alarm"])
    admin = rig.world.headers("admin")
    first, second = (Site(rig.client, rig.clock, admin, rig.world.sites["site_market"], f"ARC-{n}",
                          ["arc", "current_a"]) for n in (1, 2))

    def burst(site: Site, count: int) -> dict[str, Any]:
        site.post([], [{"device": site.serial, "kind": "arc", "ts": rig.clock.now + i * 0.05, "count": 1}
                       for i in range(count)])
        [alarm] = [a for a in site.alarms(admin) if a["cause"] == "arc"]
        return alarm

    arc = burst(first, 15)
    assert (arc["raised_value"], arc["peak"]) == (14, 15)  # the window crossed 14 and went on to 15
    rig.step()
    sent = rig.clock.now
    [zh], [en] = rig.got("zh"), rig.got("en")
    assert "1 秒内检测到 14 个故障电弧半波。" in zh and "14 fault-arc half-cycles within one second." in en

    rig.clock.advance(60)
    held = burst(second, 20)
    assert (held["raised_value"], held["peak"]) == (14, 20)
    rig.step()
    rig.clock.now = sent + ARC_QUIET_S + 10  # the first has been quiet long enough, the second not yet
    first.tick()
    arcs = [a for a in (*first.alarms(admin), *second.alarms(admin)) if a["cause"] == "arc"]
    assert [a["cleared_at"] is not None for a in arcs] == [True, False]
    rig.step()
    rig.clock.now = sent + 600
    rig.step()
    zh, en = rig.got("zh")[1], rig.got("en")[1]
    assert zh.startswith("【通知汇总】2 条") and "1 秒内检测到 14 个故障电弧半波" in zh
    assert "故障电弧已恢复正常（报警持续 5 分钟）" in zh
    assert "15 个" not in zh and "20 个" not in zh
    assert "14 fault-arc half-cycles within one second" in en and "Fault arc back to normal" in en
    assert "15 fault" not in en and "20 fault" not in en


# ---- with the sender running in the app, to a real mailbox --------------------------------------------------


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as s:
        yield s


def test_the_running_sender_sends_a_digest_at_its_logged_time(client: TestClient[Any], clock: Clock, world: World,
                                                             sink: MailSink) -> None:
    owner = world.headers("owner_1")
    # Pre-alarms only: moving the clock lets the app's own watchdog raise offline notices, which come at once.
    r = client.post("/api/v1/me/subscriptions", json={"url": sink.url("owner1@example.cn"), "digest_interval_s": 300,
                                                      "levels": ["prealarm"]}, headers=owner)
    assert r.status_code == 201, r.text
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "DIG-1", ["residual_ma"])
    leak(site, 260.0)
    [alarm] = [a for a in site.alarms(owner) if a["level"] == "prealarm"]
    [row] = wait_for(lambda: client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=owner).json(),
                     what="the digest delivery planned")
    # Planned by a round of the sender while the readings came in: one interval after that round.
    assert row["state"] == "waiting" and alarm["started_at"] + 300 <= row["due_at"] <= clock.now + 300
    clock.now = row["due_at"] - 1
    settings: Settings = client.app.state["andian"].settings
    with pytest.raises(AssertionError, match="timed out"):  # three rounds of the sender, and no mail
        wait_for(lambda: sink.to("owner1@example.cn"), timeout=3 * settings.notify_tick_s, what="a mail")
    clock.now = row["due_at"]
    [mail] = wait_for(lambda: sink.to("owner1@example.cn"), what="the digest mail")
    assert mail.subject.startswith("【预警摘要】1 条")
    assert "漏电流 260 mA，超过预警值 240 mA" in mail.body
    sent = wait_for(lambda: [r for r in client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=owner).json()
                             if r["state"] == "sent"], what="the delivery logged as sent")
    assert sent[0]["sent_at"] == row["due_at"]
