"""Issue 18, story 5 in Chromium: a regulator lands on the dashboard, goes from a district × sector cell to its
units, to a non-compliant unit and its monthly report (the back button retraces the way), and exports a table
that opens as a real .xlsx; on a phone, a sector bureau sees its sector in the picker and 0/0 as "无此类单位"."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, expect

from .conftest import watched_context
from .test_live_alarm import api_token, log_in


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    with watched_context(browser, viewport={"width": 1280, "height": 800}, accept_downloads=True) as context:
        yield context


def test_fire_regulator_drills_from_a_cell_to_a_unit_report_and_exports(live_server: str,
                                                                        desktop: BrowserContext) -> None:
    page = desktop.new_page()
    log_in(page, live_server, "fire")
    expect(page.get_by_test_id("dash-summary")).to_be_visible()  # landed on the dashboard at "/"
    fire = {"Authorization": f"Bearer {api_token(live_server, 'fire')}"}
    rows = httpx.get(f"{live_server}/api/v1/stats/coverage", headers=fire).json()["rows"]
    row = next(r for r in rows if r["district"] == "430903" and r["sector"] == "commerce")
    expected = httpx.get(f"{live_server}/api/v1/stats/units", params={"region": "430903", "sector": "commerce"},
                         headers=fire).json()
    assert expected["total"] == row["sites"] and any(not u["compliant"] for u in expected["rows"])
    expect(page.get_by_test_id("dash-trend-chart")).to_have_attribute("data-months", "12")
    expect(page.get_by_test_id("dash-rank-row").first).to_be_visible()

    page.locator('[data-testid="heat-cell"][data-district="430903"][data-sector="commerce"]').click()
    page.get_by_test_id("heat-detail-units").click()
    page.wait_for_url(re.compile(r".*/dashboard/units\?region=430903&sector=commerce$"))
    expect(page.get_by_test_id("units-total")).to_have_attribute("data-total", str(row["sites"]))
    expect(page.get_by_test_id("units-title")).to_contain_text("赫山区")
    items = page.get_by_test_id("unit-item")
    expect(items).to_have_count(row["sites"])
    lacking = page.locator('[data-testid="unit-item"][data-compliant="false"]').first
    unit = next(u for u in expected["rows"] if not u["compliant"])
    expect(lacking).to_have_attribute("data-site-id", str(unit["site_id"]))
    expect(lacking.get_by_test_id("unit-compliance")).to_contain_text("缺 " + "、".join(unit["missing_names"]))
    expect(lacking.get_by_test_id("unit-grade")).to_have_attribute("data-grade", unit["grade"])

    # Export the list: a real .xlsx with the units on the page, under its Chinese name.
    with page.expect_download() as download:
        page.get_by_test_id("export-units-xlsx").click()
    assert download.value.suggested_filename.startswith("安电_单位清单_") and \
        download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [u["name"] for u in expected["rows"]]

    lacking.get_by_test_id("unit-report").click()
    page.wait_for_url(re.compile(rf".*/sites/{unit['site_id']}/report$"))
    expect(page.get_by_test_id("report-grade")).to_have_attribute("data-grade", unit["grade"])
    page.go_back()
    expect(page.get_by_test_id("units-total")).to_have_attribute("data-total", str(row["sites"]))
    page.go_back()
    expect(page.get_by_test_id("dash-summary")).to_be_visible()

    # "未按要求配备" leads to every unit lacking something, each saying what.
    link = page.get_by_test_id("dash-noncompliant-link")
    count = link.get_attribute("data-count")
    link.click()
    page.wait_for_url(re.compile(r".*/dashboard/units\?compliant=false$"))
    expect(page.get_by_test_id("unit-item")).to_have_count(int(count or 0))
    expect(page.locator('[data-testid="unit-item"][data-compliant="true"]')).to_have_count(0)
    first = page.get_by_test_id("unit-item").first
    expect(first.get_by_test_id("unit-compliance")).to_contain_text("缺 ")
    first.get_by_test_id("unit-hazards").click()
    page.wait_for_url(re.compile(r".*/hazards\?site=\d+$"))


def test_commerce_bureau_on_a_phone(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()  # 412 × 860
    log_in(page, live_server, "commerce")
    expect(page.get_by_test_id("dash-summary")).to_be_visible()
    sector = page.get_by_test_id("dash-sector")
    expect(sector).to_have_value("commerce")  # was blank: a select without the value among its options
    assert sector.evaluate("e => e.selectedIndex") == 0
    assert sector.evaluate("e => e.options[e.selectedIndex].text") == "商务部门"
    high_risk = page.locator('[data-testid="dash-category"][data-category="high_risk"]')
    expect(high_risk).to_have_attribute("data-status", "no_units")
    expect(high_risk).to_contain_text("无此类单位")
    expect(high_risk).not_to_contain_text("未达标")
    page.get_by_test_id("dash-noncompliant-link").click()
    expect(page.get_by_test_id("unit-item").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    disposition = httpx.get(f"{live_server}/api/v1/stats/export/units", params={"format": "csv"}, headers={
        "Authorization": f"Bearer {api_token(live_server, 'commerce')}"}).headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("安电_单位清单_")
