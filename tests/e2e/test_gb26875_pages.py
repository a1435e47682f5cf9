"""GB/T 26875.3 in the PWA, in Chromium against a real server: an operator adds a transmission device on a site page
(a taken address is refused), watches its page go from 离线 to 在线 when a simulated box (tests/gb26875_box.py, real
TCP through the codec) connects and reports, edits its analogue mapping (a row the server refuses is shown at its
cell), and sends 查岗, 校时 and 初始化 (after a confirmation), each followed to the box's answer. And the console's
"城市消防远程监控联网" panel, with a simulated monitoring centre (tests/gb26875_centre.py): the centre's 查岗 is
answered with 在岗应答 and the centre receives the answer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import NamedTuple

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from gb26875 import CONFIRM, REQUEST, RESPONSE, DeviceState, DutyCheck, Unit

from ..gb26875_box import Box, analogue, label
from ..gb26875_centre import ADDRESS as UPLINK_ADDRESS
from ..gb26875_centre import Centre, centre_frame, unit_type
from ..receivers import free_port
from .conftest import demo_server
from .test_live_alarm import api_token, log_in

HOTEL = "资江宾馆"  # a demo site of the operator's company
ADDRESS = "1527082020fe"
POLL_MS = 15_000  # the page reads its device every 5 s, the console its uplink every 10 s


class Server(NamedTuple):
    url: str
    listen_port: int
    centre: Centre


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo without its simulated devices, receiving on a port of its own and reporting to a simulated centre."""
    listen = free_port()
    with Centre() as centre, demo_server(tmp_path_factory.mktemp("gb26875-e2e"), {
            "ANDIAN_GB26875_LISTEN": f"127.0.0.1:{listen}", "ANDIAN_GB26875_UPLINK": f"127.0.0.1:{centre.port}",
            "ANDIAN_GB26875_ADDRESS": UPLINK_ADDRESS}) as url:
        yield Server(url, listen, centre)


def site_id(base: str, name: str) -> int:
    sites = httpx.get(f"{base}/api/v1/sites", headers={"Authorization": f"Bearer {api_token(base, 'operator')}"})
    return next(int(s["id"]) for s in sites.json() if s["name"] == name)


def add_device(page: Page, address: str) -> None:
    form = page.get_by_test_id("gateway-add-form")
    form.get_by_test_id("gateway-add-name").fill("前台消控室传输装置")
    form.get_by_test_id("gateway-add-address").fill(address)
    form.get_by_test_id("gateway-add-submit").click()


def counter(name: str) -> str:
    return f'[data-testid="gateway-counter-{name}"]'


def test_operator_adds_a_transmission_device_and_works_it(server: Server, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, server.url, "operator")
    site = site_id(server.url, HOTEL)
    page.locator(f'[data-testid="site-item"][data-site-id="{site}"]').click()
    expect(page.get_by_test_id("site-name")).to_have_text(HOTEL)
    expect(page.get_by_test_id("site-settings")).to_have_attribute("open", "")  # open for those who manage it
    gateways = page.get_by_test_id("site-gateways")
    expect(gateways.get_by_test_id("site-gateways-empty")).to_be_visible()

    # Added with the address as its label shows it; the same address again is taken (409), said above the button.
    gateways.get_by_test_id("gateway-add").click()
    add_device(page, "x1 27 08")
    expect(page.get_by_test_id("gateway-add-error-address")).to_contain_text("12 位十六进制")
    add_device(page, "15 27 08 20 20 FE")
    expect(page.get_by_test_id("gateway-add-done")).to_contain_text("已添加 前台消控室传输装置")
    item = gateways.locator(f'[data-testid="site-gateway"][data-address="{ADDRESS}"]')
    expect(item).to_have_count(1)
    expect(page.get_by_test_id("gateway-add-form")).to_have_count(0)  # closed once added
    gateways.get_by_test_id("gateway-add").click()
    add_device(page, "15:27:08:20:20:fe")
    expect(page.get_by_test_id("gateway-add-error")).to_contain_text("该地址已被另一台传输装置使用")
    expect(gateways.get_by_test_id("site-gateway")).to_have_count(1)

    # Its page: offline, nothing received yet; commands are off with the reason.
    gateway_id = int(item.get_attribute("data-gateway-id") or 0)
    item.get_by_test_id("site-gateway-link").click()
    gateway = page.get_by_test_id("gateway-page")
    expect(gateway).to_have_attribute("data-gateway-id", str(gateway_id))
    expect(page.get_by_test_id("gateway-address")).to_have_text("15 27 08 20 20 fe")
    expect(page.get_by_test_id("gateway-protocol")).to_have_text("GB/T 26875.3")
    connection = page.get_by_test_id("gateway-connection")
    expect(connection).to_have_attribute("data-connected", "false")
    expect(connection).to_contain_text("离线")
    expect(page.get_by_test_id("gateway-connection-text")).to_have_text("尚未收到数据")
    expect(page.get_by_test_id("gateway-commands")).to_have_attribute("data-blocked", "true")
    expect(page.get_by_test_id("command-duty-check")).to_be_disabled()

    box = Box(server.listen_port, ADDRESS)
    try:
        # The box connects and reports its running state: 在线, the last frame, the counters.
        assert box.report(Unit(21, (DeviceState(1, label(time.time())),))).command == CONFIRM
        expect(connection).to_have_attribute("data-connected", "true", timeout=POLL_MS)
        expect(connection).to_contain_text("在线")
        expect(page.get_by_test_id("gateway-connection-text")).to_contain_text("127.0.0.1:")
        last = page.get_by_test_id("gateway-last-frame")
        expect(last).to_have_attribute("data-type", "21")
        expect(page.get_by_test_id("gateway-last-frame-words")).to_have_text("发送数据 · 传输装置运行状态 (21)")
        expect(page.locator(counter("frames"))).to_have_attribute("data-value", "1")
        expect(page.get_by_test_id("gateway-event")).to_have_count(1, timeout=POLL_MS)

        # Residual current as user-defined type 128 (unmapped yet: an event) and a temperature (a reading).
        assert box.report(analogue([(17, 1, 128, 55), (18, 2, 3, 312)], time.time())).command == CONFIRM
        assert box.report(Unit(21, (DeviceState(1, label(time.time())),))).command == CONFIRM
        expect(page.locator(counter("frames"))).to_have_attribute("data-value", "3", timeout=POLL_MS)
        expect(page.locator(counter("confirms"))).to_have_attribute("data-value", "3")
        expect(page.locator(counter("denials"))).to_have_attribute("data-value", "0")

        # The mapping: 128 → residual_ma. A second row the server refuses (scale beyond its range) is shown at
        # its cell; without it the table is saved.
        mapping = page.get_by_test_id("gateway-mapping")
        expect(mapping.get_by_test_id("mapping-empty")).to_be_visible()
        mapping.get_by_test_id("mapping-add").click()
        row = mapping.locator('[data-testid="mapping-row"][data-row="0"]')
        expect(row.get_by_test_id("mapping-type")).to_have_value("128")
        row.get_by_test_id("mapping-channel").select_option("residual_ma")
        mapping.get_by_test_id("mapping-add").click()
        second = mapping.locator('[data-testid="mapping-row"][data-row="1"]')
        expect(second.get_by_test_id("mapping-type")).to_have_value("129")
        second.get_by_test_id("mapping-channel").select_option("temp_c_1")
        second.get_by_test_id("mapping-scale").fill("1e12")
        mapping.get_by_test_id("mapping-save").click()
        expect(second.get_by_test_id("mapping-error-scale")).to_contain_text("scale must be a finite number")
        expect(row.get_by_test_id("mapping-error-scale")).to_have_count(0)
        second.get_by_test_id("mapping-remove").click()
        mapping.get_by_test_id("mapping-save").click()
        expect(mapping.get_by_test_id("mapping-saved")).to_have_text("映射已保存")
        expect(mapping).to_have_attribute("data-rows", "1")
        status = httpx.get(f"{server.url}/api/v1/gateways/{gateway_id}/gb26875",
                           headers={"Authorization": f"Bearer {api_token(server.url, 'operator')}"}).json()
        assert status["mapping"] == [{"analogue_type": 128, "channel": "residual_ma", "scale": 1.0}]

        # 查岗: sent, confirmed by the box, then answered by the person on duty.
        commands = page.get_by_test_id("gateway-commands")
        expect(commands).to_have_attribute("data-blocked", "false")
        page.get_by_test_id("command-timeout").fill("5")
        page.get_by_test_id("command-duty-check").click()
        result = page.get_by_test_id("command-result")
        expect(result).to_have_attribute("data-kind", "duty_check")
        check = box.command()
        assert check is not None and check.command == REQUEST and unit_type(check) == 91
        assert isinstance(check.unit, Unit) and check.unit.objects == (DutyCheck(5),)
        box.reply(check, CONFIRM)
        expect(result).to_have_attribute("data-state", "confirmed", timeout=POLL_MS)
        expect(page.get_by_test_id("command-result-state")).to_have_text("已确认")
        expect(result).to_have_attribute("data-final", "false")
        box.reply(check, RESPONSE, Unit(91, (DutyCheck(5),)))
        expect(result).to_have_attribute("data-state", "answered", timeout=POLL_MS)
        expect(page.get_by_test_id("command-result-state")).to_have_text("已应答")
        expect(result).to_have_attribute("data-final", "true")

        # 校时: the box confirms.
        page.get_by_test_id("command-sync-clock").click()
        expect(result).to_have_attribute("data-kind", "sync_clock")
        sync = box.command()
        assert sync is not None and unit_type(sync) == 90
        box.reply(sync, CONFIRM)
        expect(result).to_have_attribute("data-state", "confirmed", timeout=POLL_MS)
        expect(page.get_by_test_id("command-result-state")).to_have_text("已确认")

        # 初始化 asks first; nothing is sent until it is confirmed.
        page.get_by_test_id("command-initialise").click()
        expect(page.get_by_test_id("command-init-text")).to_have_text(
            "初始化会复位传输装置，使其恢复到初始状态。确定发送？")
        page.get_by_test_id("command-init-no").click()
        expect(page.get_by_test_id("command-init-confirm")).to_have_count(0)
        sent = httpx.get(f"{server.url}/api/v1/gateways/{gateway_id}/gb26875",
                         headers={"Authorization": f"Bearer {api_token(server.url, 'operator')}"}).json()["commands"]
        assert [c["kind"] for c in sent] == ["sync_clock", "duty_check"]
        page.get_by_test_id("command-initialise").click()
        page.get_by_test_id("command-init-yes").click()
        expect(result).to_have_attribute("data-kind", "initialise")
        init = box.command()
        assert init is not None and unit_type(init) == 89
        box.reply(init, CONFIRM)
        expect(result).to_have_attribute("data-state", "confirmed", timeout=POLL_MS)
        recent = page.get_by_test_id("gateway-command")
        expect(recent).to_have_count(3, timeout=POLL_MS)
        expect(page.locator('[data-testid="gateway-command"][data-kind="duty_check"]')).to_have_attribute(
            "data-state", "answered")
    finally:
        box.close()

    # The box goes: 离线, with its last frame's time.
    expect(connection).to_have_attribute("data-connected", "false", timeout=POLL_MS)
    expect(page.get_by_test_id("gateway-connection-text")).to_contain_text("最后一帧")
    expect(page.get_by_test_id("command-blocked-reason")).to_have_text("传输装置离线，无法发送命令")


def test_operator_answers_the_city_platforms_duty_check(server: Server, context: BrowserContext) -> None:
    centre = server.centre
    centre.wait_connected()
    page = context.new_page()
    log_in(page, server.url, "operator")
    expect(page.get_by_test_id("site-list")).to_be_visible()
    page.goto(server.url + "/console")
    panel = page.get_by_test_id("uplink-panel")
    expect(panel).to_have_attribute("data-connected", "true", timeout=POLL_MS)
    expect(page.get_by_test_id("uplink-state")).to_contain_text("已连接")
    expect(page.get_by_test_id("uplink-centre")).to_have_text(f"127.0.0.1:{centre.port}")
    expect(page.get_by_test_id("uplink-address")).to_have_text("15 27 08 20 20 fe")

    # The centre asks: is someone on duty? (查岗, 10 minutes to answer)
    mark = centre.mark()
    centre.send(centre_frame(4242, REQUEST, Unit(91, (DutyCheck(10),))))
    check = page.get_by_test_id("duty-check")
    expect(check).to_have_attribute("data-state", "pending", timeout=POLL_MS)
    expect(check).to_contain_text("时限 10 分钟")
    seconds = int(check.get_by_test_id("duty-countdown").get_attribute("data-seconds") or 0)
    assert 0 < seconds <= 600
    check.get_by_test_id("duty-answer").click()
    expect(check).to_have_attribute("data-state", "answered", timeout=POLL_MS)
    expect(check.get_by_test_id("duty-answered")).to_contain_text(re.compile(r"已应答 · 监控中心 值班员 · "))
    answer = centre.wait(lambda f: f.command == RESPONSE and f.serial == 4242, after=mark)
    assert unit_type(answer) == 91
    assert isinstance(answer.unit, Unit) and answer.unit.objects == (DutyCheck(10),)
