"""Notifications in the browser: the shop owner adds a webhook, sends a test, an alarm reaches it, and the link
in the message opens the alarm page with its delivery log."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import BrowserContext, expect

from ..receivers import wait_for, webhook_receiver
from .test_live_alarm import api_token, log_in

SOCKET_BREAKER = "AD-BRK-0002"  # the market stall's socket circuit, owned by the demo's `owner`


def test_owner_subscribes_tests_and_follows_the_alarm_link(live_server: str, context: BrowserContext) -> None:
    with webhook_receiver() as hooks:
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
        expect(raised.locator('[data-testid="delivery-item"][data-tier="0"]')).to_have_count(2)
        webhook = raised.locator('[data-testid="delivery-item"][data-state="sent"]', has_text="json://")
        expect(webhook).to_have_count(1)
        expect(raised.locator('[data-testid="delivery-tier"]').first).to_have_text("业主")



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
