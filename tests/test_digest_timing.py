"""When a digest goes out: at the time its delivery log shows (quiet hours, a changed interval and the rate limit
included), through the planner stepped by hand against a real HTTP receiver, and with the sender running in the app
to a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from server.settings import Settings

from .conftest import Clock, World
from .message_helpers import (
    ZONE,
    alarm_of,
    deliveries,
    leak,
    messages_made,
)
from .notify_rig import HOUR, Rig
from .receivers import MailSink, mail_sink, wait_for
from .replay import Site


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
