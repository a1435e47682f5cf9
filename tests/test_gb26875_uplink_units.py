"""What the uplink sends, as tables (server/gb26875/uplink_queue.py, pure), and the settings it refuses at start."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from gb26875 import PartAnalogue, PartState, Unit, decode_unit, encode_unit
from server.gb26875.uplink import prepare
from server.gb26875.uplink_answers import software_version
from server.gb26875.uplink_queue import Latest, Transition, alarm_unit, analogue_units, description, device_status
from server.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
T0 = 1_763_856_000.0  # 2025-11-23 08:00 in Asia/Shanghai


def transition(cause: str, level: str, kind: str = "raised", *, test: bool = False, site: str = "集贸市场",
               circuit: str = "") -> Transition:
    return Transition(id=7, ts=T0, transition=kind, level=level, cause=cause, test=test, device_id=42,
                      device_name="配电箱断路器", circuit=circuit, site_name=site)


def state(unit: Unit | None) -> PartState:
    assert unit is not None and unit.type == 2 and len(unit.objects) == 1
    obj = unit.objects[0]
    assert isinstance(obj, PartState)
    return obj


@pytest.mark.parametrize(("cause", "level", "part_type", "status"), [
    ("leakage", "alarm", 17, 0b11),
    ("leakage_trend", "prealarm", 17, 0b1_0001),
    ("overtemp", "alarm", 18, 0b11),
    ("hot_joint", "prealarm", 18, 0b1_0001),
    ("arc", "alarm", 128, 0b11),
    ("overload", "alarm", 16, 0b11),
    ("short_circuit", "alarm", 16, 0b11),
    ("voltage", "prealarm", 16, 0b1_0001),
    ("imbalance", "alarm", 16, 0b11),
    ("sensor", "fault", 16, 0b101),
    ("offline", "offline", 16, 0b101),
])
def test_causes_map_to_part_types_and_status_bits(cause: str, level: str, part_type: int, status: int) -> None:
    sent = state(alarm_unit(transition(cause, level), [], TZ))
    assert (sent.sys_type, sent.sys_addr, sent.part_addr) == (0, 1, 42)
    assert (sent.part_type, sent.status) == (part_type, status)
    assert (sent.ts.hour, sent.ts.day, sent.ts.month, sent.ts.year) == (8, 23, 11, 25)  # local time
    cleared = state(alarm_unit(transition(cause, level, "cleared"), [], TZ))
    assert (cleared.part_type, cleared.status) == (part_type, 0b1)
    escalated = state(alarm_unit(transition(cause, "alarm", "escalated"), [], TZ))
    assert (escalated.part_type, escalated.status) == (part_type, 0b11)


def test_tests_and_acknowledgements_are_not_sent() -> None:
    assert alarm_unit(transition("leakage", "alarm", test=True), [], TZ) is None
    assert alarm_unit(transition("leakage", "alarm", "acknowledged"), [], TZ) is None


def test_a_part_keeps_the_bits_of_its_other_live_alarms() -> None:
    others = [("leakage_trend", "prealarm"), ("overtemp", "alarm")]  # the same part (17); another part (18)
    assert state(alarm_unit(transition("leakage", "alarm", "cleared"), others, TZ)).status == 0b1_0001
    assert state(alarm_unit(transition("leakage", "alarm"), others, TZ)).status == 0b1_0011


@pytest.mark.parametrize(("site", "name", "expected"), [
    ("集贸市场", "一楼配电箱", "集贸市场 一楼配电箱"),
    ("益阳市资阳区汽车路农贸市场", "二楼东侧照明回路", "益阳市资阳区汽车路农贸市场 二楼"),  # 31 bytes: cut at a char
    ("Market", "", "Market"),
    ("A" * 40, "x", "A" * 31),
])
def test_descriptions_fit_31_bytes_of_gb18030(site: str, name: str, expected: str) -> None:
    text = description(site, name)
    assert text == expected and len(text.encode("gb18030")) <= 31
    sent = state(alarm_unit(transition("leakage", "alarm", site=site, circuit=name), [], TZ))
    assert sent.desc == description(site, name or "配电箱断路器")
    assert decode_unit(encode_unit(Unit(2, (sent,)))) == Unit(2, (sent,))


def test_analogue_values_scale_clamp_and_fill_frames_of_63() -> None:
    latest = [Latest(key="temp_c", device_id=1, ts=T0, value=65.26), Latest(key="voltage_v", device_id=1, ts=T0,
                                                                           value=229.94),
              Latest(key="current_a", device_id=1, ts=T0, value=3500.0), Latest(key="residual_ma", device_id=1,
                                                                               ts=T0, value=-40000.0),
              Latest(key="arc", device_id=1, ts=T0, value=3.0)]
    (unit,) = analogue_units(latest, TZ)
    values = [(o.part_type, o.analogue_type, o.value) for o in unit.objects if isinstance(o, PartAnalogue)]
    assert values == [(18, 3, 653), (16, 8, 2299), (16, 9, 32767), (17, 128, -32768)]
    many = analogue_units([Latest(key="temp_c", device_id=i, ts=T0, value=20.0) for i in range(130)], TZ)
    assert [len(u.objects) for u in many] == [63, 63, 4]
    assert all(len(encode_unit(u)) <= 1024 for u in many)


def test_device_status_and_software_version() -> None:
    assert device_status([]) == 0b1
    assert device_status(["prealarm"]) == 0b1
    assert device_status(["alarm", "offline"]) == 0b111
    assert software_version("0.1.0") == (0, 1) and software_version("2.300.1") == (2, 255)


@pytest.mark.parametrize(("uplink", "address", "named"), [
    ("127.0.0.1:9000", "", "ANDIAN_GB26875_ADDRESS"),
    ("", "1527082020fe", "ANDIAN_GB26875_UPLINK"),
    ("centre.example", "1527082020fe", "ANDIAN_GB26875_UPLINK"),
    ("centre.example:70000", "1527082020fe", "ANDIAN_GB26875_UPLINK"),
    ("127.0.0.1:9000", "1527082020", "ANDIAN_GB26875_ADDRESS"),
    ("127.0.0.1:9000", "1527082020zz", "ANDIAN_GB26875_ADDRESS"),
])
def test_a_bad_or_missing_setting_stops_the_start_naming_it(uplink: str, address: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        prepare(Settings(gb26875_uplink=uplink, gb26875_address=address))


def test_settings_that_start_an_uplink() -> None:
    assert prepare(Settings()) is None
    made = prepare(Settings(gb26875_uplink="[::1]:9000", gb26875_address="1527082020FE"))
    assert made is not None and (made.target.host, made.target.port) == ("::1", 9000)
    assert made.address == bytes.fromhex("1527082020fe")
    with pytest.raises(ValueError, match="ANDIAN_GB26875_HEARTBEAT_S"):
        prepare(Settings(gb26875_uplink="h:1", gb26875_address="1527082020fe", gb26875_heartbeat_s=0))
