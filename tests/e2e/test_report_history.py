"""Issue 18, reports on the demo's first day, in Chromium: the shop owner opens last month's health check, which the
demo's history fills — a grade from data, trend charts drawn, the grade's cap explained when there is one — and
downloads its PDF."""

from __future__ import annotations

import re
from datetime import date

import httpx
from playwright.sync_api import BrowserContext, expect

from .test_live_alarm import api_token, log_in


def _last_month() -> str:
    today = date.today()
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def test_owner_reads_last_months_report_from_the_demo_history(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "owner")
    expect(page).to_have_url(re.compile(r"/sites/\d+$"))  # an owner of one site lands on it
    page.get_by_test_id("site-report-link").click()
    expect(page.get_by_test_id("report")).to_be_visible()
    period = _last_month()
    page.get_by_test_id("report-period").select_option(period)
    report_box = page.get_by_test_id("report")
    expect(report_box).to_have_attribute("data-period", period)

    site_id = re.search(r"/sites/(\d+)/report", page.url)
    assert site_id
    owner = {"Authorization": f"Bearer {api_token(live_server, 'owner')}"}
    report = httpx.get(f"{live_server}/api/v1/sites/{site_id.group(1)}/report", params={"period": period},
                       headers=owner).json()
    assert report["trends"], "the demo's history has no trend for last month"
    expect(page.get_by_test_id("report-grade")).to_have_attribute("data-grade", report["grade"])
    expect(page.get_by_test_id("report-trends")).to_have_attribute("data-count", str(len(report["trends"])))
    chart = page.get_by_test_id("report-trend-chart").first
    expect(chart.locator("canvas")).to_have_count(1)
    online = page.locator('[data-testid="report-factor"][data-key="online"] td').first
    expect(online).not_to_have_text("—")  # the devices were watched all month
    note = page.get_by_test_id("report-grade-note")
    if report["grade_note"]:
        expect(note).to_have_text(report["grade_note"])
    else:
        expect(note).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
