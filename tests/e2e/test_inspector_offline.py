"""Story 3 in Chromium on a phone: the grid inspector syncs with signal, goes into a basement with none, opens a
site of her grid, starts its inspection there, answers it with two failures, signs, and sees the two hazards on
the phone at once, marked 待同步. Back online the phone syncs by itself and the server has exactly those two
hazards, titled with what was found; the rectification notice (整改通知书) lists them and the unit signs it, offline
again, with its name and a drawn signature that goes up before the acknowledgement and shows on the page and the
server's notice."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from ..receivers import wait_for
from .acceptance import draw
from .test_live_alarm import log_in
from .test_offline_sync import STALL, SYNC_S, auth, stall_id, wait_for_service_worker

FAILED = {
    "board_clear": "配电箱（柜）前 0.8 m 内堆放杂物、可燃物",
    "stall_heaters": "摊位内违规使用电炉、电暖器等电热器具",
}

# The copies the phone keeps for a walk-through: read straight from IndexedDB (platform/db.ts's stores).
KEPT = """async () => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('andian'); r.onsuccess = () => ok(r.result);
                                                r.onerror = () => fail(r.error) })
  const count = (store) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).count();
                                                 r.onsuccess = () => ok(r.result) })
  const out = [await count('site_details'), await count('checklists')]
  db.close()
  return out
}"""


def grid_kept(page: Page, sites: int) -> bool:
    details, checklists = page.evaluate(KEPT)
    return bool(details >= sites and checklists > 0)


def test_an_inspection_started_offline_makes_its_hazards_on_the_phone_and_once_on_the_server(
        live_server: str, context: BrowserContext) -> None:
    inspector = auth(live_server, "inspector")
    grid = httpx.get(f"{live_server}/api/v1/sites", headers=inspector).json()
    page = context.new_page()
    log_in(page, live_server, "inspector")
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-state", "synced", timeout=SYNC_S * 1000)
    wait_for(lambda: grid_kept(page, len(grid)), timeout=SYNC_S, what="the inspector's grid kept on the phone")
    wait_for_service_worker(page)

    # In the basement: no network at all, the app opened afresh.
    context.set_offline(True)
    page.goto(live_server + "/")
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false")
    page.locator('[data-testid="site-item"]', has_text=STALL).click()
    expect(page.get_by_test_id("inspection-checklist")).to_have_attribute("data-template-id", "inspection-market")
    page.get_by_test_id("inspection-start").click()
    page.wait_for_url(re.compile(r".*/inspections/[0-9a-f-]{36}$"))
    items = page.get_by_test_id("insp-item")
    expect(items).to_have_count(40)
    keys = [str(items.nth(i).get_attribute("data-key")) for i in range(40)]
    # Numbered down the page: 1 … 40 in the order shown, sections kept.
    numbers = [items.nth(i).get_attribute("data-number") for i in range(40)]
    assert numbers == [str(n) for n in range(1, 41)], numbers
    for key in keys:
        page.get_by_test_id(f"insp-{key}-{'fail' if key in FAILED else 'pass'}").click()
    expect(page.get_by_test_id("insp-progress")).to_have_attribute("data-failed", "2")

    page.get_by_test_id("insp-signature").fill("李娟")
    page.get_by_test_id("insp-submit").click()
    page.get_by_test_id("insp-confirm-yes").click()
    expect(page.get_by_test_id("insp-result")).to_have_attribute("data-pending", "true")
    # The failures are hazards on the phone at once, titled with what was found, each 待同步.
    local = page.get_by_test_id("insp-local-hazard")
    expect(local).to_have_count(2)
    assert sorted(local.all_inner_texts()) == sorted(f"{title} 待同步" for title in FAILED.values())
    expect(page.locator('[data-testid="insp-local-hazard"][data-pending="true"]')).to_have_count(2)

    # Back above ground: the phone syncs by itself.
    context.set_offline(False)
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-state", "synced", timeout=SYNC_S * 1000)
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-pending", "0")
    expect(page.get_by_test_id("insp-result")).to_have_attribute("data-hazards", "2", timeout=SYNC_S * 1000)

    site = stall_id(live_server, inspector)
    visits = httpx.get(f"{live_server}/api/v1/inspections", params={"site_id": site}, headers=inspector).json()
    visit = next(v for v in visits if v["signed_by"] == "李娟" and v["failed"] == 2 and v["answered"] == 40)
    hazards = httpx.get(f"{live_server}/api/v1/hazards", params={"site_id": site, "limit": 1000},
                        headers=inspector).json()
    ours = [h for h in hazards if h["inspection_id"] == visit["id"]]
    assert sorted(h["title"] for h in ours) == sorted(FAILED.values())  # exactly two, the findings' words
    assert all(h["state"] == "assigned" and h["assignee_id"] for h in ours)

    # The rectification notice, from the phone's copy; the unit's representative signs it on the phone.
    page.get_by_test_id("insp-notice-link").click()
    page.wait_for_url(re.compile(r".*/inspections/\d+/notice$"))
    findings = page.get_by_test_id("notice-finding")
    expect(findings).to_have_count(2)
    expect(findings.first).to_contain_text(f"1. {FAILED['board_clear']}")
    expect(page.get_by_test_id("notice-unit")).to_contain_text(STALL)
    # Signed back in the basement: a name and a signature drawn with a finger (mouse strokes here), kept on the phone.
    context.set_offline(True)
    page.reload()  # the notice opened afresh with no network: from the phone's copy
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false")
    expect(page.get_by_test_id("notice-finding")).to_have_count(2)
    page.get_by_test_id("notice-unit-name").fill("王店主")
    page.get_by_test_id("notice-unit-submit").click()
    expect(page.get_by_test_id("notice-unit-error")).to_have_text("请被检查单位负责人在框内手写签名")
    draw(page, "notice-pad-canvas")
    expect(page.get_by_test_id("notice-pad")).to_have_attribute("data-strokes", "2")
    drawing = page.get_by_test_id("notice-drawing")
    expect(drawing).to_have_attribute("data-state", "kept")
    drawn = drawing.get_attribute("data-sha256")
    assert drawn and len(drawn) == 64
    page.get_by_test_id("notice-unit-submit").click()
    signed = page.get_by_test_id("notice-unit-signed")
    expect(signed).to_contain_text("王店主")
    expect(signed).to_have_attribute("data-pending", "true")
    expect(signed).to_have_attribute("data-signature", drawn)
    image = page.get_by_test_id("notice-unit-drawing")
    expect(image).to_have_attribute("data-state", "ready")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    # With signal again the drawing goes up before the acknowledgement that names it.
    context.set_offline(False)
    expect(signed).to_have_attribute("data-pending", "false", timeout=SYNC_S * 1000)
    on_server = httpx.get(f"{live_server}/api/v1/inspections/{visit['id']}", headers=inspector).json()
    assert (on_server["unit_signed_by"], on_server["unit_signature"]) == ("王店主", drawn), on_server
    png = httpx.get(f"{live_server}/api/v1/attachments/{drawn}", headers=inspector)
    assert png.headers["content-type"] == "image/png" and hashlib.sha256(png.content).hexdigest() == drawn
    expect(page.get_by_test_id("notice-unit-drawing")).to_have_attribute("data-state", "ready")
    html = httpx.get(f"{live_server}/api/v1/inspections/{visit['id']}/notice", params={"format": "html"},
                     headers=inspector).text
    assert all(title in html for title in FAILED.values()) and "王店主" in html
    assert f'src="data:image/png;base64,{base64.b64encode(png.content).decode()}"' in html
