"""Regenerate the README screenshots: `.venv/bin/python docs/screenshots.py` (needs a CJK font, e.g. fonts-noto-cjk);
`.venv/bin/python docs/screenshots.py site-tripped` (or `wired-scan`) makes that one alone.

Starts `andian demo` on a free port with a throw-away database and photographs the PWA in headless Chromium.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def call(base: str, path: str, body: object = None, token: str = "") -> Any:
    """GET (no body) or POST JSON to the demo server; the answer's JSON."""
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                     method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_token(base: str, username: str) -> str:
    return str(call(base, "/api/v1/auth/login", {"username": username, "password": "andian-demo"})["token"])


def raise_alarm(base: str) -> None:
    """A leakage alarm at the stall, at once rather than after the feed's four minutes: the freezer circuit's own
    residual-current detector (reporting every 10 minutes, so the offline watchdog leaves it alone) reports the
    last minute of a rising leakage, and nothing reports against it before the screenshot."""
    token = api_token(base, "operator")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"].endswith("12号摊位"))
    serial = "AD-RCD-0012"
    call(base, f"/api/v1/sites/{site['id']}/devices", {
        "serial": serial, "model": "AD-RCD", "kind": "residual", "name": "冷柜回路漏电探测器", "circuit": "冷柜回路",
        "poll_interval_s": 600, "channels": [{"key": "residual_ma"}]}, token)
    now = time.time()
    samples = [{"device": serial, "channel": "residual_ma", "ts": now - 60 + t, "value": 380.0 + t / 10}
               for t in range(0, 61, 6)]
    call(base, "/api/v1/ingest", {"batch_id": f"screenshot-{now:.0f}", "samples": samples}, token)


def trip_rental(base: str) -> None:
    """The rental flat's new main breaker, as its site box reports it: a self-test ten minutes ago (the detector's
    test current for 20 s), then a real leakage that the breaker ended by tripping two minutes ago.

    A flat with no simulated devices, so nothing worse than the open breaker decides its status (已断电). The
    breaker reports every 10 minutes, so the offline watchdog leaves it alone while the screenshot is taken.
    """
    token = api_token(base, "operator")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"] == "琼湖路 18 号出租屋")
    serial = "AD-BRK-1801"
    call(base, f"/api/v1/sites/{site['id']}/devices", {
        "serial": serial, "model": "AD-SB63", "kind": "breaker", "name": "入户总断路器", "circuit": "全屋插座",
        "rated_current_a": 32, "poll_interval_s": 600, "channels": [{"key": "residual_ma"}, {"key": "current_a"}],
    }, token)
    key = str(call(base, f"/api/v1/sites/{site['id']}/gateways", {"name": "出租屋网关"}, token)["api_key"])
    now = time.time()

    def readings(at: list[float], residual_ma: float | list[float], current_a: float) -> list[dict[str, object]]:
        levels = residual_ma if isinstance(residual_ma, list) else [residual_ma] * len(at)
        return [s for ts, ma in zip(at, levels, strict=True) for s in (
            {"device": serial, "channel": "residual_ma", "ts": ts, "value": ma},
            {"device": serial, "channel": "current_a", "ts": ts, "value": current_a})]

    def ingest(samples: list[dict[str, object]], events: list[tuple[str, float]]) -> None:
        call(base, "/api/v1/ingest", {
            "batch_id": f"screenshot-trip-{time.monotonic_ns()}", "samples": samples,
            "events": [{"device": serial, "kind": kind, "ts": ts, "count": 1} for kind, ts in events]}, key)

    self_test = now - 600
    ingest(readings([self_test + t for t in range(0, 25, 5)], 480.0, 6.2)
           + readings([self_test + 30, self_test + 60], 35.0, 6.2), [("self_test", self_test)])
    leak = [now - 220 + t for t in range(0, 100, 5)]
    ingest(readings(leak, [310.0 + 4.5 * i for i in range(len(leak))], 7.8), [])
    # Since the trip the box has gone on reporting a dead circuit, so the rows' latest minute reads 0.
    ingest(readings([now - 120 + t for t in range(0, 121, 30)], 0.0, 0.0), [("trip", now - 120)])
    # The watchdog's next round (every 5 s) makes the tripped alarm a hazard; the page is opened once it is there.
    for _ in range(60):
        if any(h["site_id"] == site["id"] for h in call(base, "/api/v1/hazards", token=token)):
            break
        time.sleep(0.5)


def phone(browser: Browser, base: str, username: str, path: str = "/login") -> Page:
    """A phone-sized zh-CN page signed in as a demo user."""
    page = browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2)
    page.goto(base + path)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill("andian-demo")
    page.get_by_test_id("login-submit").click()
    return page


def tripped_site(browser: Browser, base: str) -> None:
    """The flat's page after the trip: 已断电, the open breaker, the alarm the trip ended and the earlier 自检."""
    trip_rental(base)
    page = phone(browser, base, "operator")
    page.locator('[data-testid="site-item"]', has_text="琼湖路").click()
    page.get_by_test_id("alarm-cleared-reason").wait_for()
    page.get_by_test_id("alarm-test-badge").wait_for()
    page.get_by_test_id("site-hazard-list").wait_for()
    page.locator('[data-testid="device-switch"][data-switch="open"]').scroll_into_view_if_needed()
    page.locator('[data-testid="channel-value"][data-value="0"]').nth(1).wait_for()  # rows load once seen
    page.evaluate("() => window.scrollTo(0, 0)")  # else the sticky header lands mid-page in a full-page shot
    page.wait_for_timeout(800)
    # The whole page, top to bottom: the status, the two alarms and the breaker's card do not fit in one screen.
    page.screenshot(path=OUT / "site-tripped.png", full_page=True)


def offline_inspection(browser: Browser, base: str) -> None:
    """The grid inspector in a basement: the checklist answered with no network, each answer kept on the phone."""
    page = phone(browser, base, "inspector")
    page.locator('[data-testid="site-item"]', has_text="12号摊位").click()
    page.get_by_test_id("inspection-start").click()
    page.get_by_test_id("insp-item").nth(39).wait_for()
    page.evaluate("async () => { await navigator.serviceWorker.ready }")
    for _ in range(50):
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            break
        time.sleep(0.1)
    page.context.set_offline(True)
    keys = [str(page.get_by_test_id("insp-item").nth(i).get_attribute("data-key")) for i in range(7)]
    for key in keys[:-1]:
        page.get_by_test_id(f"insp-{key}-pass").click()
    page.get_by_test_id(f"insp-{keys[-1]}-fail").click()
    page.get_by_test_id(f"insp-{keys[-1]}-note").fill("配电箱前堆放纸箱")
    page.get_by_test_id(f"insp-{keys[-1]}-note").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "offline.png", full_page=False)
    page.context.set_offline(False)


def wired_scan(browser: Browser, base: str, bus: str) -> None:
    """An installer scans the demo market's RS-485 bus (``bus``: the box's end of its pty pair)."""
    sites = call(base, "/api/v1/sites", token=api_token(base, "installer"))
    room = next(s["id"] for s in sites if s["name"] == "桃花仑综合市场 配电房")
    page = phone(browser, base, "installer", f"/sites/{room}/commission?via=wired")
    page.get_by_test_id("bus-port").fill(bus)
    page.get_by_test_id("bus-last").fill("8")
    page.get_by_test_id("bus-scan").click()
    page.locator('[data-testid="bus-scan-progress"][data-state="done"]').wait_for(timeout=30_000)
    page.get_by_test_id("bus-unit").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=OUT / "wired-scan.png", full_page=False)


def tour(browser: Browser, base: str) -> None:
    """The README's screenshots, one after another on one demo server: each step leaves what the next shows."""
    page = phone(browser, base, "operator", "/")
    page.get_by_test_id("site-item").first.wait_for()
    page.screenshot(path=OUT / "sites.png")
    page.get_by_test_id("site-item").first.click()
    page.get_by_test_id("device-card").first.wait_for()
    page.wait_for_timeout(12_000)  # a round of the demo feed, so live values show
    page.screenshot(path=OUT / "site.png", full_page=False)
    raise_alarm(base)
    page.get_by_test_id("alarm-banner").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=OUT / "alarm.png", full_page=False)
    # The alarm page a notification links to, with its delivery log (the owner's mail is sent).
    page.get_by_test_id("alarm-details").first.click()
    page.locator('[data-testid="delivery-item"][data-state="sent"]').first.wait_for(timeout=20_000)
    page.get_by_test_id("delivery-log").scroll_into_view_if_needed()
    page.screenshot(path=OUT / "alarm-page.png", full_page=False)
    owner = phone(browser, base, "owner")
    owner.get_by_test_id("site-item").first.wait_for()
    owner.goto(base + "/settings/notifications")
    owner.get_by_test_id("subscription").first.wait_for()
    owner.get_by_test_id("sub-test").first.click()
    owner.get_by_test_id("sub-test-result").first.wait_for(timeout=20_000)
    owner.screenshot(path=OUT / "notifications.png", full_page=False)
    owner.goto(base + "/")
    owner.get_by_test_id("site-item").first.click()
    owner.get_by_test_id("site-report-link").click()
    owner.get_by_test_id("report-grade").wait_for()
    owner.wait_for_timeout(800)
    owner.screenshot(path=OUT / "report.png", full_page=False)
    fire = phone(browser, base, "fire")  # regulators land on the dashboard
    fire.get_by_test_id("heat-cell").first.wait_for()
    fire.get_by_test_id("heat-cell").first.scroll_into_view_if_needed()
    fire.wait_for_timeout(800)
    fire.screenshot(path=OUT / "dashboard.png", full_page=False)
    offline_inspection(browser, base)


def main(only: list[str]) -> None:
    """All the screenshots, or only those named (``site-tripped``, ``wired-scan``)."""
    alone = {"site-tripped", "wired-scan"}
    if unknown := set(only) - alone:
        sys.exit(f"no screenshot named {', '.join(sorted(unknown))}; those that can be made alone: "
                 f"{', '.join(sorted(alone))}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, "-m", "server.cli", "demo", "--db", f"{tmp}/demo.db",
                                   "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/api/v1/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                if not only:
                    tour(browser, base)
                if not only or "site-tripped" in only:
                    tripped_site(browser, base)
                if not only or "wired-scan" in only:
                    wired_scan(browser, base, f"{tmp}/demo-rs485")  # the demo's bus beside its database
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
