"""The PWA is installable: Chromium reports no installability errors (needs a persistent context)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS


def test_chromium_finds_no_installability_errors(live_server: str, playwright: Playwright, tmp_path: Path) -> None:
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, locale="zh-CN",
    )
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.evaluate("() => navigator.serviceWorker.ready")
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = page.evaluate("() => fetch('/manifest.webmanifest').then(r => r.json())")
        assert manifest["lang"] == "zh-CN"
        assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    finally:
        context.close()
