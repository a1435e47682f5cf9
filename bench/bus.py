"""Wired buses (issue 17): readings per second through one RS-485 bus and through Modbus TCP, and the memory of a
site box polling 32 wired and 32 Bluetooth devices.

    .venv/bin/python -m bench.bus                 # about 1½ minutes
    .venv/bin/python -m bench.bus --seconds 5     # a quick look

RS-485: a socat pty pair, pymodbus's own serial server with 8 Acrel ASJ units on one end, andian's bus
(``ble.bus``) on the other, reading one register of each unit in turn. A pty moves bytes at memory speed whatever
the baud rate, so what is measured is andian's and pymodbus's own time per request/answer; the rate a real bus
gives is then 1 ÷ (that time + the wire's time for the two frames), and the ratio compares it with the bus's
theoretical rate (the wire alone: 8 + 7 bytes of 10 bits, each frame followed by the 3.5-character silence, or
1.75 ms above 19200 baud, Modbus over serial line §2.5.1.1).
Modbus TCP: the same reads through pymodbus's TCP server, andian's bus ÷ a bare pymodbus client loop, one process.
Memory: /proc/self/status VmRSS and VmHWM of one process running a site box (the app's context, the poller, ingest
into a temporary SQLite file) that polls 32 Bluetooth devices on the simulated radio and 32 ASJ units on one
RTU-over-TCP bus at 1 s — the simulators run in the same process, so this is an upper bound for a box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.framer import FramerType

from bench.ble import make_specs, memory, register
from ble.bus import Buses
from ble.link import Backends
from ble.links import ModbusLink, parse_link
from ble.profiles import profiles
from server.accounts.principal import Principal
from server.context import open_context
from server.devices import service as devices_service
from server.devices.schemas import DeviceCreate
from server.devices.sitebox import SiteBox
from server.settings import Settings
from server.web import app  # noqa: F401  (a site box loads the whole app: its imports belong in the baseline)
from tests.modbus_rig import PeerBus, Unit, free_port, pty_pair

UNITS = 8
REQUEST_BYTES, ANSWER_BYTES = 8, 7  # read one holding register: unit, function, address, count, CRC / 2 data bytes


def wire_s(baud: int) -> float:
    """The wire's time for one request and its answer, with the silences after each frame."""
    char = 10 / baud  # start, 8 data, stop
    gap = 3.5 * char if baud <= 19200 else 0.00175
    return (REQUEST_BYTES + ANSWER_BYTES) * char + 2 * gap


async def _reads(bus_read: Any, seconds: float) -> tuple[int, float]:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for unit in range(1, UNITS + 1):
            await bus_read(unit)
            count += 1
    return count, time.perf_counter() - started


async def rtu(baud: int, seconds: float, tmp: Path) -> dict[str, Any]:
    profile = profiles()["acrel-asj"]
    with pty_pair(tmp) as (box_side, device_side):
        peer = PeerBus([Unit(u, "acrel-asj", {"residual_ma": 10.0 * u}) for u in range(1, UNITS + 1)])
        await peer.serve_serial(device_side, baud)
        buses = Buses()
        try:
            link = parse_link(f"modbus-rtu://{box_side}?baud={baud}")
            assert isinstance(link, ModbusLink)
            bus = buses.get(link, profile)
            count, wall = await _reads(lambda unit: bus.read(unit, 3, 0, 1), seconds)
        finally:
            buses.close()
            await peer.stop()
    own = wall / count
    real = 1 / (own + wire_s(baud))
    theory = 1 / wire_s(baud)
    return {"baud": baud, "reads": count, "own_ms": round(own * 1000, 3), "wire_ms": round(wire_s(baud) * 1000, 3),
            "real_bus_per_s": round(real, 1), "theoretical_per_s": round(theory, 1), "ratio": round(real / theory, 3)}


async def tcp(seconds: float) -> dict[str, Any]:
    profile = profiles()["acrel-asj"]
    port = free_port()
    peer = PeerBus([Unit(u, "acrel-asj", {"residual_ma": 10.0 * u}) for u in range(1, UNITS + 1)])
    await peer.serve_tcp(port, FramerType.SOCKET)
    buses = Buses()
    raw = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=1, retries=0)
    await raw.connect()
    try:
        link = parse_link(f"modbus-tcp://127.0.0.1:{port}")
        assert isinstance(link, ModbusLink)
        bus = buses.get(link, profile)
        rounds: dict[str, list[float]] = {"andian": [], "raw": []}
        for _ in range(3):  # alternating, so drift hits both sides alike
            n, wall = await _reads(lambda unit: bus.read(unit, 3, 0, 1), seconds / 6)
            rounds["andian"].append(n / wall)
            n, wall = await _reads(lambda unit: raw.read_holding_registers(0, count=1, device_id=unit), seconds / 6)
            rounds["raw"].append(n / wall)
    finally:
        raw.close()
        buses.close()
        await peer.stop()
    andian, bare = sorted(rounds["andian"])[1], sorted(rounds["raw"])[1]
    return {"andian_per_s": round(andian, 1), "raw_per_s": round(bare, 1), "ratio": round(andian / bare, 3)}


async def box_memory(seconds: float, tmp: Path) -> dict[str, Any]:
    from ble.simulator import SimRadio

    out: dict[str, Any] = {"after_imports_mb": memory()}
    radio = SimRadio()
    specs = make_specs(32)
    for spec in specs:
        await radio.add(spec)
    port = free_port()
    peer = PeerBus([Unit(u, "acrel-asj", {"residual_ma": 10.0 + u}) for u in range(1, 33)])
    await peer.serve_tcp(port, FramerType.RTU)
    out["with_simulators_mb"] = memory()
    async with open_context(Settings(db_path=tmp / "box.db")) as ctx:
        await register(ctx, specs)  # the Bluetooth devices, as commissioning leaves them
        await ctx.db.write(lambda conn: conn.execute("UPDATE devices SET state = 'commissioned'"))
        admin = Principal(kind="user", id=1, role="admin")
        for unit in range(1, 33):
            await devices_service.create_device(ctx, admin, 1, DeviceCreate(
                serial=f"ASJ-{unit:02d}", model="acrel-asj", poll_interval_s=1,
                link=f"modbus-rtu-tcp://127.0.0.1:{port}?unit={unit}"))
        box = SiteBox(ctx, Backends(*radio.backends()), radio)
        ctx.site_box = box
        runner = asyncio.create_task(box.run())
        await asyncio.sleep(seconds)
        stats = box.poller.stats
        out["reads_per_s"] = round(stats.reads / seconds, 1)
        out["failures"] = stats.failures
        out["polling_mb"] = memory()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    await peer.stop()
    await radio.close()
    return out


async def run(seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return {"cores": os.cpu_count(),
                "rtu": [await rtu(baud, seconds / 3, Path(tmp)) for baud in (9600, 115200)],
                "tcp": await tcp(seconds),
                "box": await box_memory(seconds, Path(tmp))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    r = asyncio.run(run(args.seconds))
    print(f"machine: {r['cores']} cores, Python {sys.version.split()[0]}")
    for b in r["rtu"]:
        print(f"RS-485 at {b['baud']} baud, one register per request over {UNITS} units: {b['ratio']:.2f} of the bus's "
              f"theoretical rate ({b['real_bus_per_s']:.0f}/s vs {b['theoretical_per_s']:.0f}/s; own time "
              f"{b['own_ms']:.2f} ms per request/answer, wire {b['wire_ms']:.2f} ms)")
    t = r["tcp"]
    print(f"Modbus TCP, andian's bus ÷ a bare pymodbus client loop: {t['ratio']:.2f} "
          f"({t['andian_per_s']:.0f}/s vs {t['raw_per_s']:.0f}/s)")
    m = r["box"]
    print(f"site box polling 32 wired + 32 Bluetooth devices at 1 s: VmRSS {m['polling_mb']['VmRSS']:.0f} MB, peak "
          f"{m['polling_mb']['VmHWM']:.0f} MB (after imports {m['after_imports_mb']['VmRSS']:.0f} MB; the simulators "
          f"run in the same process); {m['reads_per_s']:.1f} device reads/s, {m['failures']} failures; goal ≤ 150 MB")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
