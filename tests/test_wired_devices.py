"""Wired devices (RS-485 Modbus RTU, Modbus TCP, RTU over TCP): links, the Acrel models as data, and the poller
on a shared bus — against pymodbus's own server, a peer implementation, over TCP and over a socat pty pair."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from pathlib import Path

import pytest
from pymodbus.framer import FramerType

from ble.bus import Buses, WiredDevice
from ble.errors import LinkError, LinkLost, LinkTimeout
from ble.link import Backends
from ble.links import BadLink, BleLink, ModbusLink, SerialLine, parse_link
from ble.poller import Gathered, Poller, Target
from ble.pool import LinkPool
from ble.profiles import Block, profiles, read_registers

from .modbus_rig import PeerBus, Unit, free_port, pty_pair, tcp_bus

# ---- links --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("ble://aa:bb:cc:dd:ee:ff", BleLink("AA:BB:CC:DD:EE:FF")),
    ("modbus-rtu:///dev/ttyUSB0?baud=9600&parity=E&stop=1&unit=3",
     ModbusLink("modbus-rtu", "/dev/ttyUSB0", None, 3, SerialLine(9600, "E", 1),
                frozenset({"baud", "parity", "stop"}))),
    ("modbus-rtu:///dev/ttyUSB0", ModbusLink("modbus-rtu", "/dev/ttyUSB0", None, None, SerialLine(), frozenset())),
    ("modbus-tcp://192.168.1.20:502?unit=3", ModbusLink("modbus-tcp", "192.168.1.20", 502, 3)),
    ("modbus-tcp://gw.local", ModbusLink("modbus-tcp", "gw.local", 502, None)),
    ("modbus-rtu-tcp://192.168.1.21:4001?unit=7", ModbusLink("modbus-rtu-tcp", "192.168.1.21", 4001, 7)),
])
def test_links_parse(text: str, expected: object) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("serial:///dev/ttyUSB0", "starts with one of"),
    ("ble://AA:BB", "ble://AA:BB:CC:DD:EE:FF"),
    ("modbus-rtu://dev/ttyUSB0", "three slashes"),
    ("modbus-rtu:///dev/ttyUSB0?baud=9601", "baud must be one of"),
    ("modbus-rtu:///dev/ttyUSB0?parity=X", "parity is N"),
    ("modbus-rtu:///dev/ttyUSB0?unit=0", "unit must be a whole number from 1 to 247"),
    ("modbus-rtu:///dev/ttyUSB0?unit=300", "from 1 to 247"),
    ("modbus-tcp://192.168.1.20:502?unit=3&unit=4", "given twice"),
    ("modbus-tcp://192.168.1.20:99999", "TCP port"),
    ("modbus-tcp://192.168.1.20:502?baud=9600", "unknown setting 'baud'"),
    ("modbus-rtu-tcp://192.168.1.21", "needs the serial server's TCP port"),
    ("modbus-tcp://user@host:502", "HOST:PORT"),
])
def test_bad_links_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(BadLink, match=says):
        parse_link(text)


def test_a_link_reads_back_as_written() -> None:
    for text in ("modbus-rtu:///dev/ttyUSB0?baud=1200&unit=2", "modbus-tcp://10.0.0.5:1502?unit=9",
                 "modbus-rtu-tcp://10.0.0.6:4001", "ble://AA:BB:CC:DD:EE:01"):
        assert str(parse_link(text)) == text


# ---- the models as data ---------------------------------------------------------------------------------------------


def _decode(model: str, words: dict[int, int]) -> tuple[dict[str, float], dict[str, str]]:
    from ble.profiles import read_plan

    profile = profiles()[model]
    blocks = [(b, [words.get(b.address + i, 0) for i in range(b.words)]) for b in read_plan(profile)]
    decoded = read_registers(profile, blocks)
    return decoded.values, dict(decoded.faults)


def test_models_list_their_links_and_line_defaults() -> None:
    models = profiles()
    for model in ("acrel-asj", "acrel-aim-r100", "acrel-adw300"):
        assert models[model].links == ["modbus-rtu", "modbus-tcp", "modbus-rtu-tcp"]
    assert models["AD-SB63"].links == ["ble"]
    assert models["acrel-adw300"].line.baud == 1200  # as a public integration runs it
    assert models["acrel-asj"].line == models["acrel-aim-r100"].line  # 9600 8N1


@pytest.mark.parametrize(("model", "words", "values", "faults"), [
    ("acrel-asj", {0x0000: 123, 0x001B: 0b000}, {"residual_ma": 123.0}, {}),
    ("acrel-asj", {0x0000: 456, 0x001B: 0b010}, {"residual_ma": 456.0}, {}),  # its own alarm: andian judges 456 mA
    ("acrel-asj", {0x0000: 0, 0x001B: 0b100}, {}, {"residual_ma": "ct_open"}),  # CT open: 0 is no measurement
    ("acrel-aim-r100", {0x004A: 35, 0x004B: 0xE5E5, 0x004C: 0xFAFA, 0x0055: 999},
     {"residual_ma_1": 35.0, "residual_ma_12": 999.0}, {"residual_ma_2": "ct_short", "residual_ma_3": "ct_open"}),
    ("acrel-aim-r100", {0x004D: 20, 0x000B: 0b10 << 6}, {"residual_ma_4": None}, {"residual_ma_4": "ct_open"}),
    ("acrel-adw300", {20: 2201, 26: 1234, 30: 0xFFFF, 31: 0xFF38, 36: 0, 37: 5000, 62: 1, 63: 0x86A0},
     {"voltage_v_l1": 220.1, "current_a_l1": 12.34, "power_w_l1": -200.0, "power_w": 5000.0, "energy_kwh": 1000.0},
     {}),
])
def test_models_decode_values_and_sensor_faults(model: str, words: dict[int, int], values: dict[str, float | None],
                                                faults: dict[str, str]) -> None:
    got, got_faults = _decode(model, words)
    for key, value in values.items():
        if value is None:
            assert key not in got  # a faulted channel has no value, never a reading
        else:
            assert got[key] == pytest.approx(value)
    assert got_faults == faults
    assert not set(got) & set(got_faults)


def test_a_status_word_names_a_channel_of_its_model(tmp_path: Path) -> None:
    from ble.profiles import load_profile

    path = tmp_path / "broken.toml"
    path.write_text('model = "x"\nkind = "residual"\nprotocol = "modbus"\n[name]\nzh-CN = "x"\nen = "x"\n'
                    '[[channels]]\nkey = "residual_ma"\naddress = 0\n'
                    '[[status]]\naddress = 1\nchannel = "temp_c"\nfaults = [{ value = 4, reason = "ct_open" }]\n')
    with pytest.raises(ValueError, match=r"broken\.toml: status at 0x0001 names channel 'temp_c'"):
        load_profile(path)
    assert Block(0, 1).words == 1


# ---- over a peer Modbus server --------------------------------------------------------------------------------------

MARKET = [
    Unit(1, "acrel-asj", {"residual_ma": 42.0}),
    Unit(2, "acrel-aim-r100", {"residual_ma_1": 15.0, "residual_ma_7": 260.0}, raw={0x004C: 0xFAFA}),
    Unit(3, "acrel-adw300", {"voltage_v_l1": 229.7, "current_a_l2": 8.25, "power_w": 1830.0, "energy_kwh": 12345.67}),
]


@pytest.mark.parametrize(("scheme", "framer"), [("modbus-tcp", FramerType.SOCKET),
                                                ("modbus-rtu-tcp", FramerType.RTU)])
async def test_every_model_reads_over_tcp(scheme: str, framer: FramerType) -> None:
    async with tcp_bus(MARKET, framer) as (_peer, port):
        buses = Buses(timeout_s=0.5)
        try:
            readings = {}
            for unit in MARKET:
                link = parse_link(f"{scheme}://127.0.0.1:{port}?unit={unit.unit}")
                assert isinstance(link, ModbusLink)
                profile = profiles()[unit.model]
                readings[unit.model] = await WiredDevice(buses.get(link, profile), unit.unit, profile).read()
        finally:
            buses.close()
    assert readings["acrel-asj"].values == {"residual_ma": 42.0}
    aim = readings["acrel-aim-r100"]
    assert (aim.values["residual_ma_1"], aim.values["residual_ma_7"], aim.faults) == (15.0, 260.0,
                                                                                     {"residual_ma_3": "ct_open"})
    meter = readings["acrel-adw300"].values
    assert (meter["voltage_v_l1"], meter["current_a_l2"], meter["power_w"]) == (229.7, 8.25, 1830.0)
    assert meter["energy_kwh"] == pytest.approx(12345.67)


async def test_every_model_reads_over_rs485_rtu_through_a_serial_port(tmp_path: Path) -> None:
    with pty_pair(tmp_path) as (box_side, device_side):
        units = [Unit(5, "acrel-asj", {"residual_ma": 310.0}), *[Unit(u.unit + 5, u.model, u.values, u.raw)
                                                                  for u in MARKET[1:]]]
        peer = PeerBus(units, silent={9})  # nothing wired at unit 9
        await peer.serve_serial(device_side, 9600)
        buses = Buses(timeout_s=1.0)
        try:
            readings = {}
            for unit in units:  # baud, parity and stop: the models' 9600 8N1 (the ADW300's 1200 is overridden)
                link = parse_link(f"modbus-rtu://{box_side}?baud=9600&unit={unit.unit}")
                assert isinstance(link, ModbusLink)
                profile = profiles()[unit.model]
                readings[unit.model] = await WiredDevice(buses.get(link, profile), unit.unit, profile).read()
            assert readings["acrel-asj"].values == {"residual_ma": 310.0}
            assert readings["acrel-aim-r100"].faults == {"residual_ma_3": "ct_open"}
            assert readings["acrel-adw300"].values["energy_kwh"] == pytest.approx(12345.67)
            link = parse_link(f"modbus-rtu://{box_side}?unit=9")
            assert isinstance(link, ModbusLink)
            profile = profiles()["acrel-asj"]
            with pytest.raises(LinkTimeout, match=r"unit 9 .* did not answer"):
                await WiredDevice(buses.get(link, profile), 9, profile).read()
        finally:
            buses.close()
            await peer.stop()


class _Rig:
    """A poller over wired targets, recording when each device's samples and faults arrive."""

    def __init__(self, targets: list[Target], timeout_s: float) -> None:
        self.seen: dict[str, list[float]] = defaultdict(list)
        self.faults: list[tuple[str, str]] = []
        self.buses = Buses(timeout_s=timeout_s)
        self.poller = Poller(LinkPool(Backends()), self._sink, self._fault, flush_s=0.05, buses=self.buses)
        self.poller.set_targets(targets)
        self.task = asyncio.create_task(self.poller.run())

    async def _sink(self, gathered: Gathered) -> None:
        for serial in {s for s, *_ in gathered.samples}:
            self.seen[serial].append(time.monotonic())

    async def _fault(self, target: Target, exc: LinkError) -> None:
        self.faults.append((target.serial, exc.code))

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        self.buses.close()


async def test_a_dead_unit_does_not_stall_the_others_on_its_bus() -> None:
    interval = 0.5
    units = [Unit(1, "acrel-asj", {"residual_ma": 20.0}), Unit(2, "acrel-asj", {"residual_ma": 30.0}),
             Unit(9, "acrel-asj")]
    async with tcp_bus(units, FramerType.RTU, silent={9}) as (_peer, port):
        targets = [Target(f"ASJ-{u.unit}", "", "acrel-asj", interval, f"modbus-rtu-tcp://127.0.0.1:{port}?unit={u.unit}")
                   for u in units]
        rig = _Rig(targets, timeout_s=0.3)
        try:
            await asyncio.sleep(6.0)
        finally:
            await rig.stop()
    assert ("ASJ-9", "timeout") in rig.faults and not [f for f in rig.faults if f[0] != "ASJ-9"]
    assert "ASJ-9" not in rig.seen
    for serial in ("ASJ-1", "ASJ-2"):
        times = rig.seen[serial]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) >= 9, (serial, len(times))
        # Each live device keeps its cadence while its neighbour times out: never 1.5 intervals between reads
        # (batches are flushed every 0.05 s, so a gap is measured to within that).
        assert max(gaps) <= 1.5 * interval + 0.05, (serial, max(gaps))


async def test_a_lost_bus_faults_every_device_on_it_and_they_come_back() -> None:
    units = [Unit(1, "acrel-asj", {"residual_ma": 20.0}), Unit(2, "acrel-asj", {"residual_ma": 30.0})]
    port = free_port()
    peer = PeerBus(units)
    await peer.serve_tcp(port, FramerType.SOCKET)
    targets = [Target(f"ASJ-{u.unit}", "", "acrel-asj", 0.3, f"modbus-tcp://127.0.0.1:{port}?unit={u.unit}")
               for u in units]
    rig = _Rig(targets, timeout_s=0.3)
    try:
        await asyncio.sleep(1.0)
        assert set(rig.seen) == {"ASJ-1", "ASJ-2"}
        await peer.stop()  # the serial server unplugged
        await asyncio.sleep(1.5)
        assert {serial for serial, _ in rig.faults} == {"ASJ-1", "ASJ-2"}
        lost_at = time.monotonic()
        await peer.serve_tcp(port, FramerType.SOCKET)  # and back
        await asyncio.sleep(4.0)  # the backoff table's first steps (1 s, 2 s) pass
        assert all(rig.seen[s][-1] > lost_at for s in ("ASJ-1", "ASJ-2"))
    finally:
        await rig.stop()
        await peer.stop()


async def test_an_unknown_unit_behind_a_bus_is_a_timeout_not_a_crash() -> None:
    async with tcp_bus([Unit(1, "acrel-asj")], FramerType.SOCKET, silent={4}) as (_peer, port):
        buses = Buses(timeout_s=0.3)
        try:
            link = parse_link(f"modbus-tcp://127.0.0.1:{port}?unit=4")
            assert isinstance(link, ModbusLink)
            profile = profiles()["acrel-asj"]
            with pytest.raises(LinkTimeout):
                await WiredDevice(buses.get(link, profile), 4, profile).read()
            # the bus is still good for the next device
            assert (await WiredDevice(buses.get(link, profile), 1, profile).read()).values == {"residual_ma": 0.0}
        finally:
            buses.close()
    with pytest.raises(LinkLost):  # nobody listens there any more
        buses = Buses(timeout_s=0.3)
        try:
            await WiredDevice(buses.get(link, profile), 1, profile).read()
        finally:
            buses.close()
