"""Issue 18: SMS and voice calls through Aliyun and Tencent Cloud, sent by andian's own apprise services against
local vendor stand-ins that verify each signature (tests/cloud_receivers.py), and the owner's phone call for an
alarm still unacknowledged after the first escalation rung. The sender is stepped by hand on an injected clock
(tests/notify_rig.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from server.settings import Settings

from .cloud_receivers import SECRET, CloudReceiver, cloud_receiver
from .conftest import Clock, World
from .message_helpers import deliveries
from .notify_rig import HOUR, Rig, make_rig
from .receivers import WebhookReceiver

SUBS = "/api/v1/me/subscriptions"
OWNER_PHONE = "13800138000"


@pytest.fixture
def cloud() -> Iterator[CloudReceiver]:
    with cloud_receiver() as receiver:
        yield receiver


@pytest.fixture
def crig(settings: Settings, clock: Clock, hooks: WebhookReceiver, cloud: CloudReceiver) -> Iterator[Rig]:
    """The rig with a voice service: Aliyun voice calls at the local stand-in (no number in the URL)."""
    voice = cloud.url("aliyunvoice", "TTS_184820765", show="057112345678").replace("/?", "?")
    yield from make_rig(settings, clock, hooks, notify_voice_url=voice)


def subscribe(rig: Rig, who: str, url: str) -> dict[str, Any]:
    r = rig.client.post(SUBS, json={"url": url}, headers=rig.world.headers(who))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_aliyun_sms_carries_the_alarm_in_template_parameters(crig: Rig, cloud: CloudReceiver) -> None:
    sub = subscribe(crig, "owner_1", cloud.url("aliyunsms", "SMS_71390007", OWNER_PHONE, sign="安电"))
    assert SECRET not in sub["url_masked"] and sub["scheme"] == "aliyunsms"
    alarm = crig.alarm(crig.device(), 400.0)
    crig.step()
    [sms] = cloud.got("SendSms")
    assert sms.signature_ok and sms.answered == "ok"
    assert (sms.phone, sms.template, sms.sign) == (OWNER_PHONE, "SMS_71390007", "安电")
    assert {k: sms.params[k] for k in ("level", "site", "quantity", "value", "threshold")} == {
        "level": "报警", "site": "site_market", "quantity": "漏电流", "value": "400 mA", "threshold": "300 mA"}
    assert sms.params["circuit"] and sms.params["time"]
    [told] = deliveries(crig, alarm["id"])
    assert (told["state"], told["channel"]) == ("sent", "sms")


def test_a_vendor_refusal_fails_the_delivery_with_its_reason_and_is_retried(crig: Rig, cloud: CloudReceiver) -> None:
    cloud.behaviour = lambda n: "isv.BUSINESS_LIMIT_CONTROL" if n == 0 else "ok"
    subscribe(crig, "owner_1", cloud.url("aliyunsms", "SMS_71390007", OWNER_PHONE, sign="安电"))
    alarm = crig.alarm(crig.device(), 400.0)
    crig.step()
    [told] = deliveries(crig, alarm["id"])
    assert told["state"] == "retrying"
    error = told["attempts"][0]["error"]
    assert "isv.BUSINESS_LIMIT_CONTROL" in error and "触发分钟级流控" in error and SECRET not in error
    crig.clock.advance(60)  # past the backoff (2 s ±20 %)
    crig.step()
    [told] = deliveries(crig, alarm["id"])
    assert told["state"] == "sent" and [a["ok"] for a in told["attempts"]] == [False, True]
    assert [r.answered for r in cloud.got("SendSms")] == ["isv.BUSINESS_LIMIT_CONTROL", "ok"]


def test_tencent_sms_sends_the_parameters_in_the_template_order(crig: Rig, cloud: CloudReceiver) -> None:
    # A per-number refusal, then a whole-request one (Response.Error), then success: two retries.
    fates = ["LimitExceeded.PhoneNumberThirtySecondLimit", "LimitExceeded.AppDailyLimit"]
    cloud.behaviour = lambda n: fates[n] if n < len(fates) else "ok"
    subscribe(crig, "owner_1", cloud.url("tencentsms", "1234567", OWNER_PHONE, app="1400006666", sign="安电",
                                         params="site,quantity,value,threshold"))
    alarm = crig.alarm(crig.device(), 400.0)
    for _ in range(3):
        crig.step()
        crig.clock.advance(60)
    got = cloud.got("SendSms")
    assert all(r.signature_ok for r in got) and [r.answered for r in got] == [*fates, "ok"]
    assert got[-1].phone == f"+86{OWNER_PHONE}" and got[-1].sign == "安电"
    assert got[-1].params == ["site_market", "漏电流", "400 mA", "300 mA"]
    [told] = deliveries(crig, alarm["id"])
    errors = [a["error"] for a in told["attempts"]]
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in errors[0] and "LimitExceeded.AppDailyLimit" in errors[1]
    assert told["state"] == "sent"


def test_send_test_signs_and_a_wrong_secret_is_refused_by_the_vendor(crig: Rig, cloud: CloudReceiver) -> None:
    good = subscribe(crig, "owner_1", cloud.url("tencentvoice", "4356", OWNER_PHONE, app="1400006666"))
    bad = subscribe(crig, "owner_1", cloud.url("aliyunsms", "SMS_1", OWNER_PHONE, sign="安电").replace(
        SECRET, "NotTheSecret"))
    owner = crig.world.headers("owner_1")
    ok = crig.client.post(f"{SUBS}/{good['id']}/test", headers=owner).json()
    assert ok["ok"] is True, ok
    refused = crig.client.post(f"{SUBS}/{bad['id']}/test", headers=owner).json()
    assert refused["ok"] is False and "SignatureDoesNotMatch" in refused["results"][0]["error"]
    voice, sms = cloud.received
    assert (voice.action, voice.signature_ok, voice.params[0]) == ("SendTtsVoice", True, "测试")
    assert (sms.action, sms.signature_ok) == ("SendSms", False)


def test_bad_cloud_urls_are_refused_when_saved(crig: Rig, cloud: CloudReceiver) -> None:
    owner = crig.world.headers("owner_1")
    for url, words in ((cloud.url("aliyunsms", "SMS_1", OWNER_PHONE), "?sign="),
                       (cloud.url("aliyunsms", "SMS_1", "12345", sign="安电"), "12345 is not a mainland mobile"),
                       (cloud.url("tencentsms", "1", OWNER_PHONE, sign="x"), "?app=")):
        r = crig.client.post(SUBS, json={"url": url}, headers=owner)
        assert r.status_code == 400 and r.json()["extra"] == {"field": "url"}, r.text
        assert words in r.json()["detail"]


def test_an_endpoint_override_obeys_the_private_target_rule(settings: Settings, clock: Clock, hooks: WebhookReceiver,
                                                            cloud: CloudReceiver) -> None:
    private = msgspec.structs.replace(settings, notify_allow_private=False)
    for rig in make_rig(private, clock, hooks):
        owner = rig.world.headers("owner_1")
        r = rig.client.post(SUBS, json={"url": cloud.url("aliyunsms", "SMS_1", OWNER_PHONE, sign="安电")},
                            headers=owner)
        assert r.status_code == 400 and "127.0.0.1" in r.json()["detail"], r.text
        # Without an override it goes to the vendor's own public host, which the rule does not concern.
        r = rig.client.post(SUBS, json={"url": f"aliyunsms://k:s@SMS_1/{OWNER_PHONE}?sign=x"}, headers=owner)
        assert r.status_code == 201, r.text


def set_phone(client: TestClient[Any], world: World, who: str, phone: str) -> Any:
    return client.patch("/api/v1/me", json={"phone": phone}, headers=world.headers(who))


def test_an_owner_with_a_phone_is_called_once_after_the_first_rung(crig: Rig, cloud: CloudReceiver) -> None:
    r = set_phone(crig.client, crig.world, "owner_1", "+86 138-0013-8000")
    assert r.status_code == 200 and r.json()["phone"] == OWNER_PHONE, r.text
    assert crig.client.get(SUBS, headers=crig.world.headers("owner_1")).json() == []  # not a subscription to edit
    crig.subscribe("owner_1", "owner")
    crig.subscribe("operator_a", "operator")
    alarm = crig.alarm(crig.device(), 400.0)
    crig.step()
    told_at = crig.clock.now
    assert len(crig.got("owner")) == 1 and cloud.received == []
    crig.clock.now = told_at + 599
    crig.step()
    assert cloud.received == []
    crig.clock.now = told_at + 600
    crig.step()
    [call] = cloud.got("SingleCallByTts")
    assert call.signature_ok and call.phone == OWNER_PHONE and call.template == "TTS_184820765"
    assert (call.params["level"], call.params["quantity"], call.params["value"]) == ("报警", "漏电流", "400 mA")
    assert len(crig.got("operator")) == 1  # the rung itself went on as before
    crig.clock.advance(2 * HOUR)
    crig.step()
    assert len(cloud.got()) == 1
    calls = [d for d in deliveries(crig, alarm["id"]) if d["channel"] == "call"]
    assert [(d["user"], d["tier"], d["state"], d["transition"]) for d in calls] == [
        ("owner_1", 0, "sent", "raised")]


def test_no_call_once_acknowledged_nor_for_a_prealarm_nor_without_a_phone(crig: Rig, cloud: CloudReceiver) -> None:
    set_phone(crig.client, crig.world, "owner_1", OWNER_PHONE)
    alarm = crig.alarm(crig.device(), 400.0)
    crig.step()
    crig.clock.advance(300)
    r = crig.client.post(f"/api/v1/alarms/{alarm['id']}/ack", json={"note": "在处理"},
                         headers=crig.world.headers("owner_1"))
    assert r.status_code == 200, r.text
    crig.clock.advance(HOUR)
    crig.step()
    crig.alarm(crig.device(), 260.0)  # a pre-alarm
    crig.step()
    crig.clock.advance(HOUR)
    crig.step()
    assert cloud.received == []
    assert set_phone(crig.client, crig.world, "owner_1", "").json()["phone"] == ""
    crig.alarm(crig.device(), 400.0)
    crig.step()
    crig.clock.advance(HOUR)
    crig.step()
    assert cloud.received == []


def test_a_phone_number_must_be_a_mainland_mobile(client: TestClient[Any], world: World) -> None:
    for phone in ("12345", "23800138000", "1380013800a", "+1 415 555 0100"):
        r = set_phone(client, world, "owner_1", phone)
        assert r.status_code == 400 and r.json()["extra"] == {"field": "phone"}, r.text
        assert "中国大陆手机号" in r.json()["detail"]
    assert set_phone(client, world, "owner_1", "0086 139 0013 9000").json()["phone"] == "13900139000"
    assert client.get("/api/v1/me", headers=world.headers("owner_1")).json()["phone"] == "13900139000"


def test_the_notifications_page_learns_whether_the_caller_is_phoned(crig: Rig) -> None:
    set_phone(crig.client, crig.world, "owner_1", OWNER_PHONE)
    owner = crig.client.get("/api/v1/me/phone-call", headers=crig.world.headers("owner_1")).json()
    assert owner == {"available": True, "called": True, "phone": OWNER_PHONE, "after_s": 600.0}
    operator = crig.client.get("/api/v1/me/phone-call", headers=crig.world.headers("operator_a")).json()
    assert (operator["available"], operator["called"]) == (True, False)


def test_a_server_without_a_voice_service_says_so(rig: Rig) -> None:
    answer = rig.client.get("/api/v1/me/phone-call", headers=rig.world.headers("owner_1")).json()
    assert (answer["available"], answer["called"]) == (False, True)
