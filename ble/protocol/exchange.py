"""Modbus request → response over a link that only moves bytes.

The link (``ble.link.DeviceLink``) writes bytes to the device's UART and hands over the bytes it notifies;
``ModbusExchange`` sends one request frame while holding the link alone, feeds the notified chunks to
pymodbus' framer (``FrameReader``) and waits for one whole response PDU. A response may arrive split across
several notifications (each at most ATT_MTU − 3 bytes). Timeouts are never retried here: the caller decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from pymodbus.pdu import ModbusPDU

from ..errors import LinkLost, LinkTimeout
from .modbus import FrameReader

__all__ = ["REQUEST_TIMEOUT_S", "ModbusExchange", "Uart"]

# A Modbus answer over BLE takes one or two connection intervals (7.5–50 ms each); 2 s means the device is
# gone or busy, and asking again at once would only queue behind the lost request.
REQUEST_TIMEOUT_S = 2.0


class Uart(Protocol):
    """What the exchange needs of a link: exclusive use of the UART, and writing bytes to it."""

    @property
    def address(self) -> str: ...

    def exclusive(self, on_data: Callable[[bytes], None],
                  on_lost: Callable[[], None]) -> AbstractAsyncContextManager[None]: ...

    async def write(self, data: bytes) -> None: ...


class ModbusExchange:
    """One Modbus request at a time over ``link``, answered by one whole response PDU."""

    def __init__(self, link: Uart, *, wait_s: float = REQUEST_TIMEOUT_S) -> None:
        self.link = link
        self.wait_s = wait_s

    async def request(self, frame: bytes, wait_s: float | None = None) -> ModbusPDU:
        """Send one Modbus frame and wait for the whole answer (typed ``ble.errors`` on failure)."""
        address = self.link.address
        reader = FrameReader()
        answer: asyncio.Future[ModbusPDU] = asyncio.get_running_loop().create_future()

        def on_data(chunk: bytes) -> None:
            for pdu in reader.feed(chunk):
                if not answer.done():
                    answer.set_result(pdu)

        def on_lost() -> None:
            if not answer.done():
                answer.set_exception(LinkLost(f"{address}: disconnected while waiting for an answer"))

        try:
            async with self.link.exclusive(on_data, on_lost):
                await self.link.write(frame)
                try:
                    return await asyncio.wait_for(answer, self.wait_s if wait_s is None else wait_s)
                except TimeoutError as exc:
                    raise LinkTimeout(f"{address}: no answer while waiting for the device's answer") from exc
        finally:
            if not answer.done():
                answer.cancel()
            elif not answer.cancelled():
                answer.exception()  # a drop while the write failed is reported by the write: mark this one seen
