"""Regenerate the README screenshots: `.venv/bin/python docs/screenshots.py` (needs a CJK font, e.g. fonts-noto-cjk).

Starts `andian demo` on a free port with a throw-away database and photographs the PWA in headless Chromium.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


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
                page.screenshot(path=OUT / "site.png", full_page=False)
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
