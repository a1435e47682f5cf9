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

import msgspec
from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerType
from pymodbus.pdu import ExceptionResponse

from .device import Reading
from .errors import DeviceRefused, LinkLost, LinkTimeout, NoReply
from .links import ModbusLink, SerialLine
from .profiles import Profile, profiles, read_plan, read_registers

# What an installer checks when a wired device or bus fails (the radio's advice does not apply on a cable).
SILENT_UNIT = "check the unit's address, baud rate and parity, its A/B wiring and its power"
LOST_BUS = "check the USB-RS485 adapter, or the serial server, its power and its cable"
REFUSED = "check that the chosen model matches the device"

__all__ = ["SCAN_TIMEOUT_S", "Bus", "Buses", "Identified", "WiredDevice", "identify"]

log = logging.getLogger("andian.bus")

# One request and its answer: a register block at 9600 baud takes ~30 ms on the wire; devices answer within
# 100–300 ms. Longer than this and the unit is not there (miswired, wrong address, unpowered).
TIMEOUT_S = 1.0
# A Modbus TCP gateway's own exceptions for "the unit behind me did not answer" (path unavailable, no response):
# silence of the unit, not a refusal. Any other exception is the device's answer.
_GATEWAY_NO_ANSWER = (0x0A, 0x0B)
# A bus scan's wait for each unit: devices answer within 100–300 ms (above), so a unit silent this long is taken for
# absent, and a scan of all 247 addresses costs at most ~75 s of silence.
SCAN_TIMEOUT_S = 0.3


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
            raise LinkLost(f"bus {self.name} cannot be opened", advice=LOST_BUS)

    async def _call(self, unit: int, timeout_s: float | None, call: Any, *args: Any, **kwargs: Any) -> Any:
        """One request and its answer, holding the bus; ``timeout_s`` shortens the bus's own for this request (a
        bus scan: a silent unit costs only that)."""
        async with self._lock:  # one request on the bus at a time; never held across anything but this one
            await self._connected()
            try:
                async with asyncio.timeout(timeout_s if timeout_s is not None and timeout_s < self.timeout_s else None):
                    return await call(*args, device_id=unit, **kwargs)
            except TimeoutError as exc:
                raise LinkTimeout(f"unit {unit} on {self.name} did not answer within {timeout_s or self.timeout_s:g} s",
                                  advice=SILENT_UNIT) from exc
            except ModbusException as exc:
                if not self._client.connected:
                    raise LinkLost(f"bus {self.name} was lost: {exc}", advice=LOST_BUS) from exc
                raise LinkTimeout(f"unit {unit} on {self.name} did not answer within {self.timeout_s:g} s",
                                  advice=SILENT_UNIT) from exc

    def _refused(self, unit: int, answer: Any, what: str) -> None:
        if isinstance(answer, ExceptionResponse) or answer.isError():
            code = getattr(answer, "exception_code", 0)
            if code in _GATEWAY_NO_ANSWER:
                raise LinkTimeout(f"unit {unit} behind {self.name} did not answer the gateway", advice=SILENT_UNIT)
            raise DeviceRefused(f"unit {unit} on {self.name} refused {what} (code {code})", advice=REFUSED)

    async def read(self, unit: int, function: int, address: int, count: int,
                   timeout_s: float | None = None) -> list[int]:
        """``count`` registers from ``address`` of ``unit`` (function 3: holding, 4: input)."""
        call = self._client.read_holding_registers if function == 3 else self._client.read_input_registers
        answer = await self._call(unit, timeout_s, call, address, count=count)
        self._refused(unit, answer, f"reading {address:#06x}+{count}")
        registers: list[int] = answer.registers
        if len(registers) != count:
            raise NoReply(f"unit {unit} on {self.name} answered {len(registers)} registers, expected {count}",
                          advice=REFUSED)
        return registers

    async def write_register(self, unit: int, address: int, value: int) -> None:
        """Write one holding register (function 06); the device echoes the write."""
        answer = await self._call(unit, None, self._client.write_register, address, value)
        self._refused(unit, answer, f"writing {value} to {address:#06x}")
        if list(answer.registers) != [value]:
            raise NoReply(f"unit {unit} on {self.name} echoed {answer.registers} for writing {value} to {address:#06x}",
                          advice=REFUSED)

    def close(self) -> None:
        self._client.close()


class Buses:
    """Exactly one ``Bus`` per serial port or TCP socket, shared by every device on it."""

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._buses: dict[str, Bus] = {}

    def get(self, link: ModbusLink, profile: Profile | None = None) -> Bus:
        bus = self._buses.get(link.bus)
        if bus is None:
            # The link's line settings where it gives them, else the model's defaults (9600 8N1 for a scan, which
            # has no model yet); the first device of a bus opens it, and every device of one bus must agree anyway.
            given = link.line or SerialLine()
            default = profile.line if profile is not None else SerialLine()
            line = msgspec.structs.replace(default, **{f: getattr(given, f) for f in link.given})
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


class Identified(msgspec.Struct, frozen=True):
    unit: int
    model: str | None  # the guess; None: the installer picks among the candidates
    candidates: list[str]  # wired models whose registers the unit answered, by name


async def identify(bus: Bus, unit: int, timeout_s: float = SCAN_TIMEOUT_S) -> Identified | None:
    """What answers as ``unit`` on ``bus``: None when nothing does (its first request timed out: a silent unit costs
    one ``timeout_s``); else every wired model whose reads the unit answers, and the guess — the one whose
    ``[probe]`` matches, else the only one left once models whose probe reads otherwise are set aside.
    ``LinkLost`` (the bus itself failed) goes to the caller."""
    heard = False
    candidates: list[str] = []
    matched: list[str] = []
    refuted: set[str] = set()  # read fine, but its identity register says it is another model
    for profile in sorted((p for p in profiles().values() if p.protocol == "modbus"), key=lambda p: p.model):
        try:
            for block in read_plan(profile):
                await bus.read(unit, profile.read_function, block.address, block.words, timeout_s)
                heard = True
            if profile.probe is not None:
                [word] = await bus.read(unit, profile.read_function, profile.probe.address, 1, timeout_s)
                if profile.probe.matches(word):
                    matched.append(profile.model)
                else:
                    refuted.add(profile.model)
        except LinkTimeout:
            if not heard:
                return None
            continue
        except (DeviceRefused, NoReply):  # it is there, and is not this model
            heard = True
            continue
        candidates.append(profile.model)
    plausible = [m for m in candidates if m not in refuted]
    guess = matched[0] if len(matched) == 1 else plausible[0] if len(plausible) == 1 and not matched else None
    return Identified(unit, guess, candidates)
