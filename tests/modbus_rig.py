"""Peer Modbus devices for the wired tests: pymodbus's own server (not andian's code) holding registers as a
device model's map says, over TCP (Modbus TCP or RTU frames) or on one end of a socat pty pair (RS-485 RTU).

A silent unit (miswired, unpowered, wrong address) is made by dropping the server's answers to it: a real bus
gives no answer at all in that case, while pymodbus's server answers unknown units with exception 4."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from ble.profiles import profiles, register_table

from .receivers import free_port


@dataclass
class Unit:
    """A device on the peer bus: its model's registers with these channel values (raw words in ``raw``)."""

    unit: int
    model: str
    values: dict[str, float] = field(default_factory=dict)
    raw: dict[int, int] = field(default_factory=dict)  # register → word, e.g. a sentinel or a status word

    def device(self) -> SimDevice:
        table = register_table(profiles()[self.model], self.values, self.raw)
        return SimDevice(self.unit, [SimData(0, values=table, datatype=DataType.REGISTERS)])


@dataclass
class PeerBus:
    units: list[Unit]
    silent: set[int] = field(default_factory=set)
    server: ModbusTcpServer | ModbusSerialServer | None = None
    task: asyncio.Task[None] | None = None

    def _drop(self, framer: FramerType) -> object:
        at = 6 if framer == FramerType.SOCKET else 0  # the unit id: in the MBAP header, or the RTU frame's first byte

        def trace(sending: bool, packet: bytes) -> bytes:
            return b"" if sending and len(packet) > at and packet[at] in self.silent else packet

        return trace

    async def serve_tcp(self, port: int, framer: FramerType) -> None:
        self.server = ModbusTcpServer([u.device() for u in self.units], framer=framer, address=("127.0.0.1", port),
                                      trace_packet=self._drop(framer))  # type: ignore[arg-type]
        await self._start()

    async def serve_serial(self, port: str, baud: int) -> None:
        self.server = ModbusSerialServer([u.device() for u in self.units], framer=FramerType.RTU, port=port,
                                         baudrate=baud, trace_packet=self._drop(FramerType.RTU))  # type: ignore[arg-type]
        await self._start()

    async def _start(self) -> None:
        assert self.server is not None
        self.task = asyncio.create_task(self.server.serve_forever())
        await asyncio.sleep(0.2)  # the listener is up (serve_forever opens it first thing)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.shutdown()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        self.server = self.task = None


@contextlib.asynccontextmanager
async def tcp_bus(units: list[Unit], framer: FramerType = FramerType.SOCKET, *,
                  silent: set[int] | None = None) -> AsyncIterator[tuple[PeerBus, int]]:
    bus = PeerBus(units, silent or set())
    port = free_port()
    await bus.serve_tcp(port, framer)
    try:
        yield bus, port
    finally:
        await bus.stop()


@contextlib.contextmanager
def pty_pair(tmp: Path) -> Iterator[tuple[str, str]]:
    """Two serial ports wired to each other (Debian's socat), as an RS-485 adapter and a device's port are."""
    socat = shutil.which("socat")
    assert socat, "socat is installed by `make test` (Makefile: the Debian packages)"
    a, b = tmp / "ttyA", tmp / "ttyB"
    proc = subprocess.Popen([socat, "-d", "-d", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (a.exists() and b.exists()):
            assert time.monotonic() < deadline, "socat made no pty pair"
            time.sleep(0.02)
        yield os.fspath(a), os.fspath(b)
    finally:
        proc.terminate()
        proc.wait(5)


@contextlib.contextmanager
def peer(box: TestClient[Any], units: list[Unit], silent: set[int] | None = None,
         framer: FramerType = FramerType.SOCKET) -> Iterator[int]:
    """pymodbus's server on a free port, in the app's event loop; yields the port."""
    bus = PeerBus(units, silent or set())
    port = free_port()
    box.blocking_portal.call(bus.serve_tcp, port, framer)
    try:
        yield port
    finally:
        box.blocking_portal.call(bus.stop)
