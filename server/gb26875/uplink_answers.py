"""The uplink's answers to what the centre asks (GB/T 26875.3-2011 §8.2.2, types 81–91).

- 90 synchronise the clock → CONFIRM; the centre's time and the offset to andian's clock are recorded (shown in
  the API), the system clock is not changed (it belongs to the operating system's time service).
- 89 initialise the transmission device → CONFIRM; andian wipes nothing (its records are the sites' evidence).
- 91 查岗 (a duty check) → CONFIRM at once (the centre stops sending it again) and kept for an operator, who
  answers it in the console (uplink_api.py) within the check's minutes; the answer is a RESPONSE with the check's
  serial. The same serial again while the check lasts is the same check: confirmed again, not kept twice.
- 81 read the device's running state → RESPONSE type 21; 85 its software version → type 25; 88 its clock → 28.
- Anything else the centre sends (other requests, controls, data) → DENY.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gb26875 import (
    CONFIRM,
    DENY,
    RESPONSE,
    DeviceSoftware,
    DeviceTime,
    DutyCheck,
    Frame,
    Opaque,
    SyncClock,
    TimeLabel,
    Unit,
    UserDefined,
    encode,
)
from server import __version__
from server.gb26875.uplink_queue import VERSION, device_state_unit
from server.storage import gb26875_uplink as sql

if TYPE_CHECKING:
    from server.gb26875.uplink import Link, Uplink

__all__ = ["Answers", "duty_check_answer", "software_version"]

log = logging.getLogger("andian.gb26875")

CONFIRMED = (89, 90)  # initialise, synchronise the clock: confirmed whatever command the centre put them under
READS = (81, 85, 88)  # running state, software version, clock
DUTY_CHECK = 91


def software_version(version: str = __version__) -> tuple[int, int]:
    """andian's version as the main and sub version bytes of type 25 (0.1.0 → (0, 1))."""
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:2]] + [0, 0]
    return min(parts[0], 255), min(parts[1], 255)


class Answers:
    def __init__(self, uplink: Uplink, link: Link) -> None:
        self.uplink = uplink
        self.link = link

    def reply(self, frame: Frame, command: int, unit: Unit | UserDefined | Opaque | None = None) -> Frame:
        """An answer to ``frame``: its serial and version, from andian's address to the frame's source."""
        ctx = self.uplink.ctx
        return Frame(serial=frame.serial, version=frame.version, time=TimeLabel.at(ctx.clock(), self.uplink.tz),
                     source=self.uplink.address, destination=frame.source, command=command, unit=unit)

    async def handle(self, frame: Frame) -> None:
        unit = frame.unit
        kind = unit.type if isinstance(unit, Unit) else None
        if kind in CONFIRMED and isinstance(unit, Unit):
            await self._confirm(frame, unit)
        elif kind == DUTY_CHECK and isinstance(unit, Unit):
            await self._duty_check(frame, unit)
        elif kind in READS and isinstance(unit, Unit):
            await self._read(frame, unit.type)
        elif frame.command == RESPONSE:  # answers to nothing andian asked: nothing to say
            log.info("GB/T 26875.3 uplink: the centre sent a response (serial %d) to no request", frame.serial)
        else:
            log.info("GB/T 26875.3 uplink: denied command %d, type %s from the centre (serial %d)", frame.command,
                     kind if kind is not None else type(unit).__name__, frame.serial)
            await self.link.send(encode(self.reply(frame, DENY)))

    async def _confirm(self, frame: Frame, unit: Unit) -> None:
        ctx = self.uplink.ctx
        if unit.type == 90:
            clock = unit.objects[0] if unit.objects else None
            when = clock.ts.as_datetime() if isinstance(clock, SyncClock) else None
            if when is None:
                log.warning("GB/T 26875.3 uplink: the centre's clock sync carries no real time; denied")
                await self.link.send(encode(self.reply(frame, DENY)))
                return
            now = ctx.clock()
            centre = when.replace(tzinfo=self.uplink.tz).timestamp()
            await ctx.db.write(lambda conn: sql.record_clock(conn, centre, centre - now, now))
            log.info("GB/T 26875.3 uplink: the centre's clock is %+.0f s from ours (recorded; ours unchanged)",
                     centre - now)
        else:
            log.info("GB/T 26875.3 uplink: the centre asked to initialise the device; confirmed, nothing wiped")
        await self.link.send(encode(self.reply(frame, CONFIRM)))

    async def _duty_check(self, frame: Frame, unit: Unit) -> None:
        ctx = self.uplink.ctx
        check = unit.objects[0] if unit.objects else None
        if not isinstance(check, DutyCheck):
            await self.link.send(encode(self.reply(frame, DENY)))
            return
        now = ctx.clock()
        centre = frame.source.hex()
        check_id, new = await ctx.db.write(lambda conn: sql.open_duty_check(
            conn, frame.serial, centre, now, check.timeout_min, now + 60.0 * check.timeout_min))
        await self.link.send(encode(self.reply(frame, CONFIRM)))  # received (and stored): the centre stops resending
        if new:
            log.warning("GB/T 26875.3 uplink: 查岗 from the centre (duty check %d): answer within %d min in the "
                        "console", check_id, check.timeout_min)
        else:
            log.info("GB/T 26875.3 uplink: 查岗 serial %d sent again by the centre: duty check %d, confirmed again",
                     frame.serial, check_id)

    async def _read(self, frame: Frame, kind: int) -> None:
        ctx, tz = self.uplink.ctx, self.uplink.tz
        answer: Unit
        if kind == 81:
            answer = device_state_unit(await ctx.db.read(sql.active_alarm_levels), ctx.clock(), tz)
        elif kind == 85:
            answer = Unit(25, (DeviceSoftware(*software_version()),))
        else:
            answer = Unit(28, (DeviceTime(TimeLabel.at(ctx.clock(), tz)),))
        await self.link.send(encode(self.reply(frame, RESPONSE, answer)))


def duty_check_answer(uplink: Uplink, check: dict[str, object]) -> bytes:
    """The RESPONSE to a stored duty check: type 91 with the check's minutes, its serial, to its centre."""
    timeout_min = int(str(check["timeout_min"]))
    frame = Frame(serial=int(str(check["serial"])), version=VERSION, time=TimeLabel.at(uplink.ctx.clock(), uplink.tz),
                  source=uplink.address, destination=bytes.fromhex(str(check["centre"])), command=RESPONSE,
                  unit=Unit(DUTY_CHECK, (DutyCheck(timeout_min),)))
    return encode(frame)
