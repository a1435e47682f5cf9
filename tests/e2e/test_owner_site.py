"""Story 1 on a phone and a desktop: the demo owner logs in and lands on their one site, which leads with its status
in a sentence, live values at once (never "—"), the last alarm with a link, the capability line, and the settings
one tap away; the header stays one row."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .conftest import demo_server
from .test_live_alarm import api_token, log_in

STALL = "桃花仑综合市场 12号摊位"
CARE_HOME = "康乐养老院"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A demo of each test's own: the alarm raised and the values sent here must not show on other pages."""
    with demo_server(tmp_path) as url:
        operator = {"Authorization": f"Bearer {api_token(url, 'operator')}"}
        now = time.time()

        def ingest(device: str, samples: list[tuple[str, float, float]]) -> None:
            r = httpx.post(f"{url}/api/v1/ingest", headers=operator, json={"batch_id": str(uuid.uuid4()), "samples": [
                {"device": device, "channel": key, "ts": ts, "value": value} for key, ts, value in samples]})
            assert r.status_code == 200 and r.json()["accepted"] == len(samples), r.text

        # The stall's breakers report every 10 minutes here, so they do not go offline while the tests run (and a
        # value older than three intervals is stale).
        stall = next(s for s in httpx.get(f"{url}/api/v1/sites", headers=operator).json() if s["name"] == STALL)
        for device in httpx.get(f"{url}/api/v1/sites/{stall['id']}", headers=operator).json()["devices"]:
            r = httpx.patch(f"{url}/api/v1/devices/{device['id']}", headers=operator, json={"poll_interval_s": 600})
            assert r.status_code == 200, r.text
        # Readings from before the owner opens the page: the lighting breaker 45 minutes ago (stale: three intervals
        # are 30 minutes; newer than the demo's history, which ends an hour ago), the socket
        # breaker a leakage alarm that ended (three samples over 300 mA, then back to normal), a minute ago.
        ingest("AD-BRK-0001", [(k, now - 2700, v) for k, v in (("current_a", 3.2), ("residual_ma", 41.0),
                                                               ("temp_c", 31.5), ("voltage_v", 226.0),
                                                               ("power_w", 700.0), ("energy_kwh", 1520.0))])
        ingest("AD-BRK-0002", [("residual_ma", now - 90 + t, 410.0) for t in (0, 6, 12)]
               + [("residual_ma", now - 60, 150.0), ("current_a", now - 60, 9.5), ("temp_c", now - 60, 35.0),
                  ("voltage_v", now - 60, 224.0), ("power_w", now - 60, 2100.0), ("energy_kwh", now - 60, 880.0)])
        yield url


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 1280, "height": 800}],
                         ids=["phone", "desktop"])
def test_owner_lands_on_the_site_that_leads_with_what_matters(server: str, browser: Browser,
                                                              viewport: dict[str, int]) -> None:
    context = browser.new_context(locale="zh-CN", viewport=viewport)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        log_in(page, server, "owner")
        # One site: straight to it, no list in between, and no "back" to a list of one.
        expect(page.get_by_test_id("site-name")).to_have_text(STALL)
        assert "/sites/" in page.url
        expect(page.get_by_test_id("site-item")).to_have_count(0)
        expect(page.locator("a.back")).to_have_count(0)

        # The header is one row, on the phone too: as high as its menu button or brand, not two lines.
        header = page.locator("header.topbar")
        height = header.evaluate("e => e.getBoundingClientRect().height")
        assert height < 64, f"the header wraps: {height} px"
        expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "true")
        expect(header.get_by_text("离线")).to_have_count(0)

        # Status in a sentence; the last alarm (the leakage that ended) with a link to its page.
        expect(page.get_by_test_id("site-status")).to_have_attribute("data-status", "normal")
        expect(page.get_by_test_id("site-status-sentence")).to_have_text(
            "一切正常：12 个测量点都在监测中，没有报警。")
        last = page.get_by_test_id("last-alarm")
        expect(last).to_contain_text("插座回路 · 剩余电流")
        expect(last).to_contain_text("漏电流")
        expect(last).to_contain_text("已恢复")

        # Live values at once: every one with a value and its age, none "—"; the 45-minute-old ones greyed.
        values = page.get_by_test_id("live-value")
        expect(values).to_have_count(12)
        expect(page.get_by_test_id("live-values")).not_to_contain_text("—")
        expect(page.get_by_test_id("live-values")).not_to_contain_text("暂无读数")
        socket = page.locator('[data-testid="live-value"]', has_text="插座回路 · 剩余电流")
        expect(socket.get_by_test_id("live-value-text")).to_have_text("150 mA")
        expect(socket.get_by_test_id("live-value-age")).to_have_text("1分钟前")
        expect(socket).to_have_attribute("data-stale", "false")
        lighting = page.locator('[data-testid="live-value"]', has_text="照明回路 · 剩余电流")
        expect(lighting.get_by_test_id("live-value-text")).to_have_text("41 mA")
        expect(lighting.get_by_test_id("live-value-age")).to_have_text("45分钟前")
        expect(lighting).to_have_attribute("data-stale", "true")

        # The market must have arc extinguishing, which plain breakers do not give.
        caps = page.get_by_test_id("site-capabilities")
        expect(caps).to_have_attribute("data-compliant", "false")
        expect(caps).to_have_text("灭弧保护 ✘— 不符合 集贸市场 的配置要求")

        # Thresholds and devices are not in the owner's face, and one tap away.
        settings = page.get_by_test_id("site-settings")
        cards = page.get_by_test_id("device-card")
        expect(cards.first).to_be_hidden()
        page.get_by_test_id("site-settings-toggle").click()
        expect(cards).to_have_count(2)
        expect(cards.first).to_be_visible()
        expect(settings.get_by_test_id("channel-alarm").first).to_be_visible()
        expect(settings.get_by_test_id("commission-start")).to_have_count(0)  # installers' action, not the owner's

        # The stream moves the value on; the last alarm's link opens its page.
        token = api_token(server, "operator")
        r = httpx.post(f"{server}/api/v1/ingest", headers={"Authorization": f"Bearer {token}"}, json={
            "batch_id": str(uuid.uuid4()),
            "samples": [{"device": "AD-BRK-0002", "channel": "residual_ma", "ts": time.time(), "value": 160.0}]})
        assert r.status_code == 200, r.text
        expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
        expect(socket.get_by_test_id("live-value-text")).to_have_text("160 mA")
        expect(socket.get_by_test_id("live-value-age")).to_have_text("刚刚")
        page.get_by_test_id("last-alarm-link").click()
        expect(page.get_by_test_id("alarm-detail")).to_be_visible()
    finally:
        context.close()


def test_care_home_director_reads_named_channels_and_a_compliant_site(server: str, browser: Browser) -> None:
    """An installer names a probe after what it measures; the director sees that name and the ✔ line."""
    installer = {"Authorization": f"Bearer {api_token(server, 'installer')}"}
    sites = httpx.get(f"{server}/api/v1/sites", headers=installer).json()
    care = next(s for s in sites if s["name"] == CARE_HOME)
    site = httpx.get(f"{server}/api/v1/sites/{care['id']}", headers=installer).json()
    probe = next(c for d in site["devices"] for c in d["channels"] if c["key"] == "temp_c_2")
    r = httpx.patch(f"{server}/api/v1/channels/{probe['id']}", headers=installer,
                    json={"label": "二楼走廊照明 进线端子"})
    assert r.status_code == 200, r.text

    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        log_in(page, server, "carehome")
        expect(page.get_by_test_id("site-name")).to_have_text(CARE_HOME)
        caps = page.get_by_test_id("site-capabilities")
        expect(caps).to_have_attribute("data-compliant", "true")
        expect(caps).to_have_text("故障电弧探测 ✔— 符合 养老机构 的配置要求")
        values = page.get_by_test_id("live-values")
        expect(values).to_contain_text("二楼走廊照明 进线端子")
        expect(values).to_contain_text("一层总进线 · 温度 3")  # no label: circuit · quantity, never "温度 3" alone
        expect(values).not_to_contain_text("temp_c")

        # The phone menu holds the links; it opens with one tap and a link closes it.
        page.get_by_test_id("menu-toggle").click()
        page.get_by_test_id("nav-hazards").click()
        expect(page.get_by_test_id("topbar-menu")).to_be_hidden()
    finally:
        context.close()
