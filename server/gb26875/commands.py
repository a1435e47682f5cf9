"""Commands the monitoring centre sends a connected transmission device: time sync (90), 查岗 (91), initialise (89).

A command is a frame andian starts (its serial from one counter per gateway, kept across its connections); the box's
confirmation, denial or answer carries the same serial back. No confirmation within CONFIRM_WAIT_S → the same frame
again, up to RESENDS times, then ``no_answer`` (GB/T 26875.3 §6.5.4–6.5.5). A 查岗 is answered by a person at the
box: its answer (command 5) counts whenever it comes within the command's ``timeout_min`` of sending — confirmed
first or not (a box may never confirm it) —; none by then is ``no_answer``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from gb26875 import (
    CONFIRM,
    CONFIRM_WAIT_S,
    CONTROL,
    DENY,
    REQUEST,
    RESENDS,
    RESPONSE,
    DutyCheck,
    Frame,
    Reserved,
    SyncClock,
    TimeLabel,
    Unit,
)
from server.errors import Conflict
from server.storage import Connection
from server.storage import gb26875_receive as sql

if TYPE_CHECKING:
    from server.context import Context
    from server.gb26875.listen import Receiver

__all__ = ["KINDS", "Commands"]

log = logging.getLogger("andian.gb26875")

# kind → (command, type flag): 89 initialise, 90 synchronise the clock (control, 表 2), 91 查岗 (a request).
KINDS = {"initialise": (CONTROL, 89), "sync_clock": (CONTROL, 90), "duty_check": (REQUEST, 91)}
_ANSWERS = {CONFIRM: "confirmed", DENY: "denied", RESPONSE: "answered"}


@dataclass
class _Pending:
    id: int
    gateway_id: int
    kind: str
    frame: Frame
    timeout_min: int
    state: str = "sent"
    attempts: int = 1
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class Commands:
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self._pending: dict[tuple[int, int], _Pending] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, ctx: Context, gateway_id: int, kind: str, timeout_min: int,
                   by_user: int | None) -> int:
        """Send a command to the gateway's box now; answers its id. 409 when the box is not connected."""
        session = self.receiver.sessions.get(gateway_id)
        if session is None:
            raise Conflict("传输装置未连接 (the transmission device is not connected): a command can be sent only "
                           "while it is; check its link to the centre and try again")
        command, flag = KINDS[kind]
        now = ctx.clock()
        tz = ZoneInfo(ctx.settings.timezone)
        unit = Unit(flag, ((SyncClock(TimeLabel.at(now, tz)),) if kind == "sync_clock"
                           else (DutyCheck(timeout_min),) if kind == "duty_check" else (Reserved(0),)))
        serial = self.receiver.next_serial(gateway_id)
        frame = Frame(serial=serial, version=session.version, time=TimeLabel.at(now, tz), source=session.centre,
                      destination=session.gateways[gateway_id], command=command, unit=unit)
        command_id = await ctx.db.write(lambda c: sql.insert_command(c, gateway_id, kind, serial, now, by_user))
        pending = _Pending(command_id, gateway_id, kind, frame, timeout_min)
        self._pending[(gateway_id, serial)] = pending
        task = asyncio.create_task(self._follow(ctx, pending))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await self._transmit(pending)
        return command_id

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def answered(self, ctx: Context, gateway_id: int, frame: Frame) -> None:
        """A confirmation, denial or answer from the box: the command with its serial moves on."""
        pending = self._pending.get((gateway_id, frame.serial))
        state = _ANSWERS.get(frame.command)
        if pending is None or state is None or pending.state in ("denied", "answered", "no_answer"):
            log.info("GB/T 26875.3: gateway %d answered serial %d (command %d), which andian is not waiting for",
                     gateway_id, frame.serial, frame.command)
            return
        if state == "confirmed" and pending.state == "confirmed":
            return
        pending.state = state
        await self._save(ctx, pending, ctx.clock())
        pending.changed.set()

    async def _transmit(self, pending: _Pending) -> None:
        session = self.receiver.sessions.get(pending.gateway_id)
        if session is None:
            return  # not connected now: this attempt is lost, the next one may find the box back
        try:
            await session.send(pending.frame)
        except (OSError, TimeoutError) as exc:
            log.info("GB/T 26875.3: command %d not sent to gateway %d: %s", pending.id, pending.gateway_id, exc)

    async def _follow(self, ctx: Context, pending: _Pending) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + pending.timeout_min * 60.0  # a 查岗's answer counts until then
        try:
            while pending.state == "sent":
                if await _moved(pending, CONFIRM_WAIT_S):
                    continue
                if pending.attempts > RESENDS:
                    break
                pending.attempts += 1
                await self._save(ctx, pending, None)
                await self._transmit(pending)
            if pending.kind == "duty_check":  # confirmed or never: the person on duty's answer may still come
                while pending.state in ("sent", "confirmed") and await _moved(pending, deadline - loop.time()):
                    pass
            if pending.state in ("sent", "confirmed") and (pending.kind == "duty_check" or pending.state == "sent"):
                pending.state = "no_answer"
                await self._save(ctx, pending, None)
        finally:
            key = (pending.gateway_id, pending.frame.serial)
            if self._pending.get(key) is pending:  # not a newer command's that took the serial meanwhile
                del self._pending[key]

    async def _save(self, ctx: Context, pending: _Pending, answered_at: float | None) -> None:
        state, attempts = pending.state, pending.attempts

        def write(conn: Connection) -> None:
            sql.update_command(conn, pending.id, state, answered_at, attempts)

        await ctx.db.write(write)


async def _moved(pending: _Pending, seconds: float) -> bool:
    """Whether the command's state moves within ``seconds`` (the box confirmed, denied or answered)."""
    before = pending.state
    if seconds <= 0:
        return False
    pending.changed.clear()
    try:
        await asyncio.wait_for(pending.changed.wait(), seconds)
    except TimeoutError:
        return pending.state != before
    return True
