"""Regenerate the README screenshots: `.venv/bin/python docs/screenshots.py` (needs a CJK font, e.g. fonts-noto-cjk,
and a colour emoji font for the 📞 and 🔔 buttons, fonts-noto-color-emoji);
`.venv/bin/python docs/screenshots.py console drilldown` makes only those named (`--list` names them all).

Starts `andian demo` on a free port with a throw-away database, sets up each scene through its API
(docs/screenshot_scenes.py) and photographs the PWA in headless Chromium:
phones at 412×860 and device scale 2, desktops at scale 1. Every named shot sets up what it shows by itself, so
each can be made alone; all of them run one after another on one demo server.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from screenshot_scenes import api_token, busy_console, call, stall_alarm, trip_rental

ROOT = Path(__file__).parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def phone(browser: Browser, base: str, username: str, path: str = "/login") -> Page:
    """A phone-sized zh-CN page signed in as a demo user."""
    return signed_in(browser.new_page(locale="zh-CN", viewport={"width": 412, "height": 860}, device_scale_factor=2),
                     base, username, path)


def desktop(browser: Browser, base: str, username: str, path: str = "/login", width: int = 1280,
            height: int = 800) -> Page:
    """A desktop-sized zh-CN page (device scale 1) signed in as a demo user."""
    return signed_in(browser.new_page(locale="zh-CN", viewport={"width": width, "height": height},
                                      device_scale_factor=1), base, username, path)


def signed_in(page: Page, base: str, username: str, path: str) -> Page:
    page.goto(base + path)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill("andian-demo")
    page.get_by_test_id("login-submit").click()
    return page


def tripped_site(browser: Browser, base: str, tmp: str) -> None:
    """The flat's page after the trip: the hazard it made, the alarm the trip ended and the earlier 自检."""
    trip_rental(base)
    page = phone(browser, base, "operator")
    page.locator('[data-testid="site-item"]', has_text="琼湖路").click()
    page.get_by_test_id("alarm-cleared-reason").wait_for()
    page.get_by_test_id("alarm-test-badge").wait_for()
    page.get_by_test_id("site-hazard-list").wait_for()
    page.locator('[data-testid="device-switch"][data-switch="open"]').scroll_into_view_if_needed()
    page.locator('[data-testid="channel-value"][data-value="0"]').nth(1).wait_for()  # rows load once seen
    # One screen from the hazard the trip made down to the morning's 自检 alarm: the whole page (the status line
    # 已断电 above, the breaker's card 已分闸 below) is four screens long.
    page.get_by_test_id("site-hazard-list").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => window.scrollBy(0, -110)")  # its heading out from under the sticky header
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "site-tripped.png", full_page=False)


def offline_inspection(browser: Browser, base: str, tmp: str) -> None:
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


def rectification_notice(browser: Browser, base: str, tmp: str) -> None:
    """The grid inspector's rectification notice (整改通知书) for the stall, signed, its findings numbered, ready for
    the unit's signature on the inspector's phone."""
    token = api_token(base, "inspector")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"].endswith("12号摊位"))
    visit = call(base, "/api/v1/inspections", {"site_id": site["id"]}, token)
    notes = {visit["items"][0]["key"]: "配电箱前堆放纸箱和泡沫箱", "stall_heaters": "摊位内使用电暖器取暖，无人看管"}
    answers = [{"key": i["key"], "answer": "fail" if i["key"] in notes else "pass",
                **({"note": notes[i["key"]]} if i["key"] in notes else {})} for i in visit["items"]]
    call(base, f"/api/v1/inspections/{visit['id']}/answers", {"answers": answers}, token)
    call(base, f"/api/v1/inspections/{visit['id']}/complete", {"signed_by": "李娟"}, token)
    page = phone(browser, base, "inspector", f"/inspections/{visit['id']}/notice")
    page.get_by_test_id("notice-finding").nth(len(notes) - 1).wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "notice.png", full_page=False)


def wired_scan(browser: Browser, base: str, tmp: str) -> None:
    """An installer scans the demo market's RS-485 bus (the box's end of its pty pair, beside the database)."""
    bus = f"{tmp}/demo-rs485"
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


def site_list(browser: Browser, base: str, tmp: str) -> None:
    """The operator's site list: every contracted site with its status."""
    page = phone(browser, base, "operator", "/")
    page.get_by_test_id("site-item").first.wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "sites.png")


def owner_site(browser: Browser, base: str, tmp: str) -> None:
    """The stall owner's landing page: status, last values, the last alarm and what the site is equipped with."""
    stall_alarm(base)
    page = phone(browser, base, "owner")  # an owner of one site lands on it
    page.get_by_test_id("site-summary").wait_for()
    page.get_by_test_id("live-value").first.wait_for()
    page.get_by_test_id("last-alarm-link").wait_for()
    page.wait_for_timeout(12_000)  # a round of the demo feed, so every value is live
    page.screenshot(path=OUT / "site.png", full_page=False)


def alarm_banner(browser: Browser, base: str, tmp: str) -> None:
    """The operator's view of the stall as the alarm comes: the red banner on its site page."""
    page = phone(browser, base, "operator", "/")
    page.locator('[data-testid="site-item"]', has_text="12号摊位").click()
    page.get_by_test_id("device-card").first.wait_for()
    stall_alarm(base)
    page.get_by_test_id("alarm-banner").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=OUT / "alarm.png", full_page=False)


def alarm_page(browser: Browser, base: str, tmp: str) -> None:
    """The alarm page a notification links to, with its delivery log (the owner's mail is sent)."""
    alarm = stall_alarm(base)
    page = phone(browser, base, "operator", f"/alarms/{alarm['id']}")
    page.get_by_test_id("alarm-detail").wait_for()
    page.locator('[data-testid="delivery-item"][data-state="sent"]').first.wait_for(timeout=20_000)
    page.get_by_test_id("delivery-log").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "alarm-page.png", full_page=False)


def alarm_next_steps(browser: Browser, base: str, tmp: str) -> None:
    """The owner at 3 a.m.: the alarm page's next steps — call the operator company, ask for a remote power-off,
    report a hazard."""
    alarm = stall_alarm(base)
    page = phone(browser, base, "owner", f"/alarms/{alarm['id']}")
    page.get_by_test_id("owner-call").wait_for()
    page.get_by_test_id("owner-report-hazard").wait_for()
    page.get_by_test_id("owner-actions").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "alarm-next-steps.png", full_page=False)


def console(browser: Browser, base: str, tmp: str) -> None:
    """The monitoring centre's console on a desktop: the queue of every contracted site, the unacknowledged alarm
    highlighted, the owner's power-off request above it."""
    busy_console(base)
    page = desktop(browser, base, "operator", "/console")
    page.get_by_test_id("poweroff-request").first.wait_for()
    page.locator('[data-testid="console-alarm"][data-unacked="true"]').first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=OUT / "console.png", full_page=True)  # the whole queue below the request


def console_wall(browser: Browser, base: str, tmp: str) -> None:
    """The control room's wall screen: large type, counts by district, the unacknowledged first."""
    busy_console(base)
    page = desktop(browser, base, "operator", "/console?wall=1", 1920, 1080)
    page.locator('[data-testid="wall-district"].unacked').first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=OUT / "console-wall.png", full_page=False)


def notifications(browser: Browser, base: str, tmp: str) -> None:
    """The owner's notification settings with a send test that reached the mailbox."""
    page = phone(browser, base, "owner", "/login")
    page.get_by_test_id("site-summary").wait_for()
    page.goto(base + "/settings/notifications")
    page.get_by_test_id("subscription").first.wait_for()
    page.get_by_test_id("sub-test").first.click()
    page.get_by_test_id("sub-test-result").first.wait_for(timeout=20_000)
    page.screenshot(path=OUT / "notifications.png", full_page=False)


def last_month_report(browser: Browser, base: str) -> Page:
    """The stall owner's health-check report for last month: a whole month of the demo's five weeks of history."""
    page = phone(browser, base, "owner")
    page.get_by_test_id("site-report-link").click()
    page.get_by_test_id("report-grade").wait_for()
    last_month = page.get_by_test_id("report-period").locator("option").nth(1).get_attribute("value")
    page.get_by_test_id("report-period").select_option(str(last_month))
    page.locator(f'[data-testid="report"][data-period="{last_month}"]').wait_for()
    page.wait_for_timeout(1200)
    return page


def report(browser: Browser, base: str, tmp: str) -> None:
    """Last month's grade, what to do about it and every factor's points."""
    last_month_report(browser, base).screenshot(path=OUT / "report.png", full_page=False)


def report_trends(browser: Browser, base: str, tmp: str) -> None:
    """Last month's daily leakage and temperature maxima, and the hazard found and rectified in it."""
    page = last_month_report(browser, base)
    page.get_by_test_id("report-trends").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => window.scrollBy(0, -64)")  # from under the sticky header
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "report-trends.png", full_page=False)


def dashboard(browser: Browser, base: str, tmp: str) -> None:
    """The fire department's dashboard on a desktop, where regulators land: the targets, coverage by district ×
    sector, hazards by department, the 12-month trend and the districts ranked."""
    page = desktop(browser, base, "fire", "/login", 1280, 1960)
    page.get_by_test_id("heat-cell").first.wait_for()
    page.wait_for_timeout(1200)
    page.screenshot(path=OUT / "dashboard.png", full_page=False)


def drilldown(browser: Browser, base: str, tmp: str) -> None:
    """The units behind one heat-table cell (赫山区 × markets and shops, on a desktop): what each lacks, its open
    hazards and this month's grade."""
    page = desktop(browser, base, "fire")
    page.get_by_test_id("heat-cell").first.wait_for()
    page.goto(base + "/dashboard/units?region=430903&sector=commerce")
    page.get_by_test_id("unit-item").first.wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=OUT / "drilldown.png", full_page=False)


def transmission_device(browser: Browser, base: str, tmp: str) -> None:
    """The care home's GB/T 26875.3 transmission device (the demo's simulated box, server/demo/gb26875_box.py) on
    its page: online, its last frame and counters, the mapping of its residual current, a 查岗 it answered."""
    token = api_token(base, "operator")
    site = next(s for s in call(base, "/api/v1/sites", token=token) if s["name"] == "康乐养老院")
    gateway = next(g for g in call(base, f"/api/v1/sites/{site['id']}/gateways", token=token)
                   if g.get("protocol") == "gb26875")
    for _ in range(60):  # its part values (every 10 s) beside its running state
        if call(base, f"/api/v1/gateways/{gateway['id']}/gb26875", token=token)["counters"]["frames"] >= 4:
            break
        time.sleep(0.5)
    page = desktop(browser, base, "operator", f"/gateways/{gateway['id']}", 1280, 1100)
    page.locator('[data-testid="gateway-page"][data-connected="true"]').wait_for()
    page.get_by_test_id("command-duty-check").click()
    page.locator('[data-testid="command-result"][data-state="answered"]').wait_for(timeout=30_000)
    page.get_by_test_id("gateway-event").first.wait_for(timeout=10_000)
    page.wait_for_timeout(5_500)  # the page's next read: the 查岗 among the recent commands
    page.screenshot(path=OUT / "transmission-device.png", full_page=False)


Shot = Callable[[Browser, str, str], None]
# In the order a full run makes them: the owner's next steps before the console, which answers their request.
SHOTS: dict[str, Shot] = {
    "sites": site_list, "site": owner_site, "alarm": alarm_banner, "alarm-page": alarm_page,
    "alarm-next-steps": alarm_next_steps, "console": console, "console-wall": console_wall,
    "notifications": notifications, "report": report, "report-trends": report_trends, "dashboard": dashboard,
    "drilldown": drilldown, "offline": offline_inspection, "notice": rectification_notice,
    "site-tripped": tripped_site, "wired-scan": wired_scan, "transmission-device": transmission_device,
}


def main(only: list[str]) -> None:
    """All the screenshots, or only those named (each is docs/screenshots/<name>.png)."""
    if only == ["--list"]:
        print("\n".join(SHOTS))
        return
    if unknown := set(only) - set(SHOTS):
        sys.exit(f"no screenshot named {', '.join(sorted(unknown))}; there are: {', '.join(SHOTS)}")
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
                for name, shot in SHOTS.items():
                    if not only or name in only:
                        shot(browser, base, tmp)
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
