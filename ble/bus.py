"""Wired devices: one owner per bus (an RS-485 serial port, or one TCP socket), and the devices on it.

RS-485 is half-duplex: the devices of one bus take turns, one request and its answer at a time, through the
bus's lock. pymodbus frames every request and checks every CRC (its async serial and TCP clients); nothing here
touches bytes. A device that does not answer costs its own ``timeout_s`` once (pymodbus' retries are off: a unit
that is silent now will be silent on the retry too, and its turn is the other devices' waiting time), then the
poller's backoff spaces its next tries. A bus that cannot be opened (the USB adapter unplugged, the serial server
unreachable) fails every device on it with ``LinkLost`` until it opens again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerType
from pymodbus.pdu import ExceptionResponse

from .device import Reading
from .errors import DeviceRefused, LinkLost, LinkTimeout, NoReply
from .links import ModbusLink, SerialLine
from .profiles import Profile, read_plan, read_registers

__all__ = ["Bus", "Buses", "WiredDevice"]

log = logging.getLogger("andian.bus")

# One request and its answer: a register block at 9600 baud takes ~30 ms on the wire; devices answer within
# 100–300 ms. Longer than this and the unit is not there (miswired, wrong address, unpowered).
TIMEOUT_S = 1.0
# A Modbus TCP gateway's own exceptions for "the unit behind me did not answer" (path unavailable, no response):
# silence of the unit, not a refusal. Any other exception is the device's answer.
_GATEWAY_NO_ANSWER = (0x0A, 0x0B)


class Bus:
    """One serial port or one TCP connection, used by one request at a time."""

    def __init__(self, link: ModbusLink, line: SerialLine, timeout_s: float = TIMEOUT_S) -> None:
        self.name = link.bus
        self.timeout_s = timeout_s
        self._lock = asyncio.Lock()
        self._client: Any
        if link.scheme == "modbus-rtu":
            self._client = AsyncModbusSerialClient(link.where, framer=FramerType.RTU, baudrate=line.baud,
                                                   parity=line.parity, stopbits=line.stop, timeout=timeout_s,
                                                   retries=0, reconnect_delay=0)
        else:
            framer = FramerType.SOCKET if link.scheme == "modbus-tcp" else FramerType.RTU
            self._client = AsyncModbusTcpClient(link.where, port=link.port or 502, framer=framer, timeout=timeout_s,
                                                retries=0, reconnect_delay=0)

    async def _connected(self) -> None:
        if self._client.connected:
            return
        try:
            async with asyncio.timeout(self.timeout_s * 3):
                ok = await self._client.connect()
        except (TimeoutError, OSError) as exc:
            ok = False
            log.debug("bus %s: %s", self.name, exc)
        if not ok:
            raise LinkLost(f"bus {self.name} cannot be opened: check the adapter or the serial server and its cable")

    async def read(self, unit: int, function: int, address: int, count: int) -> list[int]:
        """``count`` registers from ``address`` of ``unit`` (function 3: holding, 4: input)."""
        async with self._lock:  # one request on the bus at a time; never held across anything but this one
            await self._connected()
            call = self._client.read_holding_registers if function == 3 else self._client.read_input_registers
            try:
                answer = await call(address, count=count, device_id=unit)
            except ModbusException as exc:
                if not self._client.connected:
                    raise LinkLost(f"bus {self.name} was lost: {exc}") from exc
                raise LinkTimeout(f"unit {unit} on {self.name} did not answer within {self.timeout_s:g} s: check "
                                  "its address, its A/B wiring and its power") from exc
        if isinstance(answer, ExceptionResponse) or answer.isError():
            code = getattr(answer, "exception_code", 0)
            if code in _GATEWAY_NO_ANSWER:
                raise LinkTimeout(f"unit {unit} behind {self.name} did not answer the gateway")
            raise DeviceRefused(f"unit {unit} on {self.name} refused reading {address:#06x}+{count} (code {code}): "
                                "is it the model you chose?")
        registers: list[int] = answer.registers
        if len(registers) != count:
            raise NoReply(f"unit {unit} on {self.name} answered {len(registers)} registers, expected {count}")
        return registers

    def close(self) -> None:
        self._client.close()


class Buses:
    """Exactly one ``Bus`` per serial port or TCP socket, shared by every device on it."""

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._buses: dict[str, Bus] = {}

    def get(self, link: ModbusLink, profile: Profile) -> Bus:
        bus = self._buses.get(link.bus)
        if bus is None:
            # The link's line settings where it gives them, else the model's defaults; the first device of a bus
            # opens it, and every device of one bus must agree on them anyway.
            given = link.line or SerialLine()
            line = SerialLine(baud=given.baud if "baud" in link.given else profile.line.baud,
                              parity=given.parity if "parity" in link.given else profile.line.parity,
                              stop=given.stop if "stop" in link.given else profile.line.stop)
            bus = self._buses[link.bus] = Bus(link, line, self.timeout_s)
        return bus

    def close(self) -> None:
        for bus in self._buses.values():
            bus.close()
        self._buses.clear()


class WiredDevice:
    """A device on a bus: reads its register map (``profiles``) and decodes it."""

    def __init__(self, bus: Bus, unit: int, profile: Profile) -> None:
        self.bus = bus
        self.unit = unit
        self.profile = profile

    async def read(self) -> Reading:
        blocks = []
        for block in read_plan(self.profile):
            words = await self.bus.read(self.unit, self.profile.read_function, block.address, block.words)
            blocks.append((block, words))
        decoded = read_registers(self.profile, blocks)
        return Reading(decoded.values, decoded.switch, decoded.faults)
