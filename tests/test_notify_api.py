"""Subscriptions, the test message, a site's escalation policy and the delivery log, through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from server.settings import Settings

from . import backends
from .conftest import World
from .receivers import MailSink, WebhookReceiver, mail_sink, webhook_receiver

SUBS = "/api/v1/me/subscriptions"


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with webhook_receiver(lambda path, n: 500 if path == "/broken" else 200) as r:
        yield r


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as s:
        yield s


def stored(settings: Settings) -> bytes:
    """All the database holds: on SQLite its file and write-ahead log byte for byte (freed pages too); on
    PostgreSQL every value of every row of every table."""
    if not backends.POSTGRES:
        db = settings.db_path
        return db.read_bytes() + (db.parent / f"{db.name}-wal").read_bytes()
    with backends.connect(settings) as conn:
        tables = [t for (t,) in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
        return b"\n".join(v if isinstance(v, bytes) else str(v).encode()
                          for table in tables for row in conn.execute(f'SELECT * FROM "{table}"') for v in row)


def test_urls_are_checked_by_apprise_and_name_the_field(client: TestClient[Any], world: World) -> None:
    owner = world.headers("owner_1")
    for url, words in (("https-nothing", "not an apprise URL"), ("nosuch://abc", "no service nosuch://"),
                       ("wechat://corp/secret", "cannot use this wechat:// URL")):
        r = client.post(SUBS, json={"url": url}, headers=owner)
        assert r.status_code == 400, r.text
        assert r.json()["extra"] == {"field": "url"} and words in r.json()["detail"]
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789", "levels": ["alarm", "sometimes"]},
                    headers=owner)
    assert r.status_code == 400 and r.json()["detail"].startswith("levels")
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789", "site_ids": [world.sites["site_care"]]},
                    headers=owner)
    assert r.status_code == 400 and r.json()["extra"] == {"field": "site_ids[0]"}
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789", "quiet_start": "22:00"}, headers=owner)
    assert r.status_code == 400 and r.json()["extra"] == {"field": "quiet_end"}
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789", "quiet_start": "25:00",
                                "quiet_end": "07:00"}, headers=owner)
    assert r.status_code == 400 and "quiet_start" in r.json()["detail"]
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789", "digest_interval_s": 10}, headers=owner)
    assert r.status_code == 400 and "digest_interval_s" in r.json()["detail"]
    r = client.post(SUBS, json={"url": "wecombot://abcdef0123456789"}, headers=world.headers("admin") | {
        "Authorization": f"Bearer {world.gateway_keys['site_market']}"})
    assert r.status_code == 403


def test_secrets_are_never_returned_nor_stored_in_clear(client: TestClient[Any], world: World) -> None:
    owner = world.headers("owner_1")
    secrets = {
        "wecombot://9a3f7c21-55aa-4b3c-8d1e-0123456789ab": "9a3f7c21-55aa-4b3c-8d1e-0123456789ab",
        "mailto://shop:Sup3rSecretPw@smtp.example.cn?to=a@example.cn": "Sup3rSecretPw",
        "wxpusher://AT_QwErTy123456789/UID_abc": "AT_QwErTy123456789",
        "json://hooks.example.cn/hook/7f3e9c1a2b4d5e6f7a8b": "7f3e9c1a2b4d5e6f7a8b",
        "schan://SCT98765abcdefghijkl": "SCT98765abcdefghijkl",
    }
    for url in secrets:
        r = client.post(SUBS, json={"url": url, "label": "测试"}, headers=owner)
        assert r.status_code == 201, r.text
    listed = client.get(SUBS, headers=owner)
    assert listed.status_code == 200
    text = listed.text
    for secret in secrets.values():
        assert secret not in text
    services = {s["service"] for s in listed.json()}
    assert services == {"WeCom Bot", "E-Mail", "WxPusher", "JSON", "ServerChan"}
    raw = stored(client.app.state["andian"].settings)
    assert "运维公司A".encode() in raw  # the look sees what is stored
    for secret in secrets.values():
        assert secret.encode() not in raw, f"{secret} is stored in clear"
    # Other users see none of them.
    assert client.get(SUBS, headers=world.headers("owner_2")).json() == []


def test_change_delete_and_others_cannot_touch(client: TestClient[Any], world: World) -> None:
    owner = world.headers("owner_1")
    sub = client.post(SUBS, json={"url": "wecombot://abcdef0123456789"}, headers=owner).json()
    assert sub["site_ids"] is None and sub["levels"] == ["alarm", "offline", "prealarm", "fault", "hazard"]
    assert sub["lang"] == "zh-CN" and sub["digest_interval_s"] == 3600
    r = client.patch(f"{SUBS}/{sub['id']}", json={"levels": ["alarm"], "site_ids": [world.sites["site_market"]],
                                                  "lang": "en", "quiet_start": "22:00", "quiet_end": "06:30"},
                     headers=owner)
    assert r.status_code == 200, r.text
    assert r.json()["levels"] == ["alarm"] and r.json()["site_ids"] == [world.sites["site_market"]]
    r = client.patch(f"{SUBS}/{sub['id']}", json={"url": "wecombot://other"}, headers=owner)
    assert r.status_code == 400 and "url" in r.json()["detail"]
    for other in ("owner_2", "admin"):
        assert client.patch(f"{SUBS}/{sub['id']}", json={"lang": "zh-CN"},
                            headers=world.headers(other)).status_code == 404
        assert client.delete(f"{SUBS}/{sub['id']}", headers=world.headers(other)).status_code == 404
    assert client.delete(f"{SUBS}/{sub['id']}", headers=owner).status_code == 204
    assert client.get(SUBS, headers=owner).json() == []
    assert client.delete(f"{SUBS}/{sub['id']}", headers=owner).status_code == 404


def test_send_test_reports_every_target(client: TestClient[Any], world: World, hooks: WebhookReceiver,
                                        sink: MailSink) -> None:
    owner = world.headers("owner_1")
    good = client.post(SUBS, json={"url": sink.url("owner@example.cn")}, headers=owner).json()
    r = client.post(f"{SUBS}/{good['id']}/test", headers=owner)
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True
    [target] = r.json()["results"]
    assert target["service"] == "E-Mail" and target["ok"] and target["status"] == "SUCCESS"
    [mail] = sink.to("owner@example.cn")
    assert mail.subject == "【测试】安电通知" and "E-Mail" in mail.body
    again = client.post(f"{SUBS}/{good['id']}/test", headers=owner)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0

    bad = client.post(SUBS, json={"url": hooks.url("broken"), "lang": "en"}, headers=owner).json()
    r = client.post(f"{SUBS}/{bad['id']}/test", headers=owner)
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is False
    assert body["results"][0]["status"] == "FAILURE" and "500" in body["results"][0]["error"]
    [hook] = hooks.requests
    assert hook.title == "[Test] andian notification"

    down = client.post(SUBS, json={"url": "json://127.0.0.1:9/nothing-listens"}, headers=owner).json()
    r = client.post(f"{SUBS}/{down['id']}/test", headers=owner)
    assert r.json()["ok"] is False and r.json()["results"][0]["error"]
    # A failed test is not retried by the sender.
    with backends.connect(client.app.state["andian"].settings) as conn:
        states = {row[0] for row in conn.execute("SELECT state FROM notify_messages WHERE kind = 'test'")}
    assert states == {"sent", "failed"}


def test_escalation_policy_roles_and_ranges(client: TestClient[Any], world: World) -> None:
    site = world.sites["site_market"]
    path = f"/api/v1/sites/{site}/notify-policy"
    r = client.get(path, headers=world.headers("owner_1"))
    assert r.status_code == 200 and r.json() == {"site_id": site, "escalate_after_s": [600.0, 1800.0]}
    assert client.get(path, headers=world.headers("owner_2")).status_code == 404
    for who, status in (("owner_1", 403), ("installer_a", 403), ("inspector_heshan", 403), ("operator_b", 404),
                        ("operator_a", 200), ("admin", 200)):
        r = client.put(path, json={"escalate_after_s": [300, 900]}, headers=world.headers(who))
        assert r.status_code == status, (who, r.text)
    assert client.get(path, headers=world.headers("owner_1")).json()["escalate_after_s"] == [300.0, 900.0]
    r = client.put(path, json={"escalate_after_s": [900, 300]}, headers=world.headers("admin"))
    assert r.status_code == 400 and r.json()["extra"] == {"field": "escalate_after_s[1]"}
    r = client.put(path, json={"escalate_after_s": [10, 300]}, headers=world.headers("admin"))
    assert r.status_code == 400 and "escalate_after_s" in r.json()["detail"]


def test_delivery_log_is_scoped_like_the_alarm(client: TestClient[Any], world: World) -> None:
    r = client.get("/api/v1/alarms/999/deliveries", headers=world.headers("admin"))
    assert r.status_code == 404
    assert client.get("/api/v1/alarms/999", headers=world.headers("admin")).status_code == 404


def test_openapi_lists_the_notification_paths(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/me/subscriptions"])
    assert {"patch", "delete"} <= set(paths["/api/v1/me/subscriptions/{subscription_id}"])
    assert "post" in paths["/api/v1/me/subscriptions/{subscription_id}/test"]
    assert "get" in paths["/api/v1/alarms/{alarm_id}/deliveries"]
    assert {"get", "put"} <= set(paths["/api/v1/sites/{site_id}/notify-policy"])
