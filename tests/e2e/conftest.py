"""Browser tests: a real `andian demo` server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from .. import backends
from ..receivers import free_port

ROOT = Path(__file__).parent.parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@contextlib.contextmanager
def demo_server(directory: Path, env: dict[str, str] | None = None, *, devices: bool = False) -> Iterator[str]:
    """`andian demo --no-devices` on a free port with its database in ``directory``; its URL until the block ends.
    With ``devices`` the demo's simulated site box runs too (its breakers answer remote control)."""
    if not (ROOT / "server" / "static" / "index.html").exists():
        pytest.fail("the PWA is not built: run `make test` (it runs `npm run build` in pwa/)")
    port = free_port()
    log = (directory / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "demo", "--db", backends.database(directory / "demo.db"),
         "--port", str(port), *([] if devices else ["--no-devices"])],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **backends.server_env(directory / "demo.db"), **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the demo server did not start; see {log.name}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("e2e")) as url:
        yield url


# Package scope: Playwright's sync API runs an event loop on the main thread while it is open, which would
# break asyncio.run() in the tests that run after these.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@contextlib.contextmanager
def watched_context(browser: Browser, **options: Any) -> Iterator[BrowserContext]:
    """A zh-CN browser context (Playwright's new_context options) whose Content-Security-Policy is watched."""
    context = browser.new_context(locale="zh-CN", **options)
    # The server's Content-Security-Policy (docs/security.md) must let the PWA do everything these tests do: any
    # violation Chromium reports fails the test.
    violations: list[str] = []
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)
    yield context
    context.close()
    assert not violations, f"the PWA broke its Content-Security-Policy: {violations}"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    with watched_context(browser, viewport={"width": 412, "height": 860}) as context:
        yield context
