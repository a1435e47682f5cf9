"""The operator's alarm console in Chromium (issue 18): on a desktop screen the operator sees alarms of several
sites, hears a tone for a new one, filters by district, opens a breaker's remote control from its row, acknowledges
in bulk and dispatches an alarm to the company's electrician, who finds it on their phone; an admin picks the
operator company; and on a phone the market-stall owner asks for a remote
power-off from the alarm page, which the operator answers with a remote trip read back as 已分闸.

The demo runs with its simulated site box, so the stall's breaker answers remote control. Readings that raise the
alarms go through the real HTTP ingest (gateway keys of new shops; the operator's login for the stall)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import demo_server
from .test_live_alarm import api_token, log_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 412, "height": 860}


@pytest.fixture(scope="module")
def site_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("console-e2e"), devices=True) as url:
        yield url


def new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    return browser.new_context(locale="zh-CN", viewport=viewport)  # type: ignore[arg-type]


class Shop:
    """A shop of its own in a district, with an HTTP-reporting breaker and a gateway key."""

    def __init__(self, base: str, name: str, region: str) -> None:
        self.base = base
        operator = {"Authorization": f"Bearer {api_token(base, 'operator')}"}
        suffix = uuid.uuid4().hex[:6]
        r = httpx.post(f"{base}/api/v1/sites", headers=operator, json={
            "name": f"{name} {suffix}", "address": f"{name} 地址", "region_code": region, "venue_type": "market"})
        assert r.status_code == 201, r.text
        self.site_id = r.json()["id"]
        self.serial = f"CON-{suffix}"
        r = httpx.post(f"{base}/api/v1/sites/{self.site_id}/devices", headers=operator, json={
            "serial": self.serial, "model": "AD-SB63", "kind": "breaker", "name": "总进线断路器", "circuit": "总进线",
            "rated_current_a": 32, "channels": [{"key": "residual_ma"}]})
        assert r.status_code == 201, r.text
        self.device_id = r.json()["id"]
        r = httpx.post(f"{base}/api/v1/sites/{self.site_id}/gateways", headers=operator, json={"name": "网关"})
        assert r.status_code == 201, r.text
        self.gateway = {"Authorization": f"Bearer {r.json()['api_key']}"}

    def leak(self) -> None:
        raise_alarm(self.base, self.gateway, self.serial)


def raise_alarm(base: str, headers: dict[str, str], serial: str) -> None:
    """A minute of 450 mA residual current on the device, ending now: a leakage alarm."""
    now = time.time()
    body = {"batch_id": str(uuid.uuid4()), "samples": [
        {"device": serial, "channel": "residual_ma", "ts": now - 60 + 5 * i, "value": 450.0} for i in range(13)]}
    r = httpx.post(f"{base}/api/v1/ingest", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["rejected"] == [], r.text


def alarms_of(base: str, who: str, site_id: int) -> list[dict[str, Any]]:
    r = httpx.get(f"{base}/api/v1/alarms", params={"site_id": site_id},
                  headers={"Authorization": f"Bearer {api_token(base, who)}"})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


def row(page: Page, site_id: int) -> Any:
    return page.locator(f'[data-testid="console-alarm"][data-site-id="{site_id}"]').first


def test_the_console_shows_alarms_of_several_sites_and_dispatches_one_to_the_electrician(
        site_box: str, browser: Browser) -> None:
    heshan, ziyang = Shop(site_box, "赫山副食店", "430903001001"), Shop(site_box, "资阳五金店", "430902001001")
    heshan.leak()
    desk = new_context(browser, DESKTOP)
    page = desk.new_page()
    log_in(page, site_box, "operator")
    page.get_by_test_id("nav-console").click()
    expect(page.get_by_test_id("console")).to_be_visible()
    expect(row(page, heshan.site_id)).to_have_attribute("data-unacked", "true")
    expect(row(page, heshan.site_id)).to_contain_text("赫山区")
    expect(page.get_by_test_id("console-filter-company")).to_have_count(0)  # an operator sees their own company
    # Sound needs a click first; then a new alarm at another site arrives with a tone and stands out.
    page.get_by_test_id("console-sound-enable").click()
    expect(page.get_by_test_id("console-mute")).to_be_visible()
    ziyang.leak()
    expect(row(page, ziyang.site_id)).to_have_attribute("data-unacked", "true", timeout=20_000)
    expect(page.get_by_test_id("console")).not_to_have_attribute("data-alerts", "0")
    expect(page.get_by_test_id("console-updated")).to_contain_text("秒前更新")

    # The district filter is kept in the address and narrows the queue.
    page.get_by_test_id("console-filter-区县").select_option("430902")
    expect(page).to_have_url(f"{site_box}/console?district=430902")
    expect(row(page, heshan.site_id)).to_have_count(0)
    expect(row(page, ziyang.site_id)).to_be_visible()
    page.goto(f"{site_box}/console")

    # "远程控制" opens the site page at the breaker's own card (its controls), focused and marked.
    row(page, heshan.site_id).get_by_test_id("console-control-link").click()
    expect(page).to_have_url(f"{site_box}/sites/{heshan.site_id}#device-{heshan.device_id}")
    card = page.locator(f"#device-{heshan.device_id}")
    expect(card).to_be_focused()
    expect(card).to_have_class(re.compile(r"\banchor-target\b"))
    expect(card).to_be_in_viewport()
    page.goto(f"{site_box}/console")

    # Dispatch the 赫山 alarm to the company's electrician.
    target = row(page, heshan.site_id)
    target.get_by_test_id("console-dispatch").click()
    target.get_by_test_id("dispatch-electrician").select_option(label="维修电工 陈师傅")
    target.get_by_test_id("dispatch-note").fill("请今天到场检查总进线")
    target.get_by_test_id("dispatch-send").click()
    expect(target.get_by_test_id("dispatch-done")).to_contain_text("维修电工 陈师傅")

    # Bulk acknowledge both with one note.
    page.get_by_test_id("console-select-all").click()
    page.get_by_test_id("console-bulk-note").fill("已电话联系业主")
    page.get_by_test_id("console-bulk-ack").click()
    expect(page.get_by_test_id("console-bulk-result")).to_contain_text("已确认")
    expect(row(page, heshan.site_id)).to_have_attribute("data-unacked", "false")
    assert alarms_of(site_box, "operator", ziyang.site_id)[0]["ack_note"] == "已电话联系业主"
    desk.close()

    # An admin picks the operator company: the demo's shows these alarms, a new company's none.
    admin = {"Authorization": f"Bearer {api_token(site_box, 'admin')}"}
    r = httpx.post(f"{site_box}/api/v1/companies", headers=admin, json={"name": f"资阳电力运维 {uuid.uuid4().hex[:4]}"})
    assert r.status_code == 201, r.text
    other = r.json()
    desk = new_context(browser, DESKTOP)
    page = desk.new_page()
    log_in(page, site_box, "admin")
    page.get_by_test_id("nav-console").click()
    picker = page.get_by_test_id("console-filter-company")
    expect(picker.locator("option")).to_contain_text(["全部运营单位", "益阳安电智慧用电运维有限公司", other["name"]])
    expect(row(page, heshan.site_id)).to_be_visible()
    picker.select_option(label="益阳安电智慧用电运维有限公司")
    expect(page).to_have_url(re.compile(r"/console\?company=\d+$"))
    expect(row(page, heshan.site_id)).to_be_visible()
    picker.select_option(label=other["name"])
    expect(page).to_have_url(f"{site_box}/console?company={other['id']}")
    expect(row(page, heshan.site_id)).to_have_count(0)
    expect(page.get_by_text("没有符合条件的报警")).to_be_visible()
    desk.close()

    # The electrician, on a phone, finds the work in their hazards list.
    phone = new_context(browser, PHONE)
    sparky = phone.new_page()
    log_in(sparky, site_box, "electrician")
    expect(sparky.get_by_test_id("nav-console")).to_have_count(0)
    sparky.get_by_test_id("menu-toggle").click()  # the header's links are in a menu on phones
    sparky.get_by_test_id("nav-hazards").click()
    item = sparky.get_by_test_id("hazard-item").filter(has_text="总进线")
    expect(item).to_have_count(1, timeout=20_000)
    expect(item.get_by_test_id("hazard-item-site")).to_contain_text("赫山副食店")
    phone.close()


def test_the_owner_asks_for_a_remote_power_off_and_the_operator_trips_it(site_box: str, browser: Browser) -> None:
    owner_token = {"Authorization": f"Bearer {api_token(site_box, 'owner')}"}
    [stall] = httpx.get(f"{site_box}/api/v1/sites", headers=owner_token).json()
    site = httpx.get(f"{site_box}/api/v1/sites/{stall['id']}", headers=owner_token).json()
    lighting = next(d for d in site["devices"] if d["serial"] == "AD-BRK-0001")
    raise_alarm(site_box, {"Authorization": f"Bearer {api_token(site_box, 'operator')}"}, "AD-BRK-0001")
    alarm = next(a for a in alarms_of(site_box, "owner", stall["id"])
                 if a["device_id"] == lighting["id"] and a["level"] == "alarm")

    phone = new_context(browser, PHONE)
    owner = phone.new_page()
    log_in(owner, site_box, "owner")
    expect(owner).to_have_url(re.compile(rf"/sites/{stall['id']}$"))  # an owner of one site lands on it
    owner.goto(f"{site_box}/alarms/{alarm['id']}")
    expect(owner.get_by_test_id("owner-call")).to_have_attribute("href", "tel:0737-12345678".replace("-", ""))
    expect(owner.get_by_test_id("owner-report-hazard")).to_have_attribute(
        "href", re.compile(rf"^/hazards/new\?site={stall['id']}&title="))
    owner.get_by_test_id("owner-request-poweroff").click()
    owner.get_by_test_id("owner-poweroff-reason").fill("店里没人，灯一直闪")
    owner.get_by_test_id("owner-poweroff-send").click()
    expect(owner.get_by_test_id("poweroff-state")).to_have_attribute("data-state", "pending")

    desk = new_context(browser, DESKTOP)
    operator = desk.new_page()
    log_in(operator, site_box, "operator")
    expect(operator.get_by_test_id("nav-console")).to_be_visible()
    operator.goto(f"{site_box}/console")
    request = operator.get_by_test_id("poweroff-request").filter(has_text="店里没人，灯一直闪")
    expect(request).to_be_visible()
    request.get_by_test_id("poweroff-trip").click()
    expect(request.get_by_test_id("control-warning")).to_contain_text("照明回路")
    request.get_by_test_id("poweroff-text").fill("业主申请，照明回路漏电，远程分闸")
    request.get_by_test_id("poweroff-send").click()
    result = request.get_by_test_id("poweroff-result")
    expect(result).to_have_attribute("data-switch", "open", timeout=30_000)
    expect(result).to_contain_text("已分闸")
    desk.close()

    owner.reload()
    expect(owner.get_by_test_id("poweroff-state")).to_have_attribute("data-state", "tripped")
    expect(owner.get_by_test_id("poweroff-state")).to_contain_text("远程分闸")
    phone.close()
