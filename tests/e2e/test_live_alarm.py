"""The live site page: a leakage alarm ingested by the operator shows on the owner's open page without a reload
(banner, alarm list with the cause in words, the channel's live value), and the owner acknowledges it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from server.demo.city import DEMO_PASSWORD

from .conftest import demo_server

MARKET_STALL = "桃花仑综合市场 12号摊位"
BREAKER = "AD-BRK-0001"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()


def api_token(base: str, username: str) -> str:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo of its own: the stall has no alarm when the page opens, whichever tests ran before on this worker
    (test_notifications raises alarms at the same stall on the shared one)."""
    with demo_server(tmp_path_factory.mktemp("live-alarm-e2e")) as url:
        yield url


def test_leakage_alarm_appears_live_and_is_acknowledged(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "owner")
    expect(page.get_by_test_id("site-name")).to_have_text(MARKET_STALL)  # one site: the owner lands on it
    # Subscribed before anything is ingested, so what follows arrives through the stream.
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("alarm-list")).to_be_visible()
    expect(page.get_by_test_id("alarm-banner")).to_have_count(0)
    page.evaluate("() => { window.__sameDocument = true }")  # gone if the page reloads

    # The operator's ingest: three samples 6 s apart above the default 300 mA level (5 s minimum duration).
    token = api_token(live_server, "operator")
    now = time.time()
    batch = {
        "batch_id": str(uuid.uuid4()),
        "samples": [
            {"device": BREAKER, "channel": "residual_ma", "ts": now - age, "value": 420.0} for age in (12, 6, 0)
        ],
    }
    response = httpx.post(f"{live_server}/api/v1/ingest", json=batch, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 3, response.text

    banner = page.get_by_test_id("alarm-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-level", "alarm")
    expect(banner).to_contain_text("漏电流持续超过 300 mA")

    item = page.locator('[data-testid="alarm-item"][data-cause="leakage"][data-active="true"]')
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-level", "alarm")
    expect(item.get_by_test_id("alarm-cause")).to_contain_text("漏电流持续超过 300 mA（最高 420 mA）")

    row = page.locator(f'[data-testid="device-card"][data-device-serial="{BREAKER}"] '
                       '[data-testid="channel-row"][data-channel-key="residual_ma"]')
    expect(row.get_by_test_id("channel-value")).to_have_text("420 mA")
    expect(row).to_have_attribute("data-state", "alarm")
    expect(page.get_by_test_id("site-status")).to_have_attribute("data-status", "alarm")

    # Acknowledge: confirm with a note; the list then says who and when, and the alarm stays active.
    item.get_by_test_id("alarm-ack").click()
    item.get_by_test_id("alarm-ack-note").fill("已通知电工，30 分钟内到场")
    item.get_by_test_id("alarm-ack-confirm").click()
    expect(item.get_by_test_id("alarm-acked")).to_contain_text("王老板（市场摊位）")
    expect(item.get_by_test_id("alarm-ack")).to_have_count(0)
    expect(item).to_have_attribute("data-active", "true")
    expect(banner).to_be_visible()

    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"

    # The server kept the acknowledgement.
    owner = api_token(live_server, "owner")
    alarm_id = item.get_attribute("data-alarm-id")
    listed = httpx.get(f"{live_server}/api/v1/alarms", params={"active": "true"},
                       headers={"Authorization": f"Bearer {owner}"}).json()
    ours = [a for a in listed if str(a["id"]) == alarm_id]
    assert ours and ours[0]["acknowledged_by"] == "王老板（市场摊位）", listed
