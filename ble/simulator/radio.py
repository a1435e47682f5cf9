"""A virtual radio: one bumble LocalLink carrying the site box's central and every simulated device.

``SimRadio.backends()`` gives the bleak client and scanner backends that reach these devices, so the
link, poller and commissioning code run unchanged on top of them (bleak's ``backend=``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from bumble.controller import Controller
from bumble.device import Connection, Device
from bumble.hci import Address
from bumble.host import Host
from bumble.keys import MemoryKeyStore
from bumble.link import LocalLink
from bumble.pairing import PairingConfig, PairingDelegate
from bumble.transport.common import AsyncPipeSink

from .peripheral import DeviceSpec, SimDevice

__all__ = ["SimRadio"]

CENTRAL_ADDRESS = "C0:AD:FF:00:00:01"


class SimRadio:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        controller = Controller("site-box", link=self.link)
        self.central = Device(name="andian site box", address=Address(CENTRAL_ADDRESS),
                              host=Host(controller, AsyncPipeSink(controller)))
        self.central.keystore = MemoryKeyStore()  # bonds live as long as the process, like a fresh site box
        self.central.pairing_config_factory = lambda _c: PairingConfig(
            sc=True, mitm=False, bonding=True, delegate=PairingDelegate())
        self.devices: dict[str, SimDevice] = {}
        # The controller handles one pending LE connection at a time (bumble raises otherwise).
        self._connect_lock = asyncio.Lock()
        self.scan_lock = asyncio.Lock()  # one scan at a time on the central
        self._started = False

    async def start(self) -> None:
        if not self._started:
            await self.central.power_on()
            self._started = True

    async def add(self, spec: DeviceSpec) -> SimDevice:
        await self.start()
        device = SimDevice(spec, self.link, self.clock)
        await device.start()
        self.devices[spec.address.upper()] = device
        return device

    async def close(self) -> None:
        for device in self.devices.values():
            await device.stop()
        for connection in list(self.central.connections.values()):
            with contextlib.suppress(Exception):
                await connection.disconnect()
        # A disconnection restarts advertising (auto-restart); let those HCI commands finish before the loop
        # closes, or their late replies land on futures that no longer exist.
        await asyncio.sleep(0.1)
        for device in self.devices.values():
            with contextlib.suppress(Exception):
                await device.device.stop_advertising()

    def device(self, address: str) -> SimDevice:
        return self.devices[address.upper()]

    async def connect(self, address: str, wait_s: float) -> Connection:
        """Connect the central to ``address``; a device out of range times out."""
        async with self._connect_lock:
            try:
                # bumble's own timeout can leave the controller's pending connection behind; use ours.
                return await asyncio.wait_for(self.central.connect(address, timeout=None), wait_s)
            except (TimeoutError, asyncio.CancelledError):
                with contextlib.suppress(Exception):
                    await self.central.cancel_connection()  # type: ignore[no-untyped-call]
                raise

    def backends(self) -> tuple[type, type]:
        """(client backend, scanner backend) classes bound to this radio."""
        from .backend import BumbleClient, BumbleScanner

        client = type("SimClient", (BumbleClient,), {"radio": self})
        scanner = type("SimScanner", (BumbleScanner,), {"radio": self})
        return client, scanner
