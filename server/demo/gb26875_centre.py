"""The demo's city fire remote-monitoring centre (城市消防远程监控中心): a TCP server on 127.0.0.1 that andian's uplink
(``ANDIAN_GB26875_UPLINK``) reports to, every byte through the ``gb26875`` codec. It confirms every frame andian
sends, synchronises andian's clock when it connects, and sends a 查岗 (duty check) now and then, which an operator
answers in the console's "城市消防远程监控联网" panel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import gb26875
from gb26875 import CONFIRM, CONTROL, REQUEST, SEND, DutyCheck, Frame, Splitter, SyncClock, TimeLabel, Unit

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["UPLINK_ADDRESS", "DemoCentre"]

log = logging.getLogger("andian.demo")

UPLINK_ADDRESS = "073700000000"  # andian's own address towards the demo centre (ANDIAN_GB26875_ADDRESS)
FIRST_CHECK_S = 120.0  # the centre's first 查岗 after andian connects, then one every CHECK_EVERY_S
CHECK_EVERY_S = 900.0
CHECK_MINUTES = 10  # the minutes the centre waits for the answer (DutyCheck's timeout)


@dataclass
class DemoCentre:
    """``run`` is a loop of the demo's app: it serves on ``sock`` (bound before the app starts) until cancelled."""

    sock: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))
    first_check_s: float = FIRST_CHECK_S

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    async def run(self, ctx: Context) -> None:
        tz = ZoneInfo(ctx.settings.timezone)
        links: set[asyncio.Task[None]] = set()

        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.create_task(self._serve(reader, writer, tz))
            links.add(task)
            task.add_done_callback(links.discard)

        self.sock.setblocking(False)
        server = await asyncio.start_server(accepted, sock=self.sock)
        try:
            await server.serve_forever()
        finally:
            server.close()
            for task in list(links):
                task.cancel()
            await asyncio.gather(*links, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tz: ZoneInfo) -> None:
        serial = 0

        def frame(command: int, unit: Unit, to: bytes) -> Frame:
            nonlocal serial
            serial = (serial + 1) & 0xFFFF
            return Frame(serial=serial, version=(1, 0), time=TimeLabel.of(datetime.now(tz)), source=bytes(6),
                         destination=to, command=command, unit=unit)

        async def send(out: Frame) -> None:
            writer.write(gb26875.encode(out))
            await asyncio.wait_for(writer.drain(), 10.0)

        splitter = Splitter()
        loop = asyncio.get_running_loop()
        andian: bytes | None = None
        next_check = loop.time() + self.first_check_s
        try:
            while True:
                try:
                    data = await asyncio.wait_for(reader.read(4096), 1.0)
                except TimeoutError:
                    data = None
                if data == b"":
                    return
                for item in splitter.feed(data or b""):
                    if not isinstance(item, Frame) or item.command != SEND:
                        continue  # andian's confirmations and answers, or bytes that are no frame
                    if andian is None:  # its first frame: the centre knows it now, and sets its clock
                        andian = item.source
                        await send(frame(CONTROL, Unit(90, (SyncClock(TimeLabel.of(datetime.now(tz))),)), andian))
                    await send(item.answer(CONFIRM, TimeLabel.of(datetime.now(tz))))
                if andian is not None and loop.time() >= next_check:
                    next_check = loop.time() + CHECK_EVERY_S
                    await send(frame(REQUEST, Unit(91, (DutyCheck(CHECK_MINUTES),)), andian))
        except (OSError, TimeoutError) as exc:
            log.info("demo monitoring centre: link to andian lost (%s)", exc)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
