"""Alarms the owner can trust, on the owner's open site page in Chromium (issue 14): a device's self-test is listed
as 自检 with no banner, no beep and no change to the site's status; a leakage alarm that the breaker ends by
tripping says 已跳闸断电 rather than 已恢复, and the open breaker and the site's 已断电 show without a reload
until the breaker closes again. Readings go through the real HTTP ingest with the site box's gateway key."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from server.demo.city import DEMO_PASSWORD

from .test_live_alarm import api_token, log_in

BREAKER = "插座回路断路器"
# navigator.vibrate is called with every beep of a new alarm (pwa/src/features/alarms/alert.ts); counting the
# calls is how the test hears the beep, since headless Chromium has no speaker to listen to.
COUNT_BUZZES = """
window.__buzzes = 0
Object.defineProperty(navigator, 'vibrate', { value: () => { window.__buzzes += 1; return true } })
"""


class Shop:
    """A shop of its own (so the demo's other tests leave its status alone): an owner, one breaker, a site box."""

    def __init__(self, base: str) -> None:
        self.base = base
        suffix = uuid.uuid4().hex[:6]
        admin = {"Authorization": f"Bearer {api_token(base, 'admin')}"}
        operator = {"Authorization": f"Bearer {api_token(base, 'operator')}"}
        self.owner = f"shop-{suffix}"
        r = httpx.post(f"{base}/api/v1/users", headers=admin, json={
            "username": self.owner, "password": DEMO_PASSWORD, "role": "owner", "display_name": "赵老板（五金店）"})
        assert r.status_code == 201, r.text
        r = httpx.post(f"{base}/api/v1/sites", headers=operator, json={
            "name": f"资阳五金店 {suffix}", "address": "益阳市资阳区汽车路 86 号", "region_code": "430902001001",
            "venue_type": "market", "owner_id": r.json()["id"]})
        assert r.status_code == 201, r.text
        self.site_id = r.json()["id"]
        self.serial = f"TRIP-{suffix}"
        r = httpx.post(f"{base}/api/v1/sites/{self.site_id}/devices", headers=operator, json={
            "serial": self.serial, "model": "AD-SB63", "kind": "breaker", "name": BREAKER, "circuit": "插座回路",
            "rated_current_a": 32, "channels": [{"key": "residual_ma"}, {"key": "current_a"}]})
        assert r.status_code == 201, r.text
        self.device_id = r.json()["id"]
        r = httpx.post(f"{base}/api/v1/sites/{self.site_id}/gateways", headers=operator, json={"name": "五金店网关"})
        assert r.status_code == 201, r.text
        self.gateway = {"Authorization": f"Bearer {r.json()['api_key']}"}

    def ingest(self, residual_ma: list[tuple[float, float]], events: Sequence[tuple[str, float]] = ()) -> None:
        """(ts, mA) readings and (kind, ts) events of the breaker, as the site box posts them."""
        body = {
            "batch_id": str(uuid.uuid4()),
            "samples": [{"device": self.serial, "channel": "residual_ma", "ts": ts, "value": v}
                        for ts, v in residual_ma],
            "events": [{"device": self.serial, "kind": kind, "ts": ts, "count": 1} for kind, ts in events],
        }
        r = httpx.post(f"{self.base}/api/v1/ingest", json=body, headers=self.gateway)
        assert r.status_code == 200, r.text
        assert r.json()["rejected"] == [], r.text

    def as_owner(self, path: str) -> Any:
        token = api_token(self.base, self.owner)
        r = httpx.get(f"{self.base}{path}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        return r.json()


def buzzes(page: Page) -> int:
    return int(page.evaluate("() => window.__buzzes"))


def test_self_test_stays_quiet_and_a_trip_shows_live_until_the_breaker_closes(
        live_server: str, context: BrowserContext) -> None:
    shop = Shop(live_server)
    page = context.new_page()
    page.add_init_script(COUNT_BUZZES)
    log_in(page, live_server, shop.owner)
    expect(page.get_by_test_id("site-name")).to_contain_text("资阳五金店")  # one site: the owner lands on it
    # Subscribed before anything is ingested, so what follows arrives through the stream.
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    status = page.get_by_test_id("site-status")
    expect(status).to_have_attribute("data-status", "normal")
    page.evaluate("() => { window.__sameDocument = true }")  # gone if the page reloads
    banner = page.get_by_test_id("alarm-banner")
    card = page.locator(f'[data-testid="device-card"][data-device-serial="{shop.serial}"]')
    leakage = page.locator('[data-testid="alarm-item"][data-cause="leakage"]')

    # (a) The self-test: its event, then a minute of the detector's test current (480 mA, 5 s apart), posted
    # together as a site box forwards what it buffered. The 60 s window after the event covers every reading.
    t0 = time.time() - 100
    shop.ingest([(t0 + 5 * i, 480.0) for i in range(12)], [("self_test", t0)])
    expect(leakage).to_have_count(1)
    test_id = leakage.get_attribute("data-alarm-id")
    test_alarm = page.locator(f'[data-testid="alarm-item"][data-alarm-id="{test_id}"]')
    expect(test_alarm).to_have_attribute("data-active", "true")
    expect(test_alarm.get_by_test_id("alarm-test-badge")).to_have_text("自检")
    expect(banner).to_have_count(0)
    expect(status).to_have_attribute("data-status", "normal")
    expect(card.get_by_test_id("device-alarm")).to_have_count(0)  # a test does not colour the device either
    assert buzzes(page) == 0
    # The current stops; the test alarm ends and stays listed as a test.
    shop.ingest([(t0 + 60, 30.0), (t0 + 65, 30.0)])
    expect(test_alarm).to_have_attribute("data-active", "false")
    expect(test_alarm.get_by_test_id("alarm-test-badge")).to_be_visible()
    expect(status).to_have_attribute("data-status", "normal")
    [listed] = [a for a in shop.as_owner("/api/v1/alarms") if str(a["id"]) == test_id]
    assert listed["test"] is True and listed["cleared_at"] is not None, listed

    # (b) A real leakage, well after the self-test's window: the banner, the beep and the site in alarm.
    t1 = time.time()
    shop.ingest([(t1 - 12, 420.0), (t1 - 6, 420.0), (t1, 420.0)])
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-level", "alarm")
    real = page.locator('[data-testid="alarm-item"][data-cause="leakage"][data-active="true"]')
    expect(real).to_have_count(1)
    expect(real.get_by_test_id("alarm-test-badge")).to_have_count(0)
    expect(status).to_have_attribute("data-status", "alarm")
    page.wait_for_function("() => window.__buzzes > 0")
    assert buzzes(page) == 1
    real_id = real.get_attribute("data-alarm-id")
    tripped = page.locator(f'[data-testid="alarm-item"][data-alarm-id="{real_id}"]')

    # The breaker trips by itself and the site box reports the trip with the residual current now at 0 mA.
    t2 = time.time()
    shop.ingest([(t2, 0.0)], [("trip", t2 - 1)])
    switch = card.get_by_test_id("device-switch")
    expect(switch).to_have_attribute("data-switch", "open")
    expect(switch).to_contain_text("已分闸 · 回路已断电")
    expect(status).to_have_attribute("data-status", "power_off")
    expect(status).to_have_text("已断电")
    expect(banner).to_have_count(0)
    expect(tripped).to_have_attribute("data-active", "false")
    reason = tripped.get_by_test_id("alarm-cleared-reason")
    expect(reason).to_have_attribute("data-reason", "trip")
    expect(reason).to_contain_text("已跳闸断电 · 断路器自动跳闸 · ")
    expect(tripped.locator(".alarm-times")).not_to_contain_text("恢复")
    expect(tripped.get_by_test_id("alarm-test-badge")).to_have_count(0)
    expect(test_alarm.get_by_test_id("alarm-test-badge")).to_be_visible()  # the self-test stays listed below
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"

    # The server agrees: the alarm ended by the trip, the breaker open, the site without power.
    [alarm] = [a for a in shop.as_owner("/api/v1/alarms") if str(a["id"]) == real_id]
    assert alarm["cleared_reason"] == "trip" and alarm["test"] is False, alarm
    site = shop.as_owner(f"/api/v1/sites/{shop.site_id}")
    assert site["status"] == "power_off", site
    [device] = site["devices"]
    assert device["switch"] == "open", device

    # (c) The electrician closes the breaker: the site is back to normal, the alarm still says how it ended.
    shop.ingest([], [("close", time.time())])
    expect(status).to_have_attribute("data-status", "normal")
    expect(card.locator('[data-testid="device-switch"][data-switch="open"]')).to_have_count(0)
    expect(switch).to_have_attribute("data-switch", "closed")
    expect(reason).to_contain_text("已跳闸断电")
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
    assert buzzes(page) == 1
