"""Done-when 4 of issue 6: the shop owner rectifies a hazard with a photo from the phone, the grid inspector
verifies and closes it, and the owner sees it closed — in Chromium against the demo server."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import BrowserContext, expect

from .test_live_alarm import api_token, log_in

ROOT = Path(__file__).parent.parent.parent
PHOTO = ROOT / "server" / "static" / "icons" / "icon-192.png"  # a real PNG, as a phone's camera would give one


def test_owner_rectifies_with_a_photo_inspector_verifies_owner_sees_it_closed(
        live_server: str, context: BrowserContext) -> None:
    inspector_token = api_token(live_server, "inspector")
    auth = {"Authorization": f"Bearer {inspector_token}"}
    owner_id = httpx.get(f"{live_server}/api/v1/me", headers={
        "Authorization": f"Bearer {api_token(live_server, 'owner')}"}).json()["id"]
    sites = httpx.get(f"{live_server}/api/v1/sites", headers=auth).json()
    stall = next(s for s in sites if s["name"] == "桃花仑综合市场 12号摊位")
    r = httpx.post(f"{live_server}/api/v1/hazards", headers=auth, json={
        "site_id": stall["id"], "title": "插座面板烧蚀发黑", "severity": "major", "assignee_id": owner_id,
        "description": "12 号摊位右侧插座面板有烧痕"})
    assert r.status_code == 201, r.text
    hazard_id = r.json()["id"]

    owner = context.new_page()
    log_in(owner, live_server, "owner")
    expect(owner.get_by_test_id("site-name")).to_have_text("桃花仑综合市场 12号摊位")  # one site: lands on it
    owner.get_by_test_id("menu-toggle").click()  # the header's links are in a menu on phones
    owner.get_by_test_id("nav-hazards").click()
    owner.get_by_test_id("hazard-filter-mine").click()
    item = owner.locator(f'[data-testid="hazard-item"][data-hazard-id="{hazard_id}"]')
    expect(item).to_have_attribute("data-state", "assigned")
    item.click()
    expect(owner.get_by_test_id("hazard-state")).to_have_attribute("data-state", "assigned")
    owner.get_by_test_id("rectify-photo-input").set_input_files(str(PHOTO))
    expect(owner.get_by_test_id("rectify-photo").first).to_have_attribute("data-state", "done", timeout=15_000)
    owner.get_by_test_id("rectify-note").fill("已更换新插座面板")
    owner.get_by_test_id("hazard-rectify").click()
    expect(owner.get_by_test_id("hazard-state")).to_have_attribute("data-state", "rectified")

    assert context.browser is not None
    inspector_context = context.browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 860})
    try:
        inspector = inspector_context.new_page()
        log_in(inspector, live_server, "inspector")
        expect(inspector.get_by_test_id("site-item").first).to_be_visible()
        inspector.goto(f"{live_server}/hazards/{hazard_id}")
        expect(inspector.get_by_test_id("hazard-state")).to_have_attribute("data-state", "rectified")
        expect(inspector.locator('[data-testid="event-photo"][data-state="ready"]')).to_have_count(1)
        inspector.get_by_test_id("hazard-verify").click()
        inspector.get_by_test_id("hazard-confirm").click()
        expect(inspector.get_by_test_id("hazard-state")).to_have_attribute("data-state", "verified")
        inspector.get_by_test_id("hazard-close").click()
        inspector.get_by_test_id("hazard-confirm").click()
        expect(inspector.get_by_test_id("hazard-state")).to_have_attribute("data-state", "closed")
    finally:
        inspector_context.close()

    owner.reload()
    expect(owner.get_by_test_id("hazard-state")).to_have_attribute("data-state", "closed")
    expect(owner.get_by_test_id("hazard-rectify-form")).to_have_count(0)
    expect(owner.locator('[data-testid="event-photo"][data-state="ready"]')).to_have_count(1)
    detail = httpx.get(f"{live_server}/api/v1/hazards/{hazard_id}", headers=auth).json()
    assert [e["kind"] for e in detail["events"]] == ["created", "assigned", "rectified", "verified", "closed"]
    assert detail["rectified_by"] == "王老板（市场摊位）" and detail["verified_by"] == "赫山街道网格员 李娟"
