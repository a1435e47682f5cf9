"""Done-when 1 of issue 5: an alarm raised through ingest reaches a real SMTP server and a real HTTP receiver,
through the outbox and the sender running in the app, with the delivery log to show for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from .conftest import Clock, World
from .receivers import MailSink, WebhookReceiver, mail_sink, wait_for
from .replay import Site


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as s:
        yield s



def subscribe(client: TestClient[Any], headers: dict[str, str], url: str, **fields: Any) -> dict[str, Any]:
    r = client.post("/api/v1/me/subscriptions", json={"url": url, **fields}, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_alarm_through_ingest_reaches_mail_and_webhook(client: TestClient[Any], clock: Clock, world: World,
                                                       sink: MailSink, hooks: WebhookReceiver) -> None:
    owner = world.headers("owner_1")
    subscribe(client, owner, sink.url("owner1@example.cn"), label="邮箱")
    subscribe(client, owner, hooks.url("owner1"), label="企业微信机器人", lang="zh-CN")
    subscribe(client, world.headers("operator_a"), hooks.url("operator_a"))
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "NT-1", ["residual_ma"])

    site.replay({"residual_ma": lambda t: 120.0}, 60)
    site.replay({"residual_ma": lambda t: 380.0}, 60)
    alarm = next(a for a in site.alarms(owner) if a["level"] == "alarm")

    mail = wait_for(lambda: sink.to("owner1@example.cn"), what="the owner's mail")[0]
    assert mail.subject.startswith("【报警】site_market")
    assert "漏电流 380 mA" in mail.subject
    assert "漏电流 380 mA，超过报警值 300 mA" in mail.body
    assert "请尽快断电检查" in mail.body
    assert f"/alarms/{alarm['id']}" in mail.body
    hook = wait_for(lambda: hooks.accepted("owner1"), what="the owner's webhook")[0]
    assert hook.title == mail.subject
    assert mail.key and hook.key and mail.key.split("-")[0] == hook.key.split("-")[0]  # one transition, two targets

    # The operator company is the next rung of the ladder: told only when nobody acknowledges in time.
    assert hooks.accepted("operator_a") == []

    site.replay({"residual_ma": lambda t: 110.0}, 60)
    cleared = wait_for(lambda: [m for m in sink.to("owner1@example.cn") if m.subject.startswith("【已恢复】")],
                       what="the all-clear mail")[0]
    assert "漏电流已恢复正常" in cleared.body
    wait_for(lambda: len(hooks.accepted("owner1")) == 2, what="the all-clear webhook")

    # The message reaches the receiver a moment before the sender writes down that it was sent.
    def logged() -> list[dict[str, Any]]:
        log = client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=owner)
        assert log.status_code == 200, log.text
        found: list[dict[str, Any]] = log.json()
        return found if all(r["state"] != "pending" for r in found) else []

    rows = wait_for(logged, what="the delivery log written")
    assert {(r["transition"], r["service"], r["state"]) for r in rows} == {
        ("raised", "E-Mail", "sent"), ("raised", "JSON", "sent"),
        ("cleared", "E-Mail", "sent"), ("cleared", "JSON", "sent"),
    }
    assert all(r["tier"] == 0 and r["user"] == "owner_1" for r in rows)
    assert all(r["attempts"] and r["attempts"][-1]["ok"] for r in rows)
    assert all("example.cn" in r["target"] or "json://" in r["target"] for r in rows)
    assert client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=world.headers("owner_2")).status_code == 404


def test_subscriber_only_gets_the_levels_and_sites_asked_for(client: TestClient[Any], clock: Clock, world: World,
                                                             hooks: WebhookReceiver) -> None:
    operator = world.headers("operator_a")
    owner = world.headers("owner_1")
    # The owner wants only offline notices; the admin only site_hotel.
    subscribe(client, owner, hooks.url("offline_only"), levels=["offline"])
    subscribe(client, world.headers("admin"), hooks.url("hotel_only"), site_ids=[world.sites["site_hotel"]])
    subscribe(client, world.headers("owner_2"), hooks.url("other_owner"))
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "NT-2", ["residual_ma"])
    site.replay({"residual_ma": lambda t: 400.0}, 60)
    assert any(a["level"] == "alarm" for a in site.alarms(operator))
    # The offline watchdog: silence for three poll intervals.
    clock.advance(60)
    site.tick()
    wait_for(lambda: hooks.accepted("offline_only"), what="the offline notice")
    hook = hooks.accepted("offline_only")[0]
    assert hook.title.startswith("【离线】site_market")
    assert "没有上报数据" in hook.message
    assert hooks.accepted("hotel_only") == [] and hooks.accepted("other_owner") == []
    assert len(hooks.accepted("offline_only")) == 1
