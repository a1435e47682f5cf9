"""The demo's GB/T 26875.3 user information transmission device (用户信息传输装置) in the care home's fire control
room: a TCP client of the demo's own receiver (``ANDIAN_GB26875_LISTEN``), every byte made and read through the
``gb26875`` codec.

Its two parts are a residual-current detector (part type 17, residual current as user-defined analogue type 128 in
mA, which the gateway's mapping reads as ``residual_ma``) and a temperature detector (part type 18, standard
analogue type 3 in 0.1 °C). Every ANALOGUE_S their values, every STATE_S the box's own running state (type 21), and
every ALARM_EVERY_S the residual-current detector's fire alarm (part state bit 1) for ALARM_FOR_S, then normal
again. It confirms the centre's clock sync (90) and initialisation (89), and answers a 查岗 (91) ANSWER_AFTER_S
after confirming it, as the person on duty would. It reconnects with backoff while the demo runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import gb26875
from gb26875 import (
    CONFIRM,
    CONTROL,
    DENY,
    REQUEST,
    RESPONSE,
    SEND,
    DeviceState,
    DutyCheck,
    Frame,
    PartAnalogue,
    PartState,
    Splitter,
    TimeLabel,
    Unit,
)
from server.accounts.principal import Principal
from server.devices import service as devices_service
from server.devices.schemas import GatewayCreate
from server.gb26875.mapping import MappingRow, check_mapping
from server.sites import service as sites_service
from server.storage import Connection
from server.storage import devices as device_sql
from server.storage import gb26875_receive as gb_sql
from server.storage import users as user_sql

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["BOX_ADDRESS", "BOX_NAME", "BOX_SITE", "DemoBox", "register_box"]

log = logging.getLogger("andian.demo")

BOX_ADDRESS = "073700000001"  # 0737: 益阳's telephone area code, so the address reads as the demo city's
BOX_NAME = "消控室用户信息传输装置"
BOX_SITE = "康乐养老院"  # an elderly-care home is a key fire-safety unit with a fire control room (消控室)
CENTRE = bytes(6)  # the destination address a box writes for the one centre it connects to

# The demo's pace, faster than a real box (minutes) so the page moves while someone watches it.
ANALOGUE_S = 10.0
STATE_S = 60.0
FIRST_ALARM_S = 90.0  # the residual-current detector's first fire alarm, after the demo started
ALARM_EVERY_S = 300.0
ALARM_FOR_S = 60.0
ANSWER_AFTER_S = 3.0  # the person on duty presses the box's 查岗 button
TICK_S = 1.0
RETRY_S, RETRY_CAP_S = 1.0, 30.0  # reconnect backoff: doubling, capped (the demo runs until stopped)

# (part type, part address, description): GB/T 26875.3-2011 表 3 part types 17 and 18.
RESIDUAL = (17, 1, "一层配电箱剩余电流探测器")
TEMPERATURE = (18, 2, "一层配电箱测温探测器")
RESIDUAL_TYPE = 128  # user-defined analogue type (128–255): residual current in mA, no standard type for it
TEMPERATURE_TYPE = 3  # 表 4: temperature, 0.1 °C
NORMAL, FIRE = 0x0001, 0x0003  # part status bits: bit 0 normal operation, bit 1 火警
MAPPING = [MappingRow(analogue_type=RESIDUAL_TYPE, channel="residual_ma", scale=1.0)]


async def register_box(ctx: Context) -> int | None:
    """The demo's transmission device as a gateway of the care home, with its analogue mapping, unless it is there
    already (also in a demo database made before it existed). Answers the gateway's id (None: no demo city)."""

    def find(conn: Connection) -> tuple[int | None, dict[str, Any] | None]:
        return device_sql.gb26875_address_taken(conn, BOX_ADDRESS), user_sql.get_user_by_username(conn, "operator")

    taken, operator = await ctx.db.read(find)
    if taken is not None:
        return int(taken)
    if operator is None:
        return None
    principal = Principal(kind="user", id=int(operator["id"]), role="operator", company_id=operator["company_id"])
    site = next((s for s in await sites_service.list_sites(ctx, principal) if s.name == BOX_SITE), None)
    if site is None:
        return None
    gateway = await devices_service.create_gateway(ctx, principal, site.id, GatewayCreate(
        name=BOX_NAME, protocol="gb26875", address=BOX_ADDRESS))
    rows = check_mapping(MAPPING)
    await ctx.db.write(lambda conn: gb_sql.set_mapping(conn, gateway.id, rows), durable=True)
    return gateway.id


@dataclass
class DemoBox:
    """``run`` is a loop of the demo's app: it connects to the receiver on ``port`` and reports until cancelled."""

    port: int
    host: str = "127.0.0.1"
    address: bytes = bytes.fromhex(BOX_ADDRESS)
    started: float = field(default_factory=time.monotonic)
    analogue_s: float = ANALOGUE_S
    first_alarm_s: float = FIRST_ALARM_S
    alarm_every_s: float = ALARM_EVERY_S
    alarm_for_s: float = ALARM_FOR_S

    async def run(self, ctx: Context) -> None:
        tz = ZoneInfo(ctx.settings.timezone)
        delay = RETRY_S
        while True:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 10.0)
            except (OSError, TimeoutError) as exc:
                log.debug("demo transmission device: cannot connect to %s:%d: %s", self.host, self.port, exc)
            else:
                delay = RETRY_S
                try:
                    await _Link(self, reader, writer, tz).run()
                except (OSError, TimeoutError) as exc:
                    log.info("demo transmission device: link lost (%s); connecting again", exc)
                except Exception:
                    log.exception("demo transmission device: failed; connecting again")
                finally:
                    writer.close()
                    with contextlib.suppress(OSError):
                        await writer.wait_closed()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_CAP_S)

    def alarming(self, now: float) -> bool:
        """Whether the residual-current detector is in its fire alarm at loop time ``now``."""
        t = now - self.started - self.first_alarm_s
        return t >= 0 and t % self.alarm_every_s < self.alarm_for_s


class _Link:
    """One connection: a reader that answers the centre and a ticker that reports, until either ends."""

    def __init__(self, box: DemoBox, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 tz: ZoneInfo) -> None:
        self.box = box
        self.reader = reader
        self.writer = writer
        self.tz = tz
        self.serial = 0
        self.due: list[tuple[float, Frame]] = []  # answers to 查岗, sent when their time comes

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._report())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result

    def label(self) -> TimeLabel:
        return TimeLabel.of(datetime.now(self.tz))

    async def send(self, frame: Frame) -> None:
        self.writer.write(gb26875.encode(frame))
        await asyncio.wait_for(self.writer.drain(), 10.0)

    async def report(self, unit: Unit) -> None:
        frame = Frame(serial=self.serial, version=(1, 0), time=self.label(), source=self.box.address,
                      destination=CENTRE, command=SEND, unit=unit)
        self.serial = (self.serial + 1) & 0xFFFF
        await self.send(frame)

    async def _read(self) -> None:
        splitter = Splitter()
        while data := await self.reader.read(4096):
            for item in splitter.feed(data):
                if isinstance(item, Frame):
                    await self._answer(item)

    async def _answer(self, frame: Frame) -> None:
        kind = frame.unit.type if isinstance(frame.unit, Unit) else None
        if frame.command in (CONFIRM, RESPONSE):
            return
        if frame.command == DENY:
            log.info("demo transmission device: the centre denied serial %d", frame.serial)
        elif frame.command == CONTROL and kind in (89, 90):  # initialise, synchronise the clock
            await self.send(frame.answer(CONFIRM, self.label()))
        elif frame.command == REQUEST and kind == 91 and isinstance(frame.unit, Unit):  # 查岗
            await self.send(frame.answer(CONFIRM, self.label()))
            minutes = frame.unit.objects[0]
            answer = frame.answer(RESPONSE, self.label(), Unit(91, (minutes,) if isinstance(minutes, DutyCheck)
                                                               else (DutyCheck(10),)))
            self.due.append((asyncio.get_running_loop().time() + ANSWER_AFTER_S, answer))
        else:
            await self.send(frame.answer(DENY, self.label()))

    async def _report(self) -> None:
        loop = asyncio.get_running_loop()
        label = self.label()
        await self.report(Unit(21, (DeviceState(NORMAL, label),)))
        alarming = self.box.alarming(loop.time())
        await self.report(Unit(2, tuple(
            PartState(0, 1, part, addr, FIRE if alarming and part == RESIDUAL[0] else NORMAL, desc, label)
            for part, addr, desc in (RESIDUAL, TEMPERATURE))))
        next_values, next_state = loop.time(), loop.time() + STATE_S
        while True:
            now = loop.time()
            for answer in [a for at, a in self.due if at <= now]:
                await self.send(answer)
            self.due = [(at, a) for at, a in self.due if at > now]
            if (alarm := self.box.alarming(now)) != alarming:
                alarming = alarm
                part, addr, desc = RESIDUAL
                await self.report(Unit(2, (PartState(0, 1, part, addr, FIRE if alarm else NORMAL, desc,
                                                     self.label()),)))
            if now >= next_values:
                next_values = now + self.box.analogue_s
                await self.report(self._values(now, alarming))
            if now >= next_state:
                next_state = now + STATE_S
                await self.report(Unit(21, (DeviceState(FIRE if alarming else NORMAL, self.label()),)))
            await asyncio.sleep(TICK_S)

    def _values(self, now: float, alarming: bool) -> Unit:
        t = now - self.box.started
        residual = 210 if alarming else round(62 + 14 * math.sin(t / 120.0))  # mA: the box's own setpoint is lower
        temperature = round(318 + 25 * math.sin(t / 300.0))  # 0.1 °C
        label = self.label()
        return Unit(3, (PartAnalogue(0, 1, RESIDUAL[0], RESIDUAL[1], RESIDUAL_TYPE, residual, label),
                        PartAnalogue(0, 1, TEMPERATURE[0], TEMPERATURE[1], TEMPERATURE_TYPE, temperature, label)))
