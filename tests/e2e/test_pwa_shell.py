"""The PWA shell: log in, see the site list, lose the network, reload — the shell and the last list still show."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from server.demo.city import DEMO_PASSWORD


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_site_list_survives_going_offline(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    # The 赫山街道 grid inspector (regulators land on their dashboard, which needs the network).
    log_in(page, live_server, "inspector")
    items = page.get_by_test_id("site-item")
    expect(page.get_by_text("桃花仑综合市场 12号摊位")).to_be_visible()
    expect(page.get_by_text("惠民超市 赫山店")).to_be_visible()
    count = items.count()
    wait_for_service_worker(page)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    expect(page.get_by_test_id("site-item")).to_have_count(count)
    expect(page.get_by_text("桃花仑综合市场 12号摊位")).to_be_visible()


def test_site_page_deep_link_offline(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, live_server, "owner")
    expect(page.get_by_test_id("site-name")).to_have_text("桃花仑综合市场 12号摊位")  # one site: lands on it
    expect(page.get_by_test_id("device-card")).to_have_count(2)
    expect(page.get_by_text("剩余电流").first).to_be_visible()
    wait_for_service_worker(page)
    site_url = page.url
    assert "/sites/" in site_url

    context.set_offline(True)
    page.goto(site_url)  # a cold deep link with no network: the service worker serves the shell
    expect(page.get_by_test_id("site-name")).to_have_text("桃花仑综合市场 12号摊位")
    expect(page.get_by_test_id("device-card")).to_have_count(2)


def test_wrong_password_is_explained(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_test_id("login-username").fill("owner")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")


def test_english_browser_gets_english_and_can_switch(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        log_in(page, live_server, "owner")
        expect(page.get_by_test_id("site-name")).to_be_visible()  # one site: the owner lands on it
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_test_id("lang-switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    finally:
        context.close()
