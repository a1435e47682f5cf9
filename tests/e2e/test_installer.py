"""The installer on a phone (USER_STORIES 2): registers a wired device on a circuit picked from the site's circuits or
typed as a new one, is refused an out-of-range alarm level in zh-CN with the allowed range and its basis, photographs
the items that ask for evidence, draws a signature with a finger (mouse moves here) and accepts; the record shows the
drawn signature — a real site-box server process, real Chromium, pymodbus's own server as the relay on the bus."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from server.demo.city import DEMO_PASSWORD

from ..modbus_rig import Unit
from .acceptance import draw, photograph
from .conftest import demo_server, watched_context
from .test_wired_commissioning import SCHOOL, PeerThread, log_in


@pytest.fixture(scope="module")
def site_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("installer-e2e"), {"ANDIAN_SITE": "1"}) as url:
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A phone: 412 CSS pixels wide at 2.625 device pixels each, touch; the CSP is watched as in conftest."""
    with watched_context(browser, viewport={"width": 412, "height": 860}, device_scale_factor=2.625, is_mobile=True,
                         has_touch=True) as context:
        yield context


@pytest.fixture
def bus_port() -> Iterator[int]:
    with PeerThread([Unit(3, "acrel-asj", {"residual_ma": 35.0})], silent={1, 2}) as port:
        yield port


def api(base: str) -> tuple[dict[str, str], int]:
    """The installer's token and the school's id; the school gets one device on 一层照明回路 for the pick-list."""
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": "installer", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    site = next(int(s["id"]) for s in httpx.get(f"{base}/api/v1/sites", headers=headers).json() if s["name"] == SCHOOL)
    r = httpx.post(f"{base}/api/v1/sites/{site}/devices", headers=headers, json={
        "serial": "LIGHT-1", "model": "AD-SB63", "kind": "breaker", "name": "一层照明断路器", "circuit": "一层照明回路",
        "channels": [{"key": "current_a"}]})
    assert r.status_code == 201, r.text
    return headers, site


def test_installer_registers_is_refused_in_words_photographs_and_signs(site_box: str, bus_port: int,
                                                                       phone: BrowserContext,
                                                                       tmp_path: Path) -> None:
    headers, site = api(site_box)
    page = phone.new_page()
    log_in(page, site_box)
    page.locator(f'[data-testid="site-item"][data-site-id="{site}"]').click()
    # The site's alarms, hazards and inspections arrive after its page and push the link down: a click at the point
    # measured before they came can land beside it on a busy machine. The link taken with the keyboard cannot.
    page.get_by_test_id("commission-start").press("Enter")
    page.get_by_test_id("commission-via-wired").click()
    page.get_by_test_id("bus-kind-tcp").check()
    page.get_by_test_id("bus-address").fill(f"127.0.0.1:{bus_port}")
    page.get_by_test_id("bus-last").fill("3")
    page.get_by_test_id("bus-scan").click()
    expect(page.get_by_test_id("bus-scan-progress")).to_have_attribute("data-state", "done", timeout=30_000)
    relay = page.locator('[data-testid="bus-unit"][data-unit="3"]')
    relay.get_by_test_id("bus-unit-register").click()

    # The circuit: the site's circuits to pick from, or 新回路… to type one; a name and a circuit are required.
    form = relay.get_by_test_id("wired-form")
    select = form.get_by_test_id("wired-circuit-select")
    expect(select.locator("option")).to_have_text(["请选择回路…", "一层照明回路（已有 1 台设备）", "新回路…"])
    form.get_by_test_id("wired-name").fill("二层漏电继电器")
    form.get_by_test_id("wired-submit").click()
    expect(form.get_by_test_id("wired-error-circuit")).to_have_text("请填写保护回路")
    select.select_option(label="一层照明回路（已有 1 台设备）")
    expect(form.get_by_test_id("wired-circuit")).to_have_count(0)  # a picked circuit needs no typing
    select.select_option(label="新回路…")
    form.get_by_test_id("wired-circuit").fill("二层插座回路")
    form.get_by_test_id("wired-submit").click()
    expect(relay.get_by_test_id("bus-unit-registered")).to_contain_text("二层漏电继电器")
    r = httpx.get(f"{site_box}/api/v1/sites/{site}/circuits", headers=headers)
    assert {c["name"] for c in r.json()} == {"一层照明回路", "二层插座回路"}

    # An alarm level andian refuses: said in zh-CN with the allowed range and its basis, never a field path.
    levels = relay.locator('[data-testid="wired-levels"][data-channel-key="residual_ma"]')
    levels.get_by_test_id("wired-level-alarm").fill("2000")
    levels.get_by_test_id("wired-level-write").click()
    levels.get_by_test_id("wired-level-yes").click()
    error = levels.get_by_test_id("wired-level-error")
    expect(error).to_have_text("报警值 2,000 mA 超出允许范围 20–1,000 mA（GB 50116-2013 §9.2.3、GB 14287.2）")
    expect(levels.get_by_test_id("wired-level-alarm")).to_have_attribute("aria-invalid", "true")

    # The acceptance: photos on the items that ask for them, then a drawn signature.
    accept = relay.get_by_test_id("wired-accept")
    accept.get_by_test_id("wired-accept-start").click()
    expect(accept).to_have_attribute("data-stage", "checklist", timeout=30_000)
    for item in accept.get_by_test_id("check-item").all():
        item.locator("button.choice-pass").click()
    accept.get_by_test_id("accept-signature").fill("刘工")
    sign = accept.get_by_test_id("wired-accept-sign")
    expect(sign).to_be_disabled()
    expect(accept).to_contain_text("还有 2 项需要拍照")
    expect(accept.locator('[data-testid="check-item"][data-photo="required"]')).to_have_count(2)
    photograph(accept, tmp_path)
    expect(accept).to_contain_text("请在签名框内手写签名")
    expect(sign).to_be_disabled()

    draw(page, "signature-pad-canvas")
    drawing = accept.get_by_test_id("accept-drawing")
    expect(drawing).to_have_attribute("data-state", "saved")
    expect(accept.get_by_test_id("signature-pad")).to_have_attribute("data-strokes", "2")
    drawn = drawing.get_attribute("data-sha256")
    assert drawn and len(drawn) == 64
    # The canvas is backed at the phone's pixel ratio (sharp ink), and the ink is on it.
    width, css_width, inked = page.get_by_test_id("signature-pad-canvas").evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [c.width, c.clientWidth, n] }")
    assert width == round(css_width * 2.625) and inked > 100, (width, css_width, inked)

    sign.click()
    expect(accept).to_have_attribute("data-stage", "accepted", timeout=30_000)
    record = accept.get_by_test_id("signed-record")
    expect(record).to_have_attribute("data-signature", drawn)
    image = record.get_by_test_id("signed-signature")
    expect(image).to_have_attribute("data-state", "ready")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    # What the server keeps: the drawing as a PNG attachment, referenced by the record, beside the typed name.
    commissioning = int(accept.get_attribute("data-commissioning-id") or 0)
    kept = httpx.get(f"{site_box}/api/v1/commissioning/{commissioning}", headers=headers).json()
    assert (kept["state"], kept["signature"], kept["signed_by"]) == ("commissioned", drawn, "刘工")
    png = httpx.get(f"{site_box}/api/v1/attachments/{drawn}", headers=headers)
    assert png.headers["content-type"] == "image/png" and hashlib.sha256(png.content).hexdigest() == drawn
    photos = {a["key"]: a.get("attachments", []) for a in kept["answers"]}
    assert len(photos["location"]) == 1 and len(photos["photos"]) == 1

    # Later, on the device's own page: the acceptance is shown with the drawn signature.
    device = relay.get_by_test_id("bus-unit-registered").get_attribute("data-device-id")
    page.goto(f"{site_box}/sites/{site}/commission/wired/{device}")
    again = page.get_by_test_id("signed-record")
    expect(again).to_have_attribute("data-signature", drawn)
    expect(again.get_by_test_id("signed-signature")).to_have_attribute("data-state", "ready")
    expect(again).to_contain_text("签字人：刘工")
