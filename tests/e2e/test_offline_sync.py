"""Issue 7's "done when", in Chromium against the demo server: the grid inspector's checklist with photos done
offline survives a reload and syncs by itself; two people's offline edits of one hazard both end up on both
phones; a move the server refuses after the fact is shown with the server's words."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from ..receivers import wait_for
from .test_live_alarm import api_token, log_in

STALL = "桃花仑综合市场 12号摊位"
SYNC_S = 30  # an online round is well under a second; this covers a cold start and the 15 s watch pull


def png(seed: int) -> bytes:
    """A small PNG of one colour per seed, as a phone's camera would give a distinct photo."""
    width = height = 24
    colour = bytes([(seed * 47) % 256, (seed * 91) % 256, (seed * 13 + 80) % 256])
    rows = b"".join(b"\x00" + colour * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def wait_for_service_worker(page: Page) -> None:
    """TOOLCHAIN.md: a page must be controlled before going offline, or a reload finds no shell. A page that loaded
    while the worker was activating is not claimed by it (clients.claim() takes the clients that exist then): it is
    loaded once more."""
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    for attempt in range(3):
        try:
            wait_for(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"), timeout=5,
                     what="a controlling service worker")
            return
        except AssertionError:
            if attempt == 2:
                raise
            page.reload()
            page.evaluate("async () => { await navigator.serviceWorker.ready }")


def auth(base: str, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(base, username)}"}


def stall_id(base: str, headers: dict[str, str]) -> int:
    sites = httpx.get(f"{base}/api/v1/sites", headers=headers).json()
    return int(next(s["id"] for s in sites if s["name"] == STALL))


def user_id(base: str, username: str) -> int:
    return int(httpx.get(f"{base}/api/v1/me", headers=auth(base, username)).json()["id"])


def new_hazard(base: str, title: str) -> int:
    inspector = auth(base, "inspector")
    r = httpx.post(f"{base}/api/v1/hazards", headers=inspector, json={
        "site_id": stall_id(base, inspector), "title": title, "severity": "general",
        "assignee_id": user_id(base, "owner"), "description": "初始说明"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def sync_state(page: Page) -> tuple[str | None, str | None]:
    badge = page.get_by_test_id("sync-state")
    return badge.get_attribute("data-state"), badge.get_attribute("data-pending")


def test_checklist_with_photos_done_offline_survives_a_reload_and_syncs_by_itself(
        live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "inspector")
    page.locator('[data-testid="site-item"]', has_text=STALL).click()
    page.get_by_test_id("inspection-start").click()
    page.wait_for_url(re.compile(r".*/inspections/\d+$"))
    inspection_id = page.url.rsplit("/", 1)[-1]
    items = page.get_by_test_id("insp-item")
    expect(items).to_have_count(40)  # on the device: the page reads the synced record
    keys = [str(items.nth(i).get_attribute("data-key")) for i in range(40)]
    wait_for_service_worker(page)

    context.set_offline(True)
    expect(page.get_by_test_id("net-status")).to_have_attribute("data-online", "false")
    failed = {"ebike_charging": "楼道内有电动车充电", "stall_heaters": "3 号摊位使用电暖器"}
    with_photo = [k for k in keys if k not in failed][:8] + list(failed)
    for n, key in enumerate(keys):
        if key in failed:
            page.get_by_test_id(f"insp-{key}-fail").click()
            page.get_by_test_id(f"insp-{key}-note").fill(failed[key])
        else:
            page.get_by_test_id(f"insp-{key}-pass").click()
            if key in with_photo:
                page.get_by_test_id(f"insp-{key}-more").click()
        if key in with_photo:
            page.get_by_test_id(f"insp-{key}-photo-input").set_input_files(
                {"name": f"IMG_{n}.png", "mimeType": "image/png", "buffer": png(n)})
            # Kept on the device, named by the item's answer.
            expect(page.get_by_test_id(f"insp-{key}-photos-saved")).to_have_attribute("data-count", "1")
    progress = page.get_by_test_id("insp-progress")
    expect(progress).to_have_attribute("data-answered", "40")
    expect(progress).to_have_attribute("data-failed", "2")
    expect(page.get_by_test_id("insp-sync")).to_have_attribute("data-state", "waiting")
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-state", "offline")
    assert int(sync_state(page)[1] or 0) == 40

    # A cold start with no network: everything is still there, from IndexedDB.
    page.reload()
    expect(page.get_by_test_id("insp-item")).to_have_count(40)
    expect(page.get_by_test_id("insp-progress")).to_have_attribute("data-answered", "40")
    for key, note in failed.items():
        expect(page.get_by_test_id(f"insp-{key}-note")).to_have_value(note)
    photos = page.locator('[data-testid="insp-photo"][data-state="ready"]')  # shown from the device's copies
    expect(photos).to_have_count(10)
    hashes = {photos.nth(i).get_attribute("data-sha256") for i in range(10)}
    assert len(hashes) == 10

    # Signed offline too: shown signed at once, marked pending.
    page.get_by_test_id("insp-signature").fill("李娟")
    page.get_by_test_id("insp-submit").click()
    expect(page.get_by_test_id("insp-confirm-text")).to_contain_text("2")
    page.get_by_test_id("insp-confirm-yes").click()
    expect(page.get_by_test_id("insp-result")).to_have_attribute("data-pending", "true")
    expect(page.get_by_test_id("insp-state")).to_have_attribute("data-state", "completed")

    # Back online, no tap: the loop sends the photos, the 40 answers and the signature, then pulls.
    context.set_offline(False)
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-state", "synced", timeout=SYNC_S * 1000)
    expect(page.get_by_test_id("sync-state")).to_have_attribute("data-pending", "0")
    expect(page.get_by_test_id("insp-result")).to_have_attribute("data-hazards", "2", timeout=SYNC_S * 1000)
    expect(page.get_by_test_id("insp-hazard-link")).to_have_count(2)

    inspector = auth(live_server, "inspector")
    detail = httpx.get(f"{live_server}/api/v1/inspections/{inspection_id}", headers=inspector).json()
    assert detail["state"] == "completed" and detail["signed_by"] == "李娟"
    assert len(detail["answers"]) == 40 and detail["failed"] == 2
    assert {a["key"]: a["note"] for a in detail["answers"] if a["answer"] == "fail"} == failed
    assert {sha for a in detail["answers"] for sha in a["attachments"]} == hashes
    assert len(detail["hazard_ids"]) == 2
    for sha in hashes:
        photo = httpx.get(f"{live_server}/api/v1/attachments/{sha}", headers=inspector)
        assert photo.status_code == 200, sha


def test_two_people_edit_one_hazard_offline_and_both_end_with_the_merged_result(
        live_server: str, context: BrowserContext) -> None:
    hazard_id = new_hazard(live_server, "配电箱标识缺失")
    assert context.browser is not None
    other = context.browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 860})
    try:
        pages = {"inspector": context.new_page(), "operator": other.new_page()}
        for username, page in pages.items():
            log_in(page, live_server, username)
            expect(page.get_by_test_id("site-item").first).to_be_visible()
            page.goto(f"{live_server}/hazards/{hazard_id}")
            expect(page.get_by_test_id("hazard-title")).to_have_text("配电箱标识缺失")
            wait_for_service_worker(page)
        context.set_offline(True)
        other.set_offline(True)

        edits = {"inspector": ("hazard-edit-title", "配电箱缺少警示标识和回路标签"),
                 "operator": ("hazard-edit-description", "总配电箱门上没有“当心触电”标识，回路无标签")}
        comments = {"inspector": "已拍照记录，请业主补贴标识", "operator": "运营单位明天上门贴标签"}
        for username, page in pages.items():
            page.get_by_test_id("hazard-edit").click()
            field, value = edits[username]
            page.get_by_test_id(field).fill(value)
            page.get_by_test_id("hazard-edit-save").click()
            expect(page.get_by_test_id("hazard-edit-form")).to_have_count(0)
            page.get_by_test_id("comment-text").fill(comments[username])
            page.get_by_test_id("comment-submit").click()
            expect(page.locator('[data-testid="hazard-event"][data-pending="true"]')).to_have_count(1)
            expect(page.get_by_test_id("hazard-pending")).to_have_attribute("data-count", "2")

        context.set_offline(False)
        other.set_offline(False)
        title, description = edits["inspector"][1], edits["operator"][1]
        for page in pages.values():
            # No reload: the loop pushes, then pulls (again while the page is open) and the page follows.
            expect(page.get_by_test_id("hazard-title")).to_have_text(title, timeout=SYNC_S * 1000)
            expect(page.get_by_test_id("hazard-description")).to_have_text(description, timeout=SYNC_S * 1000)
            thread = page.locator('[data-testid="hazard-event"][data-kind="comment"]')
            expect(thread).to_have_count(2, timeout=SYNC_S * 1000)
            for text in comments.values():
                expect(thread.filter(has_text=text)).to_have_count(1)
            expect(page.locator('[data-testid="hazard-event"][data-pending="true"]')).to_have_count(0)
            expect(page.get_by_test_id("sync-state")).to_have_attribute("data-state", "synced")

        server = httpx.get(f"{live_server}/api/v1/hazards/{hazard_id}", headers=auth(live_server, "admin")).json()
        assert (server["title"], server["description"]) == (title, description)
        assert sorted(e["note"] for e in server["events"] if e["kind"] == "comment") == sorted(comments.values())
    finally:
        other.close()


def test_a_move_the_server_refuses_is_shown_with_its_reason(live_server: str, context: BrowserContext) -> None:
    hazard_id = new_hazard(live_server, "插座面板松动")
    owner = auth(live_server, "owner")
    photo = png(99)
    sha = hashlib.sha256(photo).hexdigest()
    r = httpx.put(f"{live_server}/api/v1/attachments/{sha}", headers={**owner, "Content-Type": "image/png"},
                  content=photo)
    assert r.status_code in (200, 201), r.text
    r = httpx.post(f"{live_server}/api/v1/hazards/{hazard_id}/transition", headers=owner,
                   json={"to": "rectified", "attachments": [sha], "note": "已紧固"})
    assert r.status_code == 200, r.text

    page = context.new_page()
    log_in(page, live_server, "inspector")
    expect(page.get_by_test_id("site-item").first).to_be_visible()
    page.goto(f"{live_server}/hazards/{hazard_id}")
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "rectified")
    wait_for_service_worker(page)

    # The inspector verifies in a basement: kept on the phone, shown verified and pending.
    context.set_offline(True)
    page.get_by_test_id("hazard-verify").click()
    page.get_by_test_id("hazard-confirm").click()
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "verified")
    expect(page.get_by_test_id("hazard-pending")).to_be_visible()

    # Meanwhile the operator company verifies and closes it from the office.
    operator = auth(live_server, "operator")
    for to in ("verified", "closed"):
        r = httpx.post(f"{live_server}/api/v1/hazards/{hazard_id}/transition", headers=operator, json={"to": to})
        assert r.status_code == 200, r.text

    context.set_offline(False)
    badge = page.get_by_test_id("sync-state")
    expect(badge).to_have_attribute("data-state", "rejected", timeout=SYNC_S * 1000)
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "closed")
    refused = page.get_by_test_id("hazard-refused").get_by_test_id("sync-rejected")
    expect(refused).to_have_count(1)
    expect(refused.get_by_test_id("sync-rejected-what")).to_contain_text("验收通过")
    expect(refused.get_by_test_id("sync-rejected-reason")).to_contain_text("closed cannot go to verified")

    # The sync page lists it too; only "知道了" makes it go.
    badge.click()
    expect(page.get_by_test_id("sync-page")).to_be_visible()
    listed = page.get_by_test_id("sync-rejected")
    expect(listed).to_have_count(1)
    expect(listed.get_by_test_id("sync-rejected-what")).to_contain_text(f"隐患 #{hazard_id}：验收通过")
    listed.get_by_test_id("sync-rejected-dismiss").click()
    expect(page.get_by_test_id("sync-rejected-empty")).to_be_visible()
    expect(badge).to_have_attribute("data-state", "synced")
