"""One connection owner per device, over bleak. The only module that imports bleak (besides the simulator's
bleak backend, which *is* one).

``DeviceLink`` only moves bytes: it connects through bleak-retry-connector, pairs or re-encrypts with the
bond, finds the UART characteristics by their properties, writes bytes to the UART (split at the MTU the
backend negotiated) and hands the bytes the device notifies to whoever holds the link (``exclusive``, one
operation at a time), and reads and subscribes to other characteristics. What the bytes mean (Modbus framing,
waiting for an answer) is the protocol layer's (``ble.protocol.exchange``). It disconnects after ``idle_s``
without use. Failures are typed (``ble.errors``) with advice; nothing is retried here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bleak_retry_connector import BleakNotFoundError, establish_connection

from .errors import (
    DeviceNotFound,
    EncryptionRequired,
    LinkError,
    LinkLost,
    LinkTimeout,
    NoReply,
    PairingFailed,
)
from .uuids import NUS_SERVICE

__all__ = ["BACKOFF_S", "Advertisement", "Backends", "DeviceLink", "discover"]

log = logging.getLogger("andian.ble")

# Finding a device that advertises every 100 ms–1 s takes well under this; longer means out of range.
FIND_TIMEOUT_S = 5.0
# Disconnect after this long unused: frees the device for an installer's phone and saves its battery.
IDLE_DISCONNECT_S = 120.0
# Reconnect waits after consecutive failures: quick at first (a blip), then slower so that a device that is
# really gone does not keep the radio busy. The last entry repeats.
BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
# ATT errors that mean "encrypt the link first" (Bluetooth Core 5.4 Vol 3 Part F §3.4.1.1).
_ATT_INSUFFICIENT = {0x05, 0x0F}  # insufficient authentication, insufficient encryption


@dataclass(frozen=True)
class Backends:
    """bleak backends to use: None means the platform's own (BlueZ on a site box)."""

    client: type[Any] | None = None
    scanner: type[Any] | None = None

    def client_kwargs(self) -> dict[str, Any]:
        return {"backend": self.client} if self.client else {}

    def scanner_kwargs(self) -> dict[str, Any]:
        return {"backend": self.scanner} if self.scanner else {}


@dataclass(frozen=True)
class Advertisement:
    address: str
    name: str
    rssi: int


_seen: dict[str, BLEDevice] = {}


async def discover(backends: Backends, seconds: float) -> list[Advertisement]:
    """Listen for ``seconds``; every device heard, strongest first."""
    found = await BleakScanner.discover(timeout=seconds, return_adv=True, **backends.scanner_kwargs())
    out = []
    for device, adv in found.values():
        _seen[device.address.upper()] = device
        out.append(Advertisement(device.address.upper(), adv.local_name or device.name or "", adv.rssi))
    return sorted(out, key=lambda a: -a.rssi)


def _translate(exc: BaseException, address: str, doing: str) -> LinkError:
    if isinstance(exc, LinkError):
        return exc
    if isinstance(exc, TimeoutError):
        return LinkTimeout(f"{address}: no answer while {doing}")
    if isinstance(exc, BleakNotFoundError | BleakDeviceNotFoundError):
        return DeviceNotFound(f"{address}: not found while {doing}")
    if isinstance(exc, BleakGATTProtocolError) and int(exc.args[0]) in _ATT_INSUFFICIENT:
        return EncryptionRequired(f"{address}: the device requires an encrypted link for {doing}")
    if isinstance(exc, BleakError) and "pair" in str(exc).lower():
        return PairingFailed(f"{address}: pairing failed ({exc})")
    if isinstance(exc, BleakError) and "not connected" in str(exc).lower():
        return LinkLost(f"{address}: disconnected while {doing}")
    return LinkError(f"{address}: {doing} failed: {exc}")


def _forward(callback: Callable[[bytes], None]) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
    def on_notify(_char: BleakGATTCharacteristic, data: bytearray) -> None:
        callback(bytes(data))

    return on_notify


class DeviceLink:
    """The one owner of a device's connection. Safe to share between tasks."""

    def __init__(self, address: str, backends: Backends, *, pair: bool = True, idle_s: float = IDLE_DISCONNECT_S,
                 on_disconnect: Callable[[DeviceLink], None] | None = None) -> None:
        self.address = address.upper()
        self.backends = backends
        self.pair_on_connect = pair
        self.idle_s = idle_s
        self.on_disconnect = on_disconnect
        self._client: BleakClient | None = None
        self._rx: BleakGATTCharacteristic | None = None
        # Who holds the link (``exclusive``): notified UART bytes, and the link dropping while held.
        self._listener: tuple[Callable[[bytes], None], Callable[[], None]] | None = None
        self._connect_lock = asyncio.Lock()
        self._op_lock = asyncio.Lock()
        self._idle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # references to background work (idle disconnects)
        self._subscriptions: dict[str, Callable[[bytes], None]] = {}

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    @property
    def mtu(self) -> int:
        return self._client.mtu_size if self._client is not None else 23

    async def connect(self) -> None:
        await self._ensure_connected()

    async def _find(self) -> BLEDevice:
        device = _seen.get(self.address)
        if device is None:
            device = await BleakScanner.find_device_by_address(self.address, timeout=FIND_TIMEOUT_S,
                                                               **self.backends.scanner_kwargs())
        if device is None:
            raise DeviceNotFound(f"{self.address}: not heard within {FIND_TIMEOUT_S:.0f} s")
        _seen[self.address] = device
        return device

    async def _ensure_connected(self) -> BleakClient:
        async with self._connect_lock:
            if self._client is not None and self._client.is_connected:
                return self._client
            try:
                device = await self._find()
                client = await establish_connection(
                    BleakClient, device, self.address, disconnected_callback=self._disconnected,
                    max_attempts=2, pair=self.pair_on_connect, **self.backends.client_kwargs())
            except Exception as exc:
                _seen.pop(self.address, None)  # look again next time: it may have moved
                raise _translate(exc, self.address, "connecting") from exc
            try:
                await self._attach(client)
            except Exception as exc:
                with contextlib.suppress(Exception):
                    await client.disconnect()
                raise _translate(exc, self.address, "setting up the connection") from exc
            self._client = client
            self._touch()
            log.info("%s: connected, MTU %d", self.address, client.mtu_size)
            return client

    async def _attach(self, client: BleakClient) -> None:
        """Find the UART's write and notify characteristics by their properties, and subscribe."""
        service = client.services.get_service(NUS_SERVICE)
        if service is None:
            raise NoReply(f"{self.address}: no UART service; this is not a supported device")
        rx = next((c for c in service.characteristics
                   if {"write", "write-without-response"} & set(c.properties)), None)
        tx = next((c for c in service.characteristics if {"notify", "indicate"} & set(c.properties)), None)
        if rx is None or tx is None:
            raise NoReply(f"{self.address}: the UART service lacks a write or notify characteristic")
        self._rx = rx
        await client.start_notify(tx, self._on_uart)
        for uuid, callback in self._subscriptions.items():
            await client.start_notify(uuid, _forward(callback))

    def _on_uart(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        if self._listener is not None:  # bytes nobody waits for (a late answer) are dropped
            self._listener[0](bytes(data))

    def _disconnected(self, client: BleakClient) -> None:
        if client is not self._client:
            return  # our own disconnect, or a client we already gave up
        self._client = None
        _seen.pop(self.address, None)  # it may be out of range now: look for it again before connecting
        if self._listener is not None:
            self._listener[1]()
        if self.on_disconnect is not None:
            self.on_disconnect(self)

    def _touch(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(self.idle_s, self._idle_disconnect)

    def _idle_disconnect(self) -> None:
        task = asyncio.get_running_loop().create_task(self.disconnect())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def subscribe(self, uuid: str, callback: Callable[[bytes], None]) -> None:
        """Notifications of ``uuid``, kept across reconnects."""
        self._subscriptions[uuid] = callback
        client = await self._ensure_connected()
        try:
            await client.start_notify(uuid, _forward(callback))
        except Exception as exc:
            raise _translate(exc, self.address, f"subscribing to {uuid}") from exc

    async def read(self, uuid: str) -> bytes:
        client = await self._ensure_connected()
        async with self._op_lock:
            try:
                return bytes(await client.read_gatt_char(uuid))
            except Exception as exc:
                raise _translate(exc, self.address, f"reading {uuid}") from exc
            finally:
                self._touch()

    @contextlib.asynccontextmanager
    async def exclusive(self, on_data: Callable[[bytes], None], on_lost: Callable[[], None]) -> AsyncIterator[None]:
        """Hold the connected link for one operation (a request and its answer): other operations wait, the bytes
        the UART notifies go to ``on_data`` and a drop calls ``on_lost`` until the block ends."""
        await self._ensure_connected()
        async with self._op_lock:
            self._listener = (on_data, on_lost)
            try:
                yield
            finally:
                self._listener = None
                self._touch()

    async def write(self, data: bytes) -> None:
        """Write ``data`` to the UART, in pieces of at most MTU − 3 bytes. Inside ``exclusive`` when an answer
        is expected."""
        client = await self._ensure_connected()
        assert self._rx is not None
        rx = self._rx
        try:
            with_response = "write" in rx.properties  # errors such as "encrypt first" come back
            size = max(client.mtu_size - 3, 20)
            for start in range(0, len(data), size):
                await client.write_gatt_char(rx, data[start : start + size], response=with_response)
        except Exception as exc:
            raise _translate(exc, self.address, "sending a request") from exc
        finally:
            self._touch()

    async def pair(self) -> None:
        client = await self._ensure_connected()
        try:
            await client.pair()
        except Exception as exc:
            raise PairingFailed(f"{self.address}: {exc}") from exc

    async def disconnect(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()
