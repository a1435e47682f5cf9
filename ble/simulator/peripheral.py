"""A simulated device: a real BLE peripheral on bumble answering Modbus from its register map.

GATT layout (as on the real devices): the Nordic UART Service, whose RX characteristic (written by the
site box) accepts writes only on an encrypted link, and whose TX characteristic notifies the answers in
chunks of ATT_MTU − 3; fault-arc detectors add an arc-report characteristic (notify, encrypted read).
Pairing is LE Secure Connections, Just Works, with bonding.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bumble.controller import Controller
from bumble.core import AdvertisingData
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.pairing import PairingConfig, PairingDelegate
from bumble.transport.common import AsyncPipeSink
from pymodbus.pdu import ModbusPDU
from pymodbus.pdu.bit_message import WriteSingleCoilRequest
from pymodbus.pdu.register_message import ReadHoldingRegistersRequest

from ..profiles import Profile, ascii_words, encode, profiles
from ..protocol import modbus
from ..protocol.arc import ArcReport, encode_arc
from ..uuids import ANDIAN_SERVICE, NUS_RX, NUS_SERVICE, NUS_TX
from .physics import Physics, Story

__all__ = ["DeviceSpec", "SimDevice"]

log = logging.getLogger("andian.sim")

# Advertising interval: a connection completes on the target's next advertisement, so a short interval
# makes connects fast; advertising stops while connected, so it costs nothing in steady state.
ADVERTISING_INTERVAL_MS = 20.0


@dataclass(frozen=True)
class DeviceSpec:
    address: str  # static random address, e.g. "C0:AD:00:00:00:01"
    serial: str
    model: str
    story: Story = field(default_factory=Story)
    rated_a: float = 32.0
    firmware: str = "1.4.2"
    rssi: int = -60  # how strong the site box hears it (bumble's virtual controller reports −50 for all)

    @property
    def local_name(self) -> str:
        return f"{profiles()[self.model].local_name_prefix} {self.serial[-4:]}"


class SimDevice:
    """One virtual device on ``link``. ``clock`` drives its physics (the demo's wall clock, or a test's)."""

    def __init__(self, spec: DeviceSpec, link: LocalLink, clock: Callable[[], float]) -> None:
        self.spec = spec
        self.profile: Profile = profiles()[spec.model]
        self.clock = clock
        self.physics = Physics(spec.story, started=clock(), rated_a=spec.rated_a, seed=hash(spec.serial) & 0xFFFF)
        self.identified = 0  # times the identify coil was pulsed (blink and beep)
        self.forced_down_until = 0.0
        self._sequence = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._advertising = False
        controller = Controller(f"sim-{spec.serial}", link=link)
        self.device = Device(name=spec.local_name, address=Address(spec.address),
                             host=Host(controller, AsyncPipeSink(controller)))
        self.device.pairing_config_factory = lambda _c: PairingConfig(
            sc=True, mitm=False, bonding=True, delegate=PairingDelegate())
        self._readers: dict[int, modbus.FrameReader] = {}
        self._identity = self._identity_registers()  # fixed for the device's life
        self.tx: Characteristic[bytes] = Characteristic(
            NUS_TX, Characteristic.Properties.NOTIFY, Characteristic.Permissions.READABLE)
        self.rx: Characteristic[bytes] = Characteristic(
            NUS_RX, Characteristic.Properties.WRITE | Characteristic.Properties.WRITE_WITHOUT_RESPONSE,
            Characteristic.Permissions.WRITEABLE | Characteristic.Permissions.WRITE_REQUIRES_ENCRYPTION,
            CharacteristicValue[bytes](write=self._on_write))
        services = [Service(NUS_SERVICE, [self.rx, self.tx])]
        self.arc: Characteristic[bytes] | None = None
        if self.profile.arc_characteristic:
            self.arc = Characteristic(
                self.profile.arc_characteristic,
                Characteristic.Properties.READ | Characteristic.Properties.NOTIFY,
                Characteristic.Permissions.READABLE | Characteristic.Permissions.READ_REQUIRES_ENCRYPTION,
                CharacteristicValue(read=lambda _c: encode_arc(ArcReport(self._sequence, 0))))
            services.append(Service(ANDIAN_SERVICE, [self.arc]))
        self.device.add_services(services)
        self.device.on(self.device.EVENT_CONNECTION, self._on_connection)

    @property
    def address(self) -> str:
        return self.spec.address

    @property
    def connections(self) -> list[Connection]:
        return list(self.device.connections.values())

    async def start(self) -> None:
        await self.device.power_on()
        await self._advertise()
        self._loop_task = asyncio.create_task(self._run(), name=f"sim {self.spec.serial}")

    async def stop(self) -> None:
        # Not cancelled: a task cancelled inside an HCI command leaves bumble's host waiting for its reply.
        self._stopping.set()
        if self._loop_task:
            await self._loop_task
        for task in list(self._tasks):
            task.cancel()
        await self._go_down()

    async def _advertise(self) -> None:
        data = AdvertisingData([
            (AdvertisingData.FLAGS, bytes([AdvertisingData.LE_GENERAL_DISCOVERABLE_MODE_FLAG
                                           | AdvertisingData.BR_EDR_NOT_SUPPORTED_FLAG])),
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.spec.local_name.encode()),
        ])
        await self.device.start_advertising(
            advertising_data=bytes(data), auto_restart=True,
            advertising_interval_min=ADVERTISING_INTERVAL_MS, advertising_interval_max=ADVERTISING_INTERVAL_MS)
        self._advertising = True

    async def _go_down(self) -> None:
        """Out of range: drop every connection and stop advertising (also the auto-restart after a disconnect)."""
        for connection in self.connections:
            with contextlib.suppress(Exception):
                await connection.disconnect()
        await asyncio.sleep(0.05)  # the controller restarts advertising after a disconnection; stop that too
        self._advertising = False
        with contextlib.suppress(Exception):
            await self.device.stop_advertising()

    def drop_link(self, for_s: float) -> None:
        """Go out of range now, for ``for_s`` seconds (tests and benchmarks)."""
        self.forced_down_until = self.clock() + for_s
        self._spawn(self._go_down())

    def down(self, now: float) -> bool:
        return now < self.forced_down_until or self.physics.link_down(now)

    async def _run(self) -> None:
        """Once a second: radio up or down, and an arc report when the second had arcing."""
        while not self._stopping.is_set():
            now = self.clock()
            if self.down(now):
                if self._advertising or self.connections:
                    await self._go_down()
            elif not self._advertising and not self.connections:
                await self._advertise()
            half_cycles = self.physics.arc_half_cycles(now)
            if half_cycles and self.arc is not None:
                await self._notify_arc(ArcReport(self._sequence + 1, half_cycles))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 1.0)

    async def _notify_arc(self, report: ArcReport) -> None:
        assert self.arc is not None
        self._sequence = report.sequence
        for connection in self.connections:
            with contextlib.suppress(Exception):
                await self.device.notify_subscriber(connection, self.arc, encode_arc(report))

    def _on_connection(self, connection: Connection) -> None:
        self._readers[connection.handle] = modbus.FrameReader(server=True)
        self._advertising = False  # the controller stops advertising while connected
        connection.on(connection.EVENT_DISCONNECTION, lambda *_: self._readers.pop(connection.handle, None))

    async def _on_write(self, connection: Connection, value: bytes) -> None:
        reader = self._readers.setdefault(connection.handle, modbus.FrameReader(server=True))
        for request in reader.feed(bytes(value)):
            answer = self.answer(request)
            size = max(connection.att_mtu - 3, 20)
            for start in range(0, len(answer), size):
                await self.device.notify_subscriber(connection, self.tx, answer[start : start + size])

    # Modbus: what the device answers.

    def _identity_registers(self) -> dict[int, int]:
        table: dict[int, int] = {}
        identity = self.profile.identity
        assert identity is not None  # every Bluetooth model has one (profiles.load_profile checks)
        for block, text in ((identity.serial, self.spec.serial), (identity.firmware, self.spec.firmware)):
            table.update(zip(range(block.address, block.address + block.words), ascii_words(text, block.words),
                             strict=True))
        return table

    def registers(self, now: float) -> dict[int, int]:
        p = self.profile
        table = dict(self._identity)
        values = self.physics.values(now, [r.key for r in p.channels])
        for register in p.channels:
            table.update(zip(range(register.address, register.address + register.words),
                             encode(register, values[register.key]), strict=True))
        if p.switch is not None:
            table[p.switch.address] = int(self.physics.closed)
        return table

    def answer(self, request: ModbusPDU) -> bytes:
        unit = self.profile.unit_id
        if isinstance(request, ReadHoldingRegistersRequest):
            table = self.registers(self.clock())
            wanted = range(request.address, request.address + request.count)
            if any(a not in table for a in wanted):
                return modbus.exception_frame(unit, request.function_code, 2)  # illegal data address
            return modbus.read_response(unit, [table[a] for a in wanted])
        if isinstance(request, WriteSingleCoilRequest):
            action = next((a for a, address in self.profile.coils.items() if address == request.address), None)
            if action is None or not request.bits[0]:
                return modbus.exception_frame(unit, request.function_code, 2)
            self.act(action)
            return modbus.write_coil_response(unit, request.address, True)
        return modbus.exception_frame(unit, request.function_code, 1)  # illegal function

    def act(self, action: str) -> None:
        now = self.clock()
        log.info("simulated %s %s: %s", self.spec.model, self.spec.serial, action)
        if action == "trip":
            self.physics.closed = False
        elif action == "close":
            self.physics.closed = True
        elif action == "identify":
            self.identified += 1
        elif action == "self_test":
            self.physics.test_until = now + self.profile.self_test_s
            if self.arc is not None:
                self._spawn(self._notify_arc(ArcReport(self._sequence + 1, 20, test=True)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Background work with a kept reference (a bare task can be collected mid-flight)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
