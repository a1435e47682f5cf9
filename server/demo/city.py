"""The demo city: 益阳市 with an operator company, users of every role and sites of several venue types.

Names of units and people are illustrative. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from ble.simulator import DeviceSpec, Story
from server.accounts import service as auth
from server.accounts.principal import Principal
from server.accounts.schemas import UserCreate
from server.context import Context
from server.demo.history import SLOW_LEAK_GROWTH, SLOW_LEAK_MA, DemoDevice, seed_history
from server.demo.mailbox import mailbox_url
from server.demo.wired import FOUR_G_IMEI, WIRED_DEVICES, DemoWired
from server.devices import service as devices_service
from server.devices.schemas import ChannelIn, DeviceCreate, GatewayCreate
from server.notify import service as notifications
from server.notify.schemas import SubscriptionIn
from server.sites import service as sites
from server.sites.schemas import SiteCreate
from server.storage import Connection
from server.storage import devices as ble_sql
from server.storage import users as user_sql

__all__ = ["DEMO_DEVICES", "DEMO_PASSWORD", "DEMO_USERS", "WIRED_SITE", "four_g_gateway", "seed_demo"]

DEMO_PASSWORD = "andian-demo"
COMPANY = "益阳安电智慧用电运维有限公司"

# (username, role, display name, extra fields)
DEMO_USERS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("admin", "admin", "平台管理员", {}),
    ("operator", "operator", "监控中心 值班员", {"company": True}),
    ("installer", "installer", "安装工程师 刘工", {"company": True}),
    ("electrician", "electrician", "维修电工 陈师傅", {"company": True}),
    ("owner", "owner", "王老板（市场摊位）", {}),
    ("carehome", "owner", "康乐养老院 张院长", {}),
    ("inspector", "inspector", "赫山街道网格员 李娟", {"regions": ["430903001"]}),
    ("fire", "regulator", "益阳市消防救援支队", {"regions": ["430900"], "department": "fire_rescue"}),
    ("commerce", "regulator", "赫山区商务局", {"regions": ["430903"], "department": "commerce"}),
    ("civil", "regulator", "益阳市民政局", {"regions": ["430900"], "department": "civil_affairs"}),
]

_BREAKER = ["current_a", "residual_ma", "temp_c", "voltage_v", "power_w", "energy_kwh"]
_COMBINED = ["residual_ma", "temp_c_1", "temp_c_2", "temp_c_3", "temp_c_4"]
# The demo's devices report every 10 s (real ones default to their model's 30 s) so charts fill quickly.
DEMO_POLL_S = 10.0

# The simulated site box: every demo device is a simulated BLE peripheral with a story chosen so that a
# pre-alarm and an alarm appear within the first minutes. Two more advertise uncommissioned, for the
# installer's scan. Addresses are static random addresses (two top bits set).
_HALF_HOUR = Story(cycle_s=1800.0, day_s=3600.0)
DEMO_DEVICES: list[DeviceSpec] = [
    DeviceSpec("C0:AD:00:00:00:01", "AD-BRK-0001", "AD-SB63", _HALF_HOUR, rated_a=16.0),
    # leakage 120 → 380 mA from 30 s on: pre-alarm (240 mA) after ~2.5 min, alarm (300 mA) after ~3.5 min
    DeviceSpec("C0:AD:00:00:00:02", "AD-BRK-0002", "AD-SB63",
               replace(_HALF_HOUR, scenario="leakage", onset_s=30.0), rated_a=32.0),
    # a loose terminal on probe 2: 40 K above what the load explains after 6 min
    DeviceSpec("C0:AD:00:00:01:01", "AD-CMB-0101", "AD-CD4",
               replace(_HALF_HOUR, scenario="hot_terminal", onset_s=30.0, rise_s=360.0)),
    DeviceSpec("C0:AD:00:00:01:02", "AD-ARC-0102", "AD-AF1", _HALF_HOUR, rated_a=16.0),
    # 16 arc half-cycles in one second every 7 minutes, the first after one minute
    DeviceSpec("C0:AD:00:00:02:01", "AD-ARC-0201", "AD-AF1",
               replace(_HALF_HOUR, scenario="arc", onset_s=60.0, arc_every_s=420.0), rated_a=16.0),
    # the supermarket's freezer circuit runs at 1.6 In for 10 minutes, 15 minutes in; and its insulation degrades:
    # leakage grows 15 % a day, as in its seeded history (server/demo/history.py), where the leakage-trend
    # detector has already projected the alarm
    DeviceSpec("C0:AD:00:00:04:01", "AD-BRK-0401", "AD-SB63",
               replace(_HALF_HOUR, scenario="overload", onset_s=900.0, rise_s=1.0, leak_extra_ma=SLOW_LEAK_MA,
                       leak_growth_per_day=SLOW_LEAK_GROWTH), rated_a=40.0),
    # the garage's detector loses its radio link for 2 minutes every 10 minutes
    DeviceSpec("C0:AD:00:00:05:01", "AD-CMB-0501", "AD-CD4",
               replace(_HALF_HOUR, scenario="link_drop", onset_s=120.0, drop_every_s=600.0, drop_for_s=120.0)),
    # not commissioned yet: what an installer finds when scanning
    DeviceSpec("C0:AD:00:00:01:03", "AD-BRK-0103", "AD-SB63", _HALF_HOUR, rated_a=20.0, rssi=-52),
    DeviceSpec("C0:AD:00:00:03:01", "AD-ARC-0301", "AD-AF1", _HALF_HOUR, rated_a=16.0, rssi=-74),
]
_ADDRESS = {spec.serial: spec.address for spec in DEMO_DEVICES}

# (site fields, owner username, devices as (serial, model, kind, name, circuit, rated A, channel keys))
DEMO_SITES: list[tuple[dict[str, Any], str | None, list[tuple[str, str, str, str, str, float | None, list[str]]]]] = [
    ({"name": "桃花仑综合市场 12号摊位", "address": "益阳市赫山区桃花仑路 88 号市场内 12 号",
      "region_code": "430903001001", "venue_type": "market", "lat": 28.5539, "lon": 112.3552}, "owner", [
        ("AD-BRK-0001", "AD-SB63", "breaker", "照明回路断路器", "照明回路", 16.0, _BREAKER),
        ("AD-BRK-0002", "AD-SB63", "breaker", "插座回路断路器", "插座回路", 32.0, _BREAKER),
    ]),
    ({"name": "康乐养老院", "address": "益阳市赫山区会龙山路 16 号", "region_code": "430903002001",
      "venue_type": "elderly_care", "lat": 28.5712, "lon": 112.3398}, "carehome", [
        ("AD-CMB-0101", "AD-CD4", "combined", "一层配电箱组合式探测器", "一层总进线", None, _COMBINED),
        ("AD-ARC-0102", "AD-AF1", "arc", "老人居室故障电弧探测器", "居室插座回路", 16.0, ["current_a", "arc"]),
    ]),
    ({"name": "资江宾馆", "address": "益阳市资阳区汽车路 120 号", "region_code": "430902001001", "venue_type": "hotel",
      "lat": 28.5931, "lon": 112.3241}, None, [
        ("AD-ARC-0201", "AD-AF1", "arc", "客房层故障电弧探测器", "三层客房", 16.0, ["current_a", "arc"]),
    ]),
    ({"name": "赫山区金银山小学", "address": "益阳市赫山区金银山路 3 号", "region_code": "430903003",
      "venue_type": "school"}, None, []),
    ({"name": "惠民超市 赫山店", "address": "益阳市赫山区迎宾路 201 号", "region_code": "430903001002",
      "venue_type": "supermarket"}, None, [
        ("AD-BRK-0401", "AD-SB63", "breaker", "冷柜回路断路器", "冷柜回路", 40.0, _BREAKER),
    ]),
    ({"name": "金桥花园地下车库", "address": "益阳市赫山区金桥路 9 号", "region_code": "430903001001",
      "venue_type": "underground_garage", "key_unit": True}, None, [
        ("AD-CMB-0501", "AD-CD4", "combined", "充电桩配电箱探测器", "充电桩回路", None, _COMBINED),
    ]),
    ({"name": "琼湖路 18 号出租屋", "address": "沅江市琼湖路 18 号", "region_code": "430981001001",
      "venue_type": "rental_housing"}, None, []),
    ({"name": "桃江县危化品仓库", "address": "桃江县桃花江镇工业园 6 号", "region_code": "430922001",
      "venue_type": "hazardous_chemicals"}, None, []),
]


# Demo users whose notifications go to the demo mailbox: the shop owner first, then the ladder's next rungs.
MAILBOX_USERS = ("owner", "carehome", "operator", "inspector")


# The market's distribution room: an RS-485 bus of Acrel devices (server/demo/wired.py), when the demo has one.
WIRED_SITE: dict[str, Any] = {"name": "桃花仑综合市场 配电房", "address": "益阳市赫山区桃花仑路 88 号市场配电房",
              "region_code": "430903001001", "venue_type": "market", "lat": 28.5541, "lon": 112.3549}
FOUR_G_GATEWAY = "4G 物联网平台"


def four_g_gateway(conn: Connection) -> int | None:
    """The gateway the demo's 4G detector publishes for (its site's, made by ``seed_demo``)."""
    device = ble_sql.device_by_serial(conn, FOUR_G_IMEI)
    if device is None:
        return None
    gateways = [g for g in ble_sql.list_gateways(conn, device["site_id"])
                if g["name"] == FOUR_G_GATEWAY and g["revoked_at"] is None]
    return int(gateways[0]["id"]) if gateways else None


async def _seed_wired(ctx: Context, operator: Principal, wired: DemoWired, care_home: int) -> None:
    site = await sites.create_site(ctx, operator, SiteCreate(**WIRED_SITE))
    for serial, model, unit, name, circuit in WIRED_DEVICES:
        await devices_service.create_device(ctx, operator, site.id, DeviceCreate(
            serial=serial, model=model, name=name, circuit=circuit, link=wired.link(unit), poll_interval_s=DEMO_POLL_S))
    if wired.mqtt_port is not None:
        await devices_service.create_gateway(ctx, operator, care_home, GatewayCreate(name=FOUR_G_GATEWAY))
        await devices_service.create_device(ctx, operator, care_home, DeviceCreate(
            serial=FOUR_G_IMEI, model="leak4g", kind="combined", name="4G 剩余电流测温探测器", circuit="厨房配电箱",
            channels=[ChannelIn(key="residual_ma"), ChannelIn(key="temp_c_1")], poll_interval_s=DEMO_POLL_S))


async def seed_demo(ctx: Context, mailbox_port: int | None = None, wired: DemoWired | None = None) -> bool:
    """Create the demo city unless it is there already. Returns True when it was created now. With a
    ``mailbox_port``, the shop owner, the care home, the operator and the inspector subscribe their mail there
    (on 127.0.0.1: the demo's settings allow private targets, ``notify_allow_private``; `andian demo` sets it)."""

    def company(conn: Connection) -> tuple[int, bool]:
        found = user_sql.company_id(conn, COMPANY)
        if found is not None:
            return found, False
        return user_sql.insert_company(conn, COMPANY, "0737-12345678", ctx.clock()), True

    company_id, created = await ctx.db.write(company, durable=True)
    if not created:
        return False

    user_ids: dict[str, int] = {}
    for username, role, display_name, extra in DEMO_USERS:
        user = await auth.create_user(ctx, None, UserCreate(
            username=username, password=DEMO_PASSWORD, role=role,  # type: ignore[arg-type]
            display_name=display_name, regions=extra.get("regions", []), department=extra.get("department"),
            company_id=company_id if extra.get("company") else None,
        ))
        user_ids[username] = user.id

    operator = Principal(kind="user", id=user_ids["operator"], role="operator", company_id=company_id)
    site_ids: dict[str, int] = {}
    history: list[DemoDevice] = []
    for fields, owner, devices in DEMO_SITES:
        site = await sites.create_site(ctx, operator, SiteCreate(
            owner_id=user_ids[owner] if owner else None, **fields))
        site_ids[fields["name"]] = site.id
        for serial, model, kind, name, circuit, rated, keys in devices:
            device = await devices_service.create_device(ctx, operator, site.id, DeviceCreate(
                serial=serial, model=model, kind=kind, name=name, circuit=circuit,  # type: ignore[arg-type]
                rated_current_a=rated, channels=[ChannelIn(key=k) for k in keys], ble_address=_ADDRESS[serial],
                poll_interval_s=DEMO_POLL_S,
            ))
            # Installed and accepted before the demo starts: the site box polls them.
            await ctx.db.write(functools.partial(ble_sql.set_device_state, device_id=device.id, state="commissioned"))
            history.append(DemoDevice(site.id, device.id, serial, rated or 0.0, {c.key: c.id for c in device.channels}))
    # Five weeks of the past: readings, alarms and hazards, and the freezer circuit's leakage trend.
    await seed_history(ctx, history, user_ids)
    if wired is not None:
        await _seed_wired(ctx, operator, wired, site_ids["康乐养老院"])
    if mailbox_port is not None:
        for username in MAILBOX_USERS:
            role = next(r for u, r, _, _ in DEMO_USERS if u == username)
            who = Principal(kind="user", id=user_ids[username], role=role,  # type: ignore[arg-type]
                            company_id=company_id if role == "operator" else None,
                            regions=("430903001",) if role == "inspector" else ())
            await notifications.create_subscription(ctx, who, SubscriptionIn(
                url=mailbox_url(mailbox_port, username), label="演示邮箱", digest_interval_s=900))
    return True
