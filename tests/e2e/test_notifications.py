"""Notifications in the browser: the shop owner adds a webhook and an e-mail address, sends a test, sets the phone
number that is called (a wrong one gets the zh-CN error), an alarm reaches them, and the link in the message opens
the alarm page with its delivery log in words ("已通过邮件通知"), never a URL."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import BrowserContext, expect

from ..receivers import mail_sink, wait_for, webhook_receiver
from .test_live_alarm import api_token, log_in

SOCKET_BREAKER = "AD-BRK-0002"  # the market stall's socket circuit, owned by the demo's `owner`


def test_owner_subscribes_tests_and_follows_the_alarm_link(live_server: str, context: BrowserContext) -> None:
    with webhook_receiver() as hooks, mail_sink() as mail:
        page = context.new_page()
        log_in(page, live_server, "owner")
        expect(page.get_by_test_id("site-name")).to_be_visible()  # one site: the owner lands on it
        page.get_by_test_id("menu-toggle").click()  # the header's links are in a menu on phones
        page.get_by_test_id("nav-notifications").click()
        cards = page.get_by_test_id("subscription")
        expect(cards).to_have_count(1)  # the demo's mailbox
        expect(cards.first.get_by_test_id("sub-target")).to_contain_text("owner@andian.demo")

        page.get_by_test_id("sub-add").click()
        page.get_by_test_id("sub-url").fill("weixin://not-a-service")
        page.get_by_test_id("sub-save").click()
        expect(page.get_by_test_id("sub-error-url")).to_contain_text("apprise has no service weixin://")

        page.get_by_test_id("sub-url").fill(hooks.url("shop-phone"))
        page.get_by_test_id("sub-label").fill("店里的手机")
        page.get_by_test_id("sub-save").click()
        expect(cards).to_have_count(2)
        mine = cards.filter(has_text="店里的手机")
        expect(mine.get_by_test_id("sub-sites-text")).to_have_text("全部场所")

        mine.get_by_test_id("sub-test").click()
        expect(mine.get_by_test_id("sub-test-result")).to_have_attribute("data-ok", "true", timeout=15_000)
        expect(mine.get_by_test_id("sub-test-item")).to_have_attribute("data-status", "SUCCESS")
        test = wait_for(lambda: hooks.accepted("shop-phone"), what="the test message")[0]
        assert test.title == "【测试】安电通知"

        # An e-mail address of the shop's own (a local SMTP server; the demo allows private targets).
        page.get_by_test_id("sub-add").click()
        page.get_by_test_id("sub-url").fill(mail.url("shop@andian.demo"))
        page.get_by_test_id("sub-label").fill("店里的邮箱")
        page.get_by_test_id("sub-save").click()
        expect(cards).to_have_count(3)

        # The phone number that is called: what it means, a wrong one refused in Chinese, a right one kept.
        phone = page.get_by_test_id("phone-call")
        expect(phone.get_by_test_id("phone-meaning")).to_contain_text("未确认的报警将在第一级升级后电话通知您")
        phone.get_by_test_id("phone-input").fill("1380013800")
        phone.get_by_test_id("phone-save").click()
        expect(phone.get_by_test_id("phone-error")).to_have_text("请填写 11 位中国大陆手机号，例如 13800138000")
        phone.get_by_test_id("phone-input").fill("+86 138 0013 8000")
        phone.get_by_test_id("phone-save").click()
        expect(phone.get_by_test_id("phone-saved")).to_have_text("已保存")
        expect(phone.get_by_test_id("phone-error")).to_have_count(0)
        page.reload()
        expect(page.get_by_test_id("phone-input")).to_have_value("13800138000")

        # A leakage alarm on the stall's socket circuit, ingested by the operator.
        now = time.time()
        batch = {"batch_id": str(uuid.uuid4()), "samples": [
            {"device": SOCKET_BREAKER, "channel": "residual_ma", "ts": now - age, "value": 450.0}
            for age in (12, 6, 0)]}
        token = api_token(live_server, "operator")
        r = httpx.post(f"{live_server}/api/v1/ingest", json=batch, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
        alarm = wait_for(lambda: [h for h in hooks.accepted("shop-phone") if h.title.startswith("【报警】")],
                         what="the alarm message")[0]
        wait_for(lambda: [m for m in mail.to("shop@andian.demo") if m.subject.startswith("【报警】")],
                 what="the alarm e-mail")
        assert "插座回路 漏电流 450 mA" in alarm.title
        link = re.search(r"http://\S+/alarms/\d+", alarm.message)
        assert link, alarm.message

        page.goto(link.group(0))
        expect(page.get_by_test_id("alarm-detail")).to_have_attribute("data-level", "alarm")
        expect(page.get_by_test_id("alarm-cause")).to_contain_text("漏电流")
        log = page.get_by_test_id("delivery-log")
        expect(log).to_be_visible()
        raised = log.locator('[data-testid="delivery-group"][data-transition="raised"]')
        # The owner's two subscriptions: the demo mailbox (which other tests on this server may have filled up
        # to its rate limit, holding this one for a summary) and the webhook, sent at once.
        expect(raised.locator('[data-testid="delivery-item"][data-tier="0"]')).to_have_count(3)
        sent = raised.locator('[data-testid="delivery-item"][data-state="sent"]')
        by_mail = sent.filter(has=page.locator('[data-channel="email"]'))
        by_hook = sent.filter(has=page.locator('[data-channel="webhook"]'))
        deadline = time.monotonic() + 15
        while (by_mail.count() == 0 or by_hook.count() == 0) and time.monotonic() < deadline:
            page.wait_for_timeout(500)  # the message went out; its "sent" is recorded a moment later
            page.get_by_test_id("delivery-refresh").click()
        expect(by_hook).to_have_count(1)
        expect(by_hook.get_by_test_id("delivery-service")).to_have_text("网络接口")
        expect(by_hook.get_by_test_id("delivery-state")).to_contain_text("已通过网络接口通知")
        expect(by_mail.first.get_by_test_id("delivery-service")).to_have_text("邮件")
        expect(by_mail.first.get_by_test_id("delivery-state")).to_contain_text("已通过邮件通知")
        expect(raised.locator('[data-testid="delivery-tier"]').first).to_have_text("业主")
        # In words only: no address, no scheme, no apprise service name anywhere in the log.
        words = log.inner_text()
        for never in ("://", "127.0.0.1", "mailto", "json", "andian.demo", "apprise"):
            assert never not in words, (never, words)



def test_an_open_site_page_shows_a_new_alarm_as_a_system_notification(live_server: str,
                                                                      context: BrowserContext) -> None:
    context.grant_permissions(["notifications"], origin=live_server)
    page = context.new_page()
    log_in(page, live_server, "owner")
    expect(page.get_by_test_id("site-name")).to_be_visible()  # one site: the owner lands on it
    page.get_by_test_id("menu-toggle").click()  # the header's links are in a menu on phones
    page.get_by_test_id("nav-notifications").click()
    switch = page.get_by_test_id("sysnotify")
    if switch.get_attribute("data-on") != "true":
        page.get_by_test_id("sysnotify-switch").click()
    expect(switch).to_have_attribute("data-on", "true")
    expect(switch).to_have_attribute("data-permission", "granted")

    page.goto(live_server + "/")  # lands on the owner's one site
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    # The lighting breaker's wire temperature over the 70 °C alarm level for longer than 5 s.
    now = time.time()
    batch = {"batch_id": str(uuid.uuid4()), "samples": [
        {"device": "AD-BRK-0001", "channel": "temp_c", "ts": now - age, "value": 82.0} for age in (12, 6, 0)]}
    token = api_token(live_server, "operator")
    r = httpx.post(f"{live_server}/api/v1/ingest", json=batch, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["accepted"] == 3, r.text

    # One snapshot of the worker's notifications, taken once an alarm is among them (a notification being
    # replaced under its tag is briefly absent, so no second look).
    shown = ("async () => { const all = await (await navigator.serviceWorker.ready).getNotifications(); "
             "const alarms = all.filter(n => n.title.startsWith('【报警】'))"
             ".map(n => [n.title, n.tag, n.data && n.data.url]); return alarms.length ? alarms : null }")
    notices = None
    deadline = time.monotonic() + 15
    while not notices and time.monotonic() < deadline:
        notices = page.evaluate(shown)  # awaits the promise, unlike wait_for_function
        page.wait_for_timeout(200)
    assert notices, "no system notification for the alarm"
    [(title, tag, url)] = notices
    assert "桃花仑综合市场 12号摊位" in title and "82" in title
    assert tag.startswith("alarm-") and url == f"/alarms/{tag.removeprefix('alarm-')}"
