"""BLE site box (issue 4): poll-cycle time and resident memory of a site box polling 32 simulated devices at 1 s.

    .venv/bin/python bench/ble.py                  # 32 devices, 30 s per sink: about 70 s on 2 cores
    .venv/bin/python bench/ble.py --seconds 10     # a quick look

Baseline, in the same process: one read of a device done directly on bumble's GATT client (write the same Modbus
request frames to the UART RX characteristic, wait for the answer's bytes on TX; no bleak, link or profile).
Ratio = a ``ModbusDevice.read()`` through bleak + ``ble.link`` + the profile ÷ that raw read, same device, p50.
Then the real ``ble.poller.Poller`` polls all devices at 1 s for --seconds into each sink: a counting sink, then
the server's ingest (``SiteBox.ingest``: a temp SQLite file, the 32 devices registered through the sites service).
RSS is /proc/self/status VmRSS (VmHWM is the peak): after imports (the baseline), with the devices, at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bumble.core import UUID
from bumble.device import Peer

from ble.device import ModbusDevice
from ble.errors import LinkError
from ble.link import Backends
from ble.poller import Gathered, Poller, Target
from ble.pool import LinkPool
from ble.profiles import Profile, profiles, read_plan
from ble.protocol import modbus
from ble.simulator import DeviceSpec, SimRadio
from ble.uuids import NUS_RX, NUS_TX
from server.accounts.principal import Principal
from server.context import open_context
from server.devices import service as devices_service
from server.devices.schemas import ChannelIn, DeviceCreate
from server.devices.sitebox import SiteBox
from server.settings import Settings
from server.sites import service as sites
from server.sites.schemas import SiteCreate
from server.storage import users
from server.web import app  # noqa: F401  (a site box loads the whole app: its imports belong in the baseline)

MODELS = ("AD-SB63", "AD-SB125-3P", "AD-CD4", "AD-AF1")
INTERVAL_S = 1.0
ROUND_TRIPS = 300  # reads per side of the baseline comparison ...
ROUNDS = 3  # ... in this many alternating rounds, so drift hits both sides alike


def memory() -> dict[str, float]:
    """VmRSS and VmHWM of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(values, 0.5) * 1000, 3), "p99_ms": round(pct(values, 0.99) * 1000, 3)}


def make_specs(n: int) -> list[DeviceSpec]:
    return [DeviceSpec(f"C0:AD:10:00:{i >> 8:02X}:{i & 0xFF:02X}", f"AD-BEN-{i:04d}", MODELS[i % len(MODELS)])
            for i in range(n)]


async def raw_reads(radio: SimRadio, spec: DeviceSpec, profile: Profile, n: int) -> tuple[list[float], list[float]]:
    """(per read, per request) times of the profile's read plan done directly on bumble's GATT client."""
    connection = await radio.connect(spec.address, 5.0)
    await connection.encrypt()  # with the bond the link made; the UART RX accepts writes on an encrypted link only
    peer = Peer(connection)
    await peer.request_mtu(247)
    await peer.discover_all()
    rx = peer.get_characteristics_by_uuid(UUID(NUS_RX))[0]
    tx = peer.get_characteristics_by_uuid(UUID(NUS_TX))[0]
    loop = asyncio.get_running_loop()
    got = bytearray()
    state: dict[str, Any] = {"want": 0, "done": loop.create_future()}

    def on_tx(value: bytes) -> None:
        got.extend(value)
        if len(got) >= state["want"] and not state["done"].done():
            state["done"].set_result(None)

    await peer.subscribe(tx, on_tx)
    # A read-holding-registers answer: unit, function, byte count, 2 bytes per register, CRC.
    frames = [(modbus.read_holding(profile.unit_id, b.address, b.words), 5 + 2 * b.words) for b in read_plan(profile)]
    per_read: list[float] = []
    per_request: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        for frame, size in frames:
            t = time.perf_counter()
            got.clear()
            state["want"], state["done"] = size, loop.create_future()
            await peer.write_value(rx, frame, with_response=True)
            await state["done"]
            per_request.append(time.perf_counter() - t)
        per_read.append(time.perf_counter() - started)
    await connection.disconnect()
    await asyncio.sleep(0.1)  # let it advertise again
    return per_read, per_request


async def one_by_one(devices: list[ModbusDevice]) -> None:
    for device in devices:
        await device.read()


async def timed(coro: Any) -> float:
    t = time.perf_counter()
    await coro
    return time.perf_counter() - t


async def poll_phase(pool: LinkPool, targets: list[Target], sink: Any, seconds: float) -> dict[str, Any]:
    faults: list[str] = []

    async def on_fault(target: Target, exc: LinkError) -> None:
        faults.append(f"{target.serial}: {exc.code}")

    poller = Poller(pool, sink, on_fault, flush_s=INTERVAL_S)
    cpu, wall = time.process_time(), time.perf_counter()
    runner = asyncio.create_task(poller.run())
    poller.set_targets(targets)
    await asyncio.sleep(seconds)
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    wall = time.perf_counter() - wall
    connected = sum(pool.get(t.address).connected for t in targets)
    return {"connected": connected, "reads": poller.stats.reads, "reads_per_s": round(poller.stats.reads / wall, 2),
            "offered_per_s": len(targets) / INTERVAL_S, "read": ms(poller.stats.read_s),
            "link_failures": poller.stats.failures, "faults": faults[:5],
            "cpu_pct": round(100 * (time.process_time() - cpu) / wall, 1), "memory_mb": memory()}


async def register(ctx: Any, specs: list[DeviceSpec]) -> None:
    """One site with every device, registered as the installer's pair step does (channels from the profile)."""
    # The admin is inserted directly: hashing a password (argon2id, 19 MiB in a worker thread whose arena glibc
    # keeps) would add ~20 MB of RSS that has nothing to do with polling. "!" is no hash: nobody can log in as it.
    user_id = await ctx.db.write(lambda conn: users.insert_user(
        conn, username="bench", password_hash="!", role="admin", display_name="bench", phone="", company_id=None,
        department=None, regions=[], now=ctx.clock()))
    admin = Principal(kind="user", id=user_id, role="admin")
    site = await sites.create_site(ctx, admin, SiteCreate(name="bench", address="bench", venue_type="market",
                                                          region_code="430903001001"))
    for spec in specs:
        profile = profiles()[spec.model]
        await devices_service.create_device(ctx, admin, site.id, DeviceCreate(
            serial=spec.serial, model=spec.model, kind=profile.kind, ble_address=spec.address,
            rated_current_a=spec.rated_a, poll_interval_s=INTERVAL_S,
            channels=[ChannelIn(key=k) for k in profile.channel_keys()]))


async def run(n: int, seconds: float, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"devices": n, "interval_s": INTERVAL_S, "cores": os.cpu_count(),
                           "memory_after_imports_mb": memory()}
    radio = SimRadio()
    specs = make_specs(n)
    for spec in specs:
        await radio.add(spec)
    out["memory_with_sim_devices_mb"] = memory()
    pool = LinkPool(Backends(*radio.backends()))
    devices = [ModbusDevice(pool.get(s.address), profiles()[s.model]) for s in specs]
    connect_s = [await timed(d.link.connect()) for d in devices]
    out["connect"] = {"total_s": round(sum(connect_s), 3), **ms(connect_s)}
    sequential = [await timed(one_by_one(devices)) for _ in range(5)]
    concurrent = [await timed(asyncio.gather(*[d.read() for d in devices])) for _ in range(5)]
    out["sweep_all"] = {"sequential": ms(sequential), "concurrent": ms(concurrent)}

    # The baseline, in the steady state (every other device connected, none advertising), alternating sides.
    first, profile = devices[0], devices[0].profile
    raw_read, raw_request, link_read = [], [], []
    for _ in range(ROUNDS):
        await first.link.disconnect()
        reads, requests = await raw_reads(radio, specs[0], profile, ROUND_TRIPS // ROUNDS)
        raw_read += reads
        raw_request += requests
        await first.read()  # reconnect (re-encrypts with the bond) outside the timing
        link_read += [await timed(first.read()) for _ in range(ROUND_TRIPS // ROUNDS)]
    out["baseline"] = {"model": profile.model, "requests_per_read": len(read_plan(profile)),
                       "raw_read": ms(raw_read), "raw_request": ms(raw_request), "link_read": ms(link_read),
                       "ratio": round(pct(link_read, 0.5) / pct(raw_read, 0.5), 2)}
    out["memory_connected_mb"] = memory()

    targets = [Target(s.serial, s.address, s.model, INTERVAL_S) for s in specs]
    counted = {"batches": 0, "samples": 0, "events": 0}

    async def count(batch: Gathered) -> None:
        counted.update(batches=counted["batches"] + 1, samples=counted["samples"] + len(batch.samples),
                       events=counted["events"] + len(batch.events))

    out["count_sink"] = {**await poll_phase(pool, targets, count, seconds), **counted}

    async with open_context(Settings(db_path=workdir / "andian.db")) as ctx:
        await register(ctx, specs)
        out["memory_server_ready_mb"] = memory()
        box = SiteBox(ctx, pool.backends, radio)
        stored = {"batches": 0, "accepted": 0, "rejected": 0}
        ingest_s: list[float] = []

        async def ingest(batch: Gathered) -> None:
            t = time.perf_counter()
            result = await box.ingest(batch)
            ingest_s.append(time.perf_counter() - t)
            stored.update(batches=stored["batches"] + 1, accepted=stored["accepted"] + result.accepted,
                          rejected=stored["rejected"] + len(result.rejected))

        out["ingest_sink"] = {**await poll_phase(pool, targets, ingest, seconds), **stored,
                              "ingest_batch": ms(ingest_s)}
    await pool.close()
    await radio.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0, help="polling time per sink (default 30)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(args.devices, args.seconds, Path(tmp)))
    b = r["baseline"]
    print(f"machine: {r['cores']} cores, Python {sys.version.split()[0]}; {r['devices']} simulated devices "
          f"({', '.join(MODELS)}), polled every {r['interval_s']:.0f} s")
    print(f"read of one {b['model']} ({b['requests_per_read']} requests) through bleak + link + profile ÷ raw bumble "
          f"GATT: {b['ratio']:.2f} (p50 {b['link_read']['p50_ms']:.2f} ms vs {b['raw_read']['p50_ms']:.2f} ms; "
          f"one raw request/answer p50 {b['raw_request']['p50_ms']:.2f} ms)")
    print(f"connect {r['devices']}: {r['connect']['total_s']:.2f} s (p50 {r['connect']['p50_ms']:.1f} ms); "
          f"read all once: sequential {r['sweep_all']['sequential']['p50_ms']:.1f} ms, "
          f"concurrent {r['sweep_all']['concurrent']['p50_ms']:.1f} ms")
    for name in ("count_sink", "ingest_sink"):
        p = r[name]
        print(f"poller → {name.replace('_', ' ')}: {p['connected']}/{r['devices']} connected, "
              f"{p['reads_per_s']:.2f} reads/s of {p['offered_per_s']:.0f} offered, read p50 {p['read']['p50_ms']:.2f}"
              f" ms p99 {p['read']['p99_ms']:.2f} ms, {p['link_failures']} link failures, CPU {p['cpu_pct']:.0f} % "
              f"of a core, RSS {p['memory_mb']['VmRSS']:.1f} MB (peak {p['memory_mb']['VmHWM']:.1f} MB)")
    m = {k: r[f"memory_{k}_mb"]["VmRSS"] for k in ("after_imports", "with_sim_devices", "connected", "server_ready")}
    end = r["ingest_sink"]["memory_mb"]
    print(f"RSS after imports {m['after_imports']:.1f} MB (baseline), with the simulated devices "
          f"{m['with_sim_devices']:.1f}, connected {m['connected']:.1f}, server context open {m['server_ready']:.1f}, "
          f"end {end['VmRSS']:.1f} (÷ baseline {end['VmRSS'] / m['after_imports']:.2f}); peak {end['VmHWM']:.1f} MB "
          f"vs goal ≤ 150 MB: {'met' if end['VmHWM'] <= 150 else 'missed'}")
    print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
