"""What an alarm message says, in zh-CN and en, through the real ingest, planner and sender against a real HTTP
receiver:

- a pre-alarm names the pre-alarm level it crossed, even when composed after the alarm escalated;
- a recovery says it recovered, and a trip says the power was cut and by whom (never "back to normal");
- a digest says what became of each alarm since;
- an arc message quotes the count the alarm page shows (the raising count, not the peak).

When digests go out is tests/test_digest_timing.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.detection.detectors import ARC_QUIET_S

from .message_helpers import (
    ZONE,
    alarm_of,
    clock_text,
    deliveries,
    leak,
    minutes,
    prealarm_in_a_first_digest,
    trip,
)
from .notify_rig import Rig
from .replay import Site


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
