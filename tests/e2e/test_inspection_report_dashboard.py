"""The grid inspector's walk-through, the owner's health-check report and the fire department's dashboard, in
Chromium against the demo server."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import BrowserContext, expect

from .test_live_alarm import api_token, log_in

STALL = "桃花仑综合市场 12号摊位"


def test_inspector_walks_the_market_checklist_and_the_failures_become_hazards(live_server: str,
                                                                              context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "inspector")
    page.locator('[data-testid="site-item"]', has_text=STALL).click()
    page.get_by_test_id("inspection-start").click()
    page.wait_for_url(re.compile(r".*/inspections/\d+$"))
    items = page.get_by_test_id("insp-item")
    expect(items).to_have_count(40)
    keys = [items.nth(i).get_attribute("data-key") for i in range(40)]
    failed = {"ebike_charging": "楼道内有电动车充电", "stall_heaters": "3 号摊位使用电暖器"}
    for key in keys:
        assert key is not None
        if key in failed:
            page.get_by_test_id(f"insp-{key}-fail").click()
            page.get_by_test_id(f"insp-{key}-note").fill(failed[key])
        else:
            page.get_by_test_id(f"insp-{key}-pass").click()
    expect(page.get_by_test_id("insp-progress")).to_have_attribute("data-answered", "40")
    expect(page.get_by_test_id("insp-sync")).to_have_attribute("data-state", "saved", timeout=15_000)
    page.get_by_test_id("insp-signature").fill("李娟")
    page.get_by_test_id("insp-submit").click()
    expect(page.get_by_test_id("insp-confirm-text")).to_contain_text("2")
    page.get_by_test_id("insp-confirm-yes").click()
    expect(page.get_by_test_id("insp-result")).to_have_attribute("data-hazards", "2")
    links = page.get_by_test_id("insp-hazard-link")
    expect(links).to_have_count(2)
    hazard_ids = {links.nth(i).get_attribute("data-hazard-id") for i in range(2)}

    owner = {"Authorization": f"Bearer {api_token(live_server, 'owner')}"}
    mine = httpx.get(f"{live_server}/api/v1/hazards", params={"mine": "true"}, headers=owner).json()
    ours = [h for h in mine if str(h["id"]) in hazard_ids]
    assert len(ours) == 2 and all(h["source"] == "inspection" and h["state"] == "assigned" for h in ours)
    assert {h["severity"] for h in ours} == {"major"}
    links.first.click()
    expect(page.get_by_test_id("hazard-detail")).to_be_visible()


def test_owner_reads_the_report_and_downloads_the_pdf(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "owner")  # one site: lands on it
    page.get_by_test_id("site-report-link").click()
    grade = page.get_by_test_id("report-grade")
    expect(grade).to_have_attribute("data-grade", re.compile("^[ABCD]$"))
    owner = {"Authorization": f"Bearer {api_token(live_server, 'owner')}"}
    site_id = re.search(r"/sites/(\d+)/report", page.url)
    assert site_id
    report = httpx.get(f"{live_server}/api/v1/sites/{site_id.group(1)}/report", headers=owner).json()
    expect(grade).to_have_attribute("data-grade", report["grade"])
    expect(page.get_by_test_id("report-score")).to_have_attribute("data-score", str(report["score"]))
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith(f"andian-report-{site_id.group(1)}-")
    assert path.read_bytes()[:5] == b"%PDF-"


def test_fire_department_reads_the_district_by_sector_heat_table(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "fire")
    page.get_by_test_id("menu-toggle").click()  # the header's links are in a menu on phones
    page.get_by_test_id("nav-dashboard").click()
    fire = {"Authorization": f"Bearer {api_token(live_server, 'fire')}"}
    coverage = httpx.get(f"{live_server}/api/v1/stats/coverage", headers=fire).json()
    row = next(r for r in coverage["rows"] if r["sector"] == "commerce" and r["district"] == "430903")
    cell = page.locator('[data-testid="heat-cell"][data-district="430903"][data-sector="commerce"]')
    expect(cell).to_have_attribute("data-sites", str(row["sites"]))
    cell.click()
    expect(page.get_by_test_id("heat-detail-sites")).to_contain_text(str(row["sites"]))
    expect(page.get_by_test_id("heat-detail-target")).to_have_attribute("data-met", str(row["target_met"]).lower())
