"""Polls every commissioned device on its interval and hands the readings to ingest in batches.

One task per device reads its registers — over Bluetooth (``DeviceLink``) or over its bus (``bus.WiredDevice``:
RS-485, Modbus TCP, RTU over TCP), as its ``link`` says — and, for arc detectors, keeps the arc-report
subscription; a flusher sends everything gathered as one batch per ``flush_s``. A link that fails is retried after the
``BACKOFF_S`` table and reported once per outage through ``on_fault`` (the server raises a ``fault``);
readings arriving again end it. Run it in exactly one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec

from .bus import Buses, WiredDevice
from .device import ModbusDevice, Reading
from .errors import LinkError, LinkLost
from .link import BACKOFF_S
from .links import BadLink, ModbusLink, parse_link
from .pool import LinkPool
from .profiles import Profile, Reason, profiles
from .protocol.arc import ArcReport

__all__ = ["Gathered", "PollStats", "Poller", "Target"]

log = logging.getLogger("andian.poller")


class Target(msgspec.Struct, frozen=True):
    serial: str
    address: str  # the Bluetooth address, or the link's text for a wired device
    model: str
    interval_s: float
    link: str = ""  # a modbus-* link (ble/links.py); empty: Bluetooth at ``address``


@dataclass
class Gathered:
    """One batch for ingest: (serial, channel, ts, value) samples and (serial, kind, ts, count) events."""

    samples: list[tuple[str, str, float, float]] = field(default_factory=list)
    events: list[tuple[str, str, float, int]] = field(default_factory=list)
    switches: dict[str, str] = field(default_factory=dict)  # serial → "closed"/"open"
    faults: list[tuple[str, str, float, Reason]] = field(default_factory=list)  # serial, channel, ts, why

    def add(self, serial: str, reading: Reading, ts: float) -> None:
        self.samples += [(serial, key, ts, value) for key, value in reading.values.items()]
        self.faults += [(serial, key, ts, reason) for key, reason in reading.faults.items()]
        if reading.switch is not None:
            self.switches[serial] = reading.switch

    @classmethod
    def of(cls, serial: str, reading: Reading, ts: float) -> Gathered:
        gathered = cls()
        gathered.add(serial, reading, ts)
        return gathered


@dataclass
class PollStats:
    reads: int = 0
    failures: int = 0
    read_s: list[float] = field(default_factory=list)  # duration of each device read (bounded)


Sink = Callable[[Gathered], Awaitable[object]]
FaultSink = Callable[[Target, LinkError], Awaitable[None]]


class Poller:
    def __init__(self, pool: LinkPool, sink: Sink, on_fault: FaultSink, *,
                 clock: Callable[[], float] = time.time, flush_s: float = 1.0, buses: Buses | None = None) -> None:
        self.pool = pool
        self.buses = buses or Buses()
        self.sink = sink
        self.on_fault = on_fault
        self.clock = clock
        self.flush_s = flush_s
        self.stats = PollStats()
        self._targets: dict[str, Target] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._pending = Gathered()
        self._outage: set[str] = set()  # serials whose current outage was reported
        self._reports: set[asyncio.Task[None]] = set()

    def set_targets(self, targets: list[Target]) -> None:
        """Poll exactly these devices from now on (started, stopped or restarted as they changed)."""
        wanted = {t.serial: t for t in targets if t.model in profiles()}
        for serial in list(self._tasks):
            if wanted.get(serial) != self._targets.get(serial):
                self._tasks.pop(serial).cancel()
                self._targets.pop(serial, None)
        for serial, target in wanted.items():
            if serial not in self._tasks:
                self._targets[serial] = target
                self._tasks[serial] = asyncio.create_task(self._poll(target), name=f"poll {serial}")

    async def run(self) -> None:
        """The flusher; device tasks run beside it. Cancel to stop everything."""
        try:
            while True:
                await asyncio.sleep(self.flush_s)
                await self.flush()
        finally:
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._tasks.clear()
            self._targets.clear()

    async def flush(self) -> None:
        batch, self._pending = self._pending, Gathered()
        if batch.samples or batch.events or batch.switches or batch.faults:
            try:
                await self.sink(batch)
            except Exception:  # a failed batch is logged; the next cycle carries on
                log.exception("handing %d readings to ingest failed", len(batch.samples))

    def _on_arc(self, target: Target, report: ArcReport) -> None:
        kind = "self_test" if report.test else "arc"
        self._pending.events.append((target.serial, kind, self.clock(), report.half_cycles))

    def _dropped(self, target: Target) -> None:
        """The link dropped by itself (the device went away): report it at once, not at the next read."""
        task = asyncio.get_running_loop().create_task(
            self._report(target, LinkLost(f"{target.address}: the device dropped the connection or went out of range")))
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    def _device(self, target: Target, profile: Profile) -> ModbusDevice | WiredDevice:
        if target.link:
            link = parse_link(target.link)
            if not isinstance(link, ModbusLink):
                raise BadLink(f"{target.link}: not a wired link")
            return WiredDevice(self.buses.get(link, profile), link.unit or profile.unit_id, profile)
        ble = self.pool.get(target.address)
        ble.on_disconnect = lambda _link: self._dropped(target)
        return ModbusDevice(ble, profile)

    async def _poll(self, target: Target) -> None:
        profile = profiles()[target.model]
        try:
            device = self._device(target, profile)
        except BadLink as exc:  # the API refuses such links; one in the database from elsewhere is logged, not polled
            log.error("%s: link %r cannot be polled: %s", target.serial, target.link, exc)
            return
        failures = 0
        subscribed = False
        while True:
            started = time.perf_counter()
            try:
                if isinstance(device, ModbusDevice) and profile.arc_characteristic and not subscribed:
                    await device.subscribe_arcs(lambda report: self._on_arc(target, report))
                    subscribed = True  # the link re-subscribes by itself after a reconnect
                reading = await device.read()
            except LinkError as exc:
                failures += 1
                self.stats.failures += 1
                if failures == 1:
                    log.warning("%s (%s): %s", target.serial, target.address, exc)
                await self._report(target, exc)
                await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])
                continue
            elapsed = time.perf_counter() - started
            failures = 0
            self._outage.discard(target.serial)
            self.stats.reads += 1
            if len(self.stats.read_s) < 100_000:
                self.stats.read_s.append(elapsed)
            self._pending.add(target.serial, reading, self.clock())
            await asyncio.sleep(max(0.0, target.interval_s - elapsed))

    async def _report(self, target: Target, exc: LinkError) -> None:
        """Once per outage: the first failure reports, readings arriving again end the outage."""
        if target.serial in self._outage:
            return
        self._outage.add(target.serial)
        try:
            await self.on_fault(target, exc)
        except Exception:
            log.exception("reporting the link fault of %s failed", target.serial)
