"""A device as the site box sees it: a link plus its profile. Reads channel values, runs commands.

Bytes are decoded by the profile and protocol modules and moved by the link; Modbus requests and their answers
go through the protocol layer's ``ModbusExchange``. This module only sequences requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec
from pymodbus.pdu import ModbusPDU

from .errors import DeviceRefused, NoReply, Unsupported
from .link import DeviceLink
from .profiles import Profile, Reason, read_plan, read_registers, text_of
from .protocol import modbus
from .protocol.arc import ArcReport, parse_arc
from .protocol.exchange import ModbusExchange

__all__ = ["ArcCallback", "Identity", "ModbusDevice", "Reading"]

ArcCallback = Callable[[ArcReport], None]
T = TypeVar("T")


class Identity(msgspec.Struct, frozen=True):
    serial: str
    model: str
    firmware: str


class Reading(msgspec.Struct, frozen=True):
    values: dict[str, float]
    switch: str | None  # "closed" / "open" for breakers
    faults: dict[str, Reason] = {}  # channel key → sensor fault (a sentinel value or a status word), no value


class ModbusDevice:
    def __init__(self, link: DeviceLink, profile: Profile) -> None:
        self.link = link
        self.profile = profile
        self.exchange = ModbusExchange(link)

    async def _ask(self, frame: bytes, check: Callable[[ModbusPDU], T]) -> T:
        """Send one request; a Modbus exception or a malformed answer becomes a typed link error."""
        pdu = await self.exchange.request(frame)
        try:
            return check(pdu)
        except modbus.ModbusError as exc:
            raise DeviceRefused(f"{self.link.address}: {exc}") from exc
        except ValueError as exc:
            raise NoReply(f"{self.link.address}: {exc}") from exc

    async def _registers(self, address: int, count: int) -> list[int]:
        unit = self.profile.unit_id
        return await self._ask(modbus.read_holding(unit, address, count),
                               lambda pdu: modbus.registers_of(pdu, unit, count))

    async def identity(self) -> Identity:
        ident = self.profile.identity
        if ident is None:
            raise Unsupported(f"{self.profile.model} keeps no serial number in its registers; type it in")
        serial = text_of(await self._registers(ident.serial.address, ident.serial.words))
        firmware = text_of(await self._registers(ident.firmware.address, ident.firmware.words))
        if not serial:
            raise NoReply(f"{self.link.address}: the device reports no serial number")
        return Identity(serial, self.profile.model, firmware)

    async def read(self) -> Reading:
        blocks = []
        for block in read_plan(self.profile):
            blocks.append((block, await self._registers(block.address, block.words)))
        decoded = read_registers(self.profile, blocks)
        return Reading(decoded.values, decoded.switch, decoded.faults)

    async def command(self, action: str) -> None:
        """Pulse the coil of ``action`` (trip, close, self_test, identify); the device echoes it."""
        address = self.profile.coils.get(action)  # type: ignore[call-overload]
        if address is None:
            raise Unsupported(f"{self.profile.model} has no {action} function")
        unit = self.profile.unit_id
        await self._ask(modbus.write_coil(unit, address, True), lambda pdu: modbus.coil_written(pdu, unit, address))

    async def subscribe_arcs(self, callback: ArcCallback) -> None:
        """Arc reports as they come (fault-arc detectors); a malformed one is skipped."""
        uuid = self.profile.arc_characteristic
        if uuid is None:
            raise Unsupported(f"{self.profile.model} does not report arcs")

        def on_data(data: bytes) -> None:
            try:
                report = parse_arc(data)
            except ValueError:
                return
            callback(report)

        await self.link.subscribe(uuid, on_data)
