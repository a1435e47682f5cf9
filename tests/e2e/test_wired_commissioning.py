"""Wired commissioning in the PWA: the installer names a Modbus TCP bus, scans it on the site box with a moving progress
bar, sees the units that answered with their guessed models, registers one, reads its live values, writes its own
alarm levels after a plain-words confirmation and signs its acceptance checklist — a real site-box server process, real
Chromium, and pymodbus's own server as the devices on the bus (tests/modbus_rig.py)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from server.demo.city import DEMO_PASSWORD

from ..modbus_rig import PeerBus, Unit, tcp_bus
from .acceptance import draw, photograph
from .conftest import demo_server

SCHOOL = "赫山区金银山小学"  # a demo site of the installer's company with no devices yet
AIM_TYPE = 0x1000  # the AIM-R100's meter type in 0x000B bits 15–12: a residual-current monitor (its probe)
LAST = 12  # units 1–12: two devices, ten silent addresses of ~0.3 s each, so the bar is seen moving


@pytest.fixture(scope="module")
def site_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`andian demo` as a site box (ANDIAN_SITE=1: wired buses are scanned and read by the server itself)."""
    with demo_server(tmp_path_factory.mktemp("wired-e2e"), {"ANDIAN_SITE": "1"}) as url:
        yield url


class PeerThread:
    """The devices on the bus: pymodbus's server on 127.0.0.1 in its own thread and event loop, so the server process
    reaches it over TCP while Playwright's sync API holds the main thread."""

    def __init__(self, units: list[Unit], silent: set[int]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="modbus peer", daemon=True)
        self.bus: AbstractAsyncContextManager[tuple[PeerBus, int]] = tcp_bus(units, silent=silent)

    def __enter__(self) -> int:
        self.thread.start()
        _, port = asyncio.run_coroutine_threadsafe(self.bus.__aenter__(), self.loop).result(timeout=10)
        return port

    def __exit__(self, *exc: object) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self.bus.__aexit__(None, None, None), self.loop).result(timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
            self.loop.close()


@pytest.fixture
def bus_port() -> Iterator[int]:
    units = [Unit(3, "acrel-asj", {"residual_ma": 35.0}),
             Unit(7, "acrel-aim-r100", {"residual_ma_1": 12.0}, raw={0x000B: AIM_TYPE})]
    # A real bus gives no answer at an address nobody has (pymodbus would answer an exception).
    with PeerThread(units, silent=set(range(1, LAST + 1)) - {3, 7}) as port:
        yield port


def school_id(base: str) -> int:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": "installer", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    sites = httpx.get(f"{base}/api/v1/sites", headers={"Authorization": f"Bearer {r.json()['token']}"}).json()
    return next(int(s["id"]) for s in sites if s["name"] == SCHOOL)


def log_in(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill("installer")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()


def progress_seen(page: Page) -> set[int]:
    """Units tried, as the bar said while the scan ran, until the scan ends."""
    bar = page.get_by_test_id("bus-scan-progress")
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while bar.get_attribute("data-state") in ("starting", "running") and time.monotonic() < deadline:
        done = bar.get_attribute("data-done")
        if done:
            seen.add(int(done))
        time.sleep(0.1)
    return seen


def test_installer_scans_a_bus_registers_a_unit_and_reads_it(site_box: str, bus_port: int,
                                                             context: BrowserContext, tmp_path: Path) -> None:
    site = school_id(site_box)
    page = context.new_page()
    log_in(page, site_box)
    page.locator(f'[data-testid="site-item"][data-site-id="{site}"]').click()
    expect(page.get_by_test_id("site-name")).to_have_text(SCHOOL)
    # The site's alarms, hazards and inspections arrive after its page and push the link down: a click at the point
    # measured before they came can land beside it on a busy machine. The link taken with the keyboard cannot.
    page.get_by_test_id("commission-start").press("Enter")
    page.get_by_test_id("commission-via-wired").click()
    expect(page.get_by_test_id("commission-via-wired")).to_have_attribute("aria-pressed", "true")

    # The bus: a host:port in Modbus TCP mode, units 1–12; a bad range is refused on its field first.
    page.get_by_test_id("bus-kind-tcp").check()
    page.get_by_test_id("bus-address").fill(f"127.0.0.1:{bus_port}")
    page.get_by_test_id("bus-last").fill("300")
    page.get_by_test_id("bus-scan").click()
    expect(page.get_by_test_id("bus-error-last")).to_have_text("请输入 1 到 247 之间的地址")
    page.get_by_test_id("bus-last").fill(str(LAST))
    bus = f"modbus-tcp://127.0.0.1:{bus_port}"
    expect(page.get_by_test_id("bus-link")).to_have_attribute("data-link", bus)

    page.get_by_test_id("bus-scan").click()
    progress = page.get_by_test_id("bus-scan-progress")
    expect(progress).to_have_attribute("data-state", "running")
    expect(progress.get_by_test_id("bus-scan-cancel")).to_be_visible()
    expect(page.get_by_test_id("bus-scan-text")).to_have_text(re.compile(r"^已扫描 \d+/12，发现 \d 台$"))
    seen = progress_seen(page)
    assert any(0 < done < LAST for done in seen), f"the bar never showed the scan under way: {sorted(seen)}"
    expect(progress).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("bus-scan-text")).to_have_text("扫描完成：12 个地址，发现 2 台")
    expect(page.get_by_test_id("bus-count")).to_have_text("发现 2 台设备")
    assert re.search(r"[?&]scan=\d+", page.url), page.url  # a reload follows the scan again

    units = page.get_by_test_id("bus-unit")
    expect(units).to_have_count(2)
    relay = page.locator('[data-testid="bus-unit"][data-unit="3"]')
    expect(relay).to_have_attribute("data-model", "acrel-asj")
    expect(relay.get_by_test_id("bus-unit-model")).to_contain_text("安科瑞 ASJ 剩余电流继电器")
    monitor = page.locator('[data-testid="bus-unit"][data-unit="7"]')
    expect(monitor).to_have_attribute("data-model", "acrel-aim-r100")

    # Register the relay: the serial is suggested from its address; name and circuit are required.
    relay.get_by_test_id("bus-unit-register").click()
    form = relay.get_by_test_id("wired-form")
    expect(form.get_by_test_id("wired-model")).to_have_value("acrel-asj")
    expect(form.get_by_test_id("wired-serial")).to_have_value("unit-3")
    form.get_by_test_id("wired-submit").click()
    expect(form.get_by_test_id("wired-error-name")).to_have_text("请填写设备名称")
    expect(form.get_by_test_id("wired-error-circuit")).to_have_text("请填写保护回路")
    form.get_by_test_id("wired-name").fill("教学楼一层漏电继电器")
    form.get_by_test_id("wired-circuit").fill("1F 照明插座回路")
    form.get_by_test_id("wired-submit").click()
    expect(relay.get_by_test_id("bus-unit-registered")).to_contain_text("已登记「教学楼一层漏电继电器」")
    device = relay.get_by_test_id("wired-device")
    expect(device).to_have_attribute("data-link", f"{bus}?unit=3")

    # Live values through the site box.
    device.get_by_test_id("wired-read").click()
    value = device.locator('[data-testid="wired-value"][data-channel-key="residual_ma"]')
    expect(value).to_have_attribute("data-value", "35")
    expect(value).to_contain_text("剩余电流")
    expect(value).to_contain_text("35 mA")
    expect(device.get_by_test_id("wired-live")).to_have_attribute("data-status", "done")

    # The relay's own levels: nothing is written before the plain-words confirmation; a level andian refuses is
    # shown on its field; an accepted one is read back from the device.
    levels = device.locator('[data-testid="wired-levels"][data-channel-key="residual_ma"]')
    expect(levels.get_by_test_id("wired-level-alarm")).to_have_value("300")
    expect(levels.get_by_test_id("wired-level-prealarm")).to_have_value("240")
    levels.get_by_test_id("wired-level-alarm").fill("2000")
    levels.get_by_test_id("wired-level-write").click()
    expect(levels.get_by_test_id("wired-level-confirm-text")).to_have_text(
        "将修改设备内的报警值：2,000 mA / 预警 240 mA，确认写入？")
    levels.get_by_test_id("wired-level-yes").click()
    expect(levels.get_by_test_id("wired-level-error")).to_have_attribute("data-field", "alarm")
    expect(levels.get_by_test_id("wired-level-alarm")).to_have_attribute("aria-invalid", "true")
    levels.get_by_test_id("wired-level-alarm").fill("500")
    levels.get_by_test_id("wired-level-prealarm").fill("400")
    levels.get_by_test_id("wired-level-write").click()
    expect(levels.get_by_test_id("wired-level-confirm-text")).to_have_text(
        "将修改设备内的报警值：500 mA / 预警 400 mA，确认写入？")
    levels.get_by_test_id("wired-level-no").click()
    expect(levels.get_by_test_id("wired-level-confirm")).to_have_count(0)
    levels.get_by_test_id("wired-level-write").click()
    levels.get_by_test_id("wired-level-yes").click()
    read_back = levels.get_by_test_id("wired-level-read-back")
    expect(read_back).to_have_attribute("data-matches", "true")
    expect(read_back).to_have_text("✓ 设备回读：报警 500 mA / 预警 400 mA")

    # Scanning again: the relay is registered here now, with a link to its page.
    page.get_by_test_id("bus-scan").click()
    known = relay.get_by_test_id("bus-unit-known")
    expect(known).to_have_text("已登记 · 查看设备", timeout=30_000)
    expect(progress).to_have_attribute("data-state", "done")
    known.click()
    expect(page.get_by_test_id("wired-summary")).to_contain_text("教学楼一层漏电继电器")
    page.get_by_test_id("wired-read").click()
    expect(page.locator('[data-testid="wired-value"][data-channel-key="residual_ma"]')).to_have_attribute(
        "data-value", "35")

    # 建设一个、验收一个、合格一个: the same signed acceptance checklist as over Bluetooth, then the device is accepted.
    accept = page.get_by_test_id("wired-accept")
    expect(accept).to_have_attribute("data-stage", "start")
    accept.get_by_test_id("wired-accept-start").click()
    expect(accept).to_have_attribute("data-stage", "checklist", timeout=30_000)
    expect(accept.locator('[data-testid="wired-accept-step"][data-status="done"]')).to_have_count(5)
    expect(accept.locator('[data-testid="wired-accept-step"][data-step="pair"]')).to_contain_text("有线设备无需配对")
    items = accept.get_by_test_id("check-item")
    expect(items.first).to_be_visible()
    for item in items.all():
        item.locator("button.choice-pass").click()
    accept.get_by_test_id("accept-signature").fill("刘工")
    photograph(accept, tmp_path)  # the items that ask for evidence, and a drawn signature (tests/e2e/acceptance.py)
    draw(page, "signature-pad-canvas")
    expect(accept.get_by_test_id("accept-drawing")).to_have_attribute("data-state", "saved")
    accept.get_by_test_id("wired-accept-sign").click()
    signed = accept.get_by_test_id("wired-accepted")
    expect(signed).to_have_attribute("data-signed-by", "刘工", timeout=30_000)
    expect(signed).to_have_text("✓ 设备已验收 · 签字人：刘工")
    expect(accept).to_have_attribute("data-status", "done")
