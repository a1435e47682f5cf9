"""andian as a GB/T 26875.3 transmission device (用户信息传输装置): the connection out to a city monitoring centre.

With ``ANDIAN_GB26875_UPLINK`` and ``ANDIAN_GB26875_ADDRESS`` the server connects out over TCP and

- sends its queue (server/gb26875/uplink_feed.py fills it): alarms ahead of analogue values, one frame in flight at a
  time, each waiting ≤ 10 s for the centre's confirmation and sent again with the same serial up to 3 times; after
  that the connection counts as failed and is made again with backoff (the frame stays queued). A frame left
  unanswered on 3 connections is given up, a denial drops it: both are recorded and the queue moves on;
- reports its own running state (type 21) every ``gb26875_heartbeat_s`` while connected;
- answers the centre (server/gb26875/uplink_answers.py): clock sync (90) and initialisation (89) confirmed, reads of
  its state, software version and clock answered, 查岗 (91) kept for an operator, other requests denied; a frame
  with a bad checksum gets no answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gb26875 import (
    CONFIRM,
    CONFIRM_WAIT_S,
    DENY,
    RESENDS,
    SEND,
    Frame,
    Rejected,
    Splitter,
    TimeLabel,
    decode_unit,
    encode,
)
from server.gb26875 import uplink_feed as feed
from server.gb26875.listen import address_of
from server.gb26875.uplink_answers import Answers
from server.gb26875.uplink_queue import VERSION, device_state_unit
from server.settings import Settings
from server.storage import gb26875_uplink as sql
from server.upstream.link import Backoff

if TYPE_CHECKING:  # not at run time: server.context imports the app's importers
    from server.context import Context

__all__ = ["CENTRE", "ROUNDS", "Counters", "Link", "LinkFailed", "Uplink", "prepare"]

log = logging.getLogger("andian.gb26875")

# A queued frame that connections on end get no answer to (a centre that cannot parse it and stays silent, or drops
# the connection) would hold back every frame behind it: after this many connections on which it went unanswered
# (3 × (1 + RESENDS) = 12 sends) it is given up. A centre that cannot be reached counts nothing: nothing was sent.
ROUNDS = 3
# A connection attempt's own limit (a 4G router or a VPN can take seconds), never waited on without end.
CONNECT_TIMEOUT_S = 10.0
# New alarm transitions are looked for this often: an alarm leaves within a second of its commit (one index seek).
POLL_S = 1.0
# The centre's address as the destination of every frame: 6 zero bytes. A transmission device talks to the one centre
# it connects to; centres that registered it know it by its source address.
CENTRE = bytes(6)


class LinkFailed(Exception):
    """The connection to the centre is no good any more: no confirmation after the resends, or it was closed."""


@dataclass
class Counters:
    """Since the server started: frames sent (first sends), confirmed, sent again, denied."""

    sent: int = 0
    confirmed: int = 0
    resent: int = 0
    denied: int = 0


@dataclass
class Link:
    """One TCP connection to the centre and the frame in flight on it."""

    writer: asyncio.StreamWriter
    connected_at: float
    waiting: tuple[int, asyncio.Future[Frame]] | None = field(default=None)
    # The queue row in flight and how often it went on the wire on this connection, until the centre answers it.
    unanswered: tuple[int, int] | None = field(default=None)
    # The centre confirmed or denied something on this connection: it works, so a frame it leaves unanswered is
    # that frame's fault. A centre that answers nothing at all (hung, restarting, a proxy that accepts and closes)
    # is an outage, which never costs a frame its place in the queue.
    heard: bool = False

    async def send(self, raw: bytes) -> None:
        if self.writer.is_closing():
            raise LinkFailed("the connection is closing")
        self.writer.write(raw)
        try:
            async with asyncio.timeout(CONFIRM_WAIT_S):  # a centre that stops reading fails the link
                await self.writer.drain()
        except TimeoutError as exc:
            raise LinkFailed(f"the centre read nothing for {CONFIRM_WAIT_S:g} s") from exc

    def settle(self, frame: Frame) -> bool:
        """A confirmation or denial: True when it answers the frame in flight."""
        self.heard = True
        if self.waiting is None or self.waiting[0] != frame.serial or self.waiting[1].done():
            return False
        self.waiting[1].set_result(frame)
        return True


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    address: bytes

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def _target(settings: Settings) -> Target | None:
    uplink, address = settings.gb26875_uplink.strip(), settings.gb26875_address.strip()
    if not uplink and not address:
        return None
    if not uplink:
        raise ValueError("ANDIAN_GB26875_UPLINK is not set but ANDIAN_GB26875_ADDRESS is: set it to HOST:PORT of "
                         "the monitoring centre, or unset both")
    if not address:
        raise ValueError("ANDIAN_GB26875_ADDRESS is not set but ANDIAN_GB26875_UPLINK is: set it to the 12 hex "
                         "digits of the address the centre registered for this server, or unset both")
    host, port = address_of(uplink, "ANDIAN_GB26875_UPLINK")
    if len(address) != 12 or any(c not in "0123456789abcdefABCDEF" for c in address):
        raise ValueError(f"ANDIAN_GB26875_ADDRESS={address!r}: expected 12 hex digits (6 bytes as they stand on the "
                         "wire), e.g. 1527082020fe")
    return Target(host, port, bytes.fromhex(address))


def prepare(settings: Settings) -> Uplink | None:
    """The uplink for ANDIAN_GB26875_UPLINK and ANDIAN_GB26875_ADDRESS, or None when neither is set; raises
    ValueError naming the variable when one is missing or bad, so the server stops as it starts."""
    target = _target(settings)
    if target is None:
        return None
    for name, value in (("ANDIAN_GB26875_HEARTBEAT_S", settings.gb26875_heartbeat_s),
                        ("ANDIAN_GB26875_ANALOGUE_S", settings.gb26875_analogue_s)):
        if not value > 0:
            raise ValueError(f"{name}={value!r}: expected a number of seconds above 0")
    try:
        tz = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"ANDIAN_TZ={settings.timezone!r} is not a time zone (e.g. Asia/Shanghai)") from exc
    return Uplink(target, tz, settings)


class Uplink:
    """The uplink's loops and what the API reads of them (``link``, ``counters``, ``last_confirm_at``)."""

    def __init__(self, target: Target, tz: ZoneInfo, settings: Settings) -> None:
        self.target = target
        self.tz = tz
        self.settings = settings
        self.link: Link | None = None
        self.counters = Counters()
        self.last_confirm_at: float | None = None
        self._ctx: Context | None = None
        self.confirm_wait_s = CONFIRM_WAIT_S  # the standard's; tests shorten it
        self._wake = asyncio.Event()

    @property
    def address(self) -> bytes:
        return self.target.address

    @property
    def ctx(self) -> Context:
        assert self._ctx is not None, "the uplink has not started"
        return self._ctx

    async def run(self, ctx: Context) -> None:
        """The uplink's two loops (queue filling, connection), until cancelled."""
        self._ctx = ctx
        await ctx.db.write(sql.ensure_state, durable=True)
        log.info("GB/T 26875.3 uplink: reporting to %s as %s", self.target, self.address.hex())
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._fill())
            tasks.create_task(self._connect())

    # ---- filling the queue -----------------------------------------------------------------------------------

    async def _fill(self) -> None:
        ctx, period = self.ctx, self.settings.gb26875_analogue_s
        next_round = time.monotonic() + period
        while True:
            try:
                while await ctx.db.read(feed.has_new_transitions):
                    passed, queued = await ctx.db.write(
                        functools.partial(feed.queue_transitions, now=ctx.clock(), tz=self.tz))
                    if queued:
                        self._wake.set()
                    if passed < feed.BATCH:
                        break
                if time.monotonic() >= next_round:
                    next_round = time.monotonic() + period
                    frames, dropped = await ctx.db.write(
                        functools.partial(feed.queue_analogue, now=ctx.clock(), period_s=period, tz=self.tz))
                    if dropped:
                        log.info("GB/T 26875.3 uplink: %d frame(s) of analogue values superseded by a newer round",
                                 dropped)
                    if frames:
                        self._wake.set()
            except Exception:  # a full disk, a locked database: the cursor stays, the next poll tries again
                log.exception("GB/T 26875.3 uplink: filling the queue failed; trying again")
            await asyncio.sleep(POLL_S)

    # ---- the connection --------------------------------------------------------------------------------------

    async def _connect(self) -> None:
        backoff = Backoff(self.settings.upstream_retry_base_s, self.settings.upstream_retry_cap_s)
        while True:
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    reader, writer = await asyncio.open_connection(self.target.host, self.target.port)
            except (OSError, TimeoutError) as exc:
                level = logging.WARNING if backoff.failures == 0 else logging.DEBUG  # once per outage
                log.log(level, "GB/T 26875.3 uplink: cannot reach %s (%s); trying again with backoff", self.target,
                        exc or type(exc).__name__)
            else:
                try:
                    await self._session(reader, writer, backoff)
                except (LinkFailed, OSError) as exc:
                    log.warning("GB/T 26875.3 uplink: connection to %s lost (%s); reconnecting with backoff",
                                self.target, exc)
                except Exception:  # a full disk, a bug: the queue stays; the uplink must outlive it
                    log.exception("GB/T 26875.3 uplink: the session with %s failed; reconnecting with backoff",
                                  self.target)
                finally:
                    self.link = None
                    writer.close()
                    with contextlib.suppress(Exception):
                        async with asyncio.timeout(1.0):
                            await writer.wait_closed()
            await asyncio.sleep(backoff.next_delay())

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, backoff: Backoff) -> None:
        link = Link(writer, self.ctx.clock())
        self.link = link
        log.info("GB/T 26875.3 uplink: connected to %s", self.target)
        answers = Answers(self, link)
        reading = asyncio.create_task(self._read(reader, link, answers))
        sending = asyncio.create_task(self._send(link, backoff))
        try:
            done, _ = await asyncio.wait({reading, sending}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            raise LinkFailed("the centre closed the connection")
        except (LinkFailed, OSError):
            # Not on a stop (cancelled), nor on andian's own failure, nor when the centre answered nothing at all.
            if link.unanswered is not None and link.heard:
                await self._unanswered_round(*link.unanswered)
            raise
        finally:
            for task in (reading, sending):
                task.cancel()
            await asyncio.gather(reading, sending, return_exceptions=True)

    async def _read(self, reader: asyncio.StreamReader, link: Link, answers: Answers) -> None:
        """Every frame from the centre, until it closes the connection."""
        splitter = Splitter()
        while data := await reader.read(4096):
            for item in splitter.feed(data):
                if isinstance(item, Rejected):  # no answer: the centre sends it again if it meant it
                    log.warning("GB/T 26875.3 uplink: a frame from the centre is not good (%s); not answered",
                                item.message)
                elif item.command in (CONFIRM, DENY):
                    if not link.settle(item):
                        log.info("GB/T 26875.3 uplink: the centre answered serial %d, which is not in flight",
                                 item.serial)
                else:
                    await answers.handle(item)

    async def _send(self, link: Link, backoff: Backoff) -> None:
        """The running state first on every connection (the centre hears our state as soon as it hears us, and
        shows whether it answers at all); then alarms, the heartbeat when due, analogue values; one frame in flight
        at a time."""
        ctx = self.ctx
        await self._heartbeat(link, backoff)
        next_beat = time.monotonic() + self.settings.gb26875_heartbeat_s
        while True:
            self._wake.clear()
            row = await ctx.db.read(sql.next_frame)
            if row is not None and row["kind"] == sql.ALARM:
                await self._send_row(link, row, backoff)
            elif time.monotonic() >= next_beat:
                await self._heartbeat(link, backoff)
                next_beat = time.monotonic() + self.settings.gb26875_heartbeat_s
            elif row is not None:
                await self._send_row(link, row, backoff)
            else:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(next_beat - time.monotonic(), 0.0)):
                        await self._wake.wait()

    async def _send_row(self, link: Link, row: dict[str, object], backoff: Backoff) -> None:
        ctx = self.ctx
        row_id = int(str(row["id"]))
        if row["serial"] is None:
            at = ctx.clock()
            serial = await ctx.db.write(lambda conn: sql.mark_sent(conn, row_id, at))
        else:
            serial, at = int(str(row["serial"])), float(str(row["first_sent_at"]))
        assert isinstance(row["unit"], bytes)
        frame = Frame(serial=serial, version=VERSION, time=TimeLabel.at(at, self.tz), source=self.address,
                      destination=CENTRE, command=SEND, unit=decode_unit(row["unit"]))
        answer = await self.exchange(link, frame, backoff, row_id)
        if answer.command == CONFIRM:
            await ctx.db.write(lambda conn: sql.remove(conn, row_id))
        else:
            await ctx.db.write(lambda conn: sql.deny(conn, row_id, ctx.clock()), durable=True)
            log.warning("GB/T 26875.3 uplink: the centre denied frame %d (serial %d, %s%s); dropped", row_id, serial,
                        row["kind"], f", transition {row['transition_id']}" if row["transition_id"] else "")

    async def _unanswered_round(self, row_id: int, sends: int) -> None:
        """The connection ended with the row's frame sent ``sends`` times on it and never answered."""
        ctx = self.ctx
        given_up = await ctx.db.write(lambda conn: sql.unanswered_round(conn, row_id, sends, ROUNDS, ctx.clock()))
        if given_up is not None:
            log.error("GB/T 26875.3 uplink: frame %d (serial %s, %s%s) got no confirmation after %d sends on %d "
                      "connections; given up (kept in gb26875_uplink_denied), the queue goes on", row_id,
                      given_up["serial"], given_up["kind"],
                      f", transition {given_up['transition_id']}" if given_up["transition_id"] else "",
                      given_up["sends"], given_up["rounds"])

    async def _heartbeat(self, link: Link, backoff: Backoff) -> None:
        levels = await self.ctx.db.read(sql.active_alarm_levels)
        serial = await self.ctx.db.write(sql.take_serial)
        frame = Frame(serial=serial, version=VERSION, time=TimeLabel.at(self.ctx.clock(), self.tz),
                      source=self.address, destination=CENTRE, command=SEND,
                      unit=device_state_unit(levels, self.ctx.clock(), self.tz))
        answer = await self.exchange(link, frame, backoff)
        if answer.command == DENY:
            log.warning("GB/T 26875.3 uplink: the centre denied the running state (serial %d)", frame.serial)

    async def exchange(self, link: Link, frame: Frame, backoff: Backoff, row_id: int | None = None) -> Frame:
        """Send ``frame`` and wait for its confirmation or denial: ≤ CONFIRM_WAIT_S each time, sent again with the
        same serial up to RESENDS times; then LinkFailed (the frame stays where it was). ``row_id``: the queue row
        the frame is, counted in ``link.unanswered`` until answered."""
        raw = encode(frame)
        wait_s = self.confirm_wait_s
        waiter: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        link.waiting = (frame.serial, waiter)
        try:
            for attempt in range(1 + RESENDS):
                await link.send(raw)
                if row_id is not None:
                    link.unanswered = (row_id, attempt + 1)
                if attempt:
                    self.counters.resent += 1
                    log.info("GB/T 26875.3 uplink: serial %d sent again (%d of %d)", frame.serial, attempt, RESENDS)
                else:
                    self.counters.sent += 1
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        answer = await asyncio.shield(waiter)
                    link.unanswered = None
                    if answer.command == CONFIRM:
                        self.counters.confirmed += 1
                        self.last_confirm_at = self.ctx.clock()
                        backoff.reset()
                    else:
                        self.counters.denied += 1
                    return answer
            raise LinkFailed(f"no confirmation of serial {frame.serial} in {1 + RESENDS} sends {wait_s:g} s apart")
        finally:
            link.waiting = None
