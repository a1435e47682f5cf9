"""Regenerate the README screenshots: `.venv/bin/python docs/screenshots.py` (needs a CJK font, e.g. fonts-noto-cjk).

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

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def raise_alarm(base: str) -> None:
    """A leakage alarm on the stall's socket circuit, at once rather than after the feed's four minutes.

    The samples run up to 3 minutes ahead (within the allowed clock skew), so the feed's normal readings in that
    time are older than the channel's last sample and do not clear the alarm before the screenshot.
    """
    def post(path: str, body: dict[str, object], token: str = "") -> dict[str, object]:
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, object] = json.load(response)
            return result

    token = str(post("/api/v1/auth/login", {"username": "operator", "password": "andian-demo"})["token"])
    now = time.time()
    samples = [{"device": "AD-BRK-0002", "channel": "residual_ma", "ts": now + t, "value": 380.0 + t / 10}
               for t in range(0, 180, 6)]
    post("/api/v1/ingest", {"batch_id": f"screenshot-{now:.0f}", "samples": samples}, token)


def offline_inspection(browser: Browser, base: str) -> None:
    """The grid inspector in a basement: the checklist answered with no network, each answer kept on the phone."""
    page = browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2)
    page.goto(base + "/login")
    page.get_by_test_id("login-username").fill("inspector")
    page.get_by_test_id("login-password").fill("andian-demo")
    page.get_by_test_id("login-submit").click()
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


def main() -> None:
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
                page = browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2)
                page.goto(base + "/")
                page.get_by_test_id("login-username").fill("operator")
                page.get_by_test_id("login-password").fill("andian-demo")
                page.get_by_test_id("login-submit").click()
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
                owner = browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2)
                owner.goto(base + "/login")
                owner.get_by_test_id("login-username").fill("owner")
                owner.get_by_test_id("login-password").fill("andian-demo")
                owner.get_by_test_id("login-submit").click()
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
                fire = browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2)
                fire.goto(base + "/login")
                fire.get_by_test_id("login-username").fill("fire")
                fire.get_by_test_id("login-password").fill("andian-demo")
                fire.get_by_test_id("login-submit").click()
                fire.get_by_test_id("nav-dashboard").click()
                fire.get_by_test_id("heat-cell").first.wait_for()
                fire.get_by_test_id("heat-cell").first.scroll_into_view_if_needed()
                fire.wait_for_timeout(800)
                fire.screenshot(path=OUT / "dashboard.png", full_page=False)
                offline_inspection(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
