"""One transmission device's TCP connection: frames read through the codec's splitter, each answered as GB/T 26875.3
says, at most ``gb26875_frames_per_s`` of them a second (beyond that the connection is read no faster).

A SEND frame is stored through the ingest (``store.py``) and confirmed only once that committed; denied when it
could not be. A frame from an address no live gateway has is denied and stored nowhere. A bad frame (checksum,
length) gets no answer and the connection goes on. Confirmations, denials and answers from the box settle the
commands andian sent it (``commands.py``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import gb26875
from gb26875 import CONFIRM, DENY, RESPONSE, SEND, Frame, Rejected, Splitter, TimeLabel
from server.gb26875.store import Store

if TYPE_CHECKING:
    from server.context import Context
    from server.gb26875.listen import Receiver

__all__ = ["BURST_S", "READ_BYTES", "Bucket", "Session"]

log = logging.getLogger("andian.gb26875")

READ_BYTES = 4096
# The rate limit lets a box send this many seconds' worth of frames at once (a box catching up after a lost link).
BURST_S = 3.0
# How long writing an answer may wait for a box that does not read; then the connection is closed.
SEND_TIMEOUT_S = 10.0


class Bucket:
    """A token bucket on the event loop's clock: ``take`` waits (without reading more) until a frame may go."""

    def __init__(self, rate: float, burst_s: float = BURST_S) -> None:
        self.rate = rate
        self.size = max(1.0, rate * burst_s)
        self.tokens = self.size
        self.at = asyncio.get_running_loop().time()

    async def take(self) -> bool:
        """Take one frame's token; True when it had to wait for it."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.tokens = min(self.size, self.tokens + (now - self.at) * self.rate)
        self.at = now
        waited = self.tokens < 1.0
        if waited:
            await asyncio.sleep((1.0 - self.tokens) / self.rate)
            self.tokens, self.at = 1.0, loop.time()
        self.tokens -= 1.0
        return waited


class Session:
    def __init__(self, ctx: Context, receiver: Receiver, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.ctx = ctx
        self.receiver = receiver
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.connected_at = ctx.clock()
        self.gateways: dict[int, bytes] = {}  # gateway id → the box's address bytes, on this connection
        self.centre: bytes = bytes(6)  # andian's address as the box writes it (the destination of its frames)
        self.version: tuple[int, int] = (1, 0)
        self.store = Store(ctx, receiver)
        self._denied: set[str] = set()  # addresses already logged as unknown on this connection
        self.closing: str | None = None  # why the server closes it
        self.tz = ZoneInfo(ctx.settings.timezone)

    async def run(self) -> None:
        settings = self.ctx.settings
        loop = asyncio.get_running_loop()
        bucket = Bucket(settings.gb26875_frames_per_s)
        splitter = Splitter()
        last = loop.time()
        held = False  # the rate limit held this connection back (logged once)
        log.info("GB/T 26875.3: %s connected", self.peer)
        why = "closed by the device"
        try:
            while self.closing is None:
                left = settings.gb26875_idle_s - (loop.time() - last)
                try:
                    data = await asyncio.wait_for(self.reader.read(READ_BYTES), timeout=max(left, 0.0))
                except TimeoutError:
                    why = f"no frame for {settings.gb26875_idle_s:g} s"
                    break
                if not data:
                    break
                for item in splitter.feed(data):
                    if await bucket.take() and not held:
                        held = True
                        log.warning("GB/T 26875.3: %s sends more than %g frames/s; read no faster from now on (its "
                                    "frames wait, none is dropped)", self.peer, bucket.rate)
                    if isinstance(item, Frame):
                        last = loop.time()
                    if not await self.handle(item):
                        break
            why = self.closing or why
        except (ConnectionError, OSError) as exc:
            why = f"connection lost ({exc})"
        finally:
            self.receiver.release(self)
            self.close("done")
            log.info("GB/T 26875.3: %s disconnected: %s", self.peer, why)
            await self.receiver.flush(self.ctx)

    def close(self, why: str) -> None:
        if self.closing is None:
            self.closing = why
        self.writer.close()

    async def send(self, frame: Frame) -> None:
        self.writer.write(gb26875.encode(frame))
        await asyncio.wait_for(self.writer.drain(), timeout=SEND_TIMEOUT_S)

    async def handle(self, item: Frame | Rejected) -> bool:
        """Answer one frame; False when the connection is to be closed (taken over, the server stops)."""
        await self._handle(item)
        return self.closing is None

    async def _handle(self, item: Frame | Rejected) -> None:
        if isinstance(item, Rejected):
            for gateway_id in self.gateways:
                self.receiver.count(gateway_id, "rejected")
            log.info("GB/T 26875.3: %s sent a frame that is not one (%s); no answer", self.peer, item.message)
            return
        address = item.source.hex()
        gateway = await self.receiver.gateway(self.ctx, address)
        if gateway is None:
            if address not in self._denied:
                self._denied.add(address)
                log.warning("GB/T 26875.3: %s sent frames from address %s, which no gateway has; denied (register "
                            "it: POST /api/v1/sites/{site_id}/gateways with protocol gb26875)", self.peer, address)
            await self.answer(item, DENY)
            return
        if gateway.id not in self.gateways:
            self.gateways[gateway.id] = item.source
            old = self.receiver.claim(gateway.id, self)
            if old is not None:
                log.warning("GB/T 26875.3: address %s (gateway %d) connected again from %s; its connection from %s "
                            "is closed", address, gateway.id, self.peer, old.peer)
                self.receiver.count(gateway.id, "takeovers")
                old.close(f"taken over by {self.peer} (same address)")
        self.centre, self.version = item.destination, item.version
        now = self.ctx.clock()
        raw = gb26875.encode(item)  # the bytes as they came (the codec gives back every frame's own bytes)
        self.receiver.count(gateway.id, "frames")
        self.receiver.last_frame(gateway.id, now, _frame_info(item, raw))
        if item.command in (CONFIRM, DENY, RESPONSE):
            await self.receiver.commands.answered(self.ctx, gateway.id, item)
            return
        kept = await self.store.take(gateway, item, raw, self.tz, now)
        if item.command != SEND:  # a centre takes no control or request from a box: kept, and denied
            await self.answer(item, DENY)
            self.receiver.count(gateway.id, "denials")
            return
        await self.answer(item, CONFIRM if kept else DENY)
        self.receiver.count(gateway.id, "confirms" if kept else "denials")

    async def answer(self, frame: Frame, command: int) -> None:
        await self.send(frame.answer(command, TimeLabel.at(self.ctx.clock(), self.tz)))


def _frame_info(frame: Frame, raw: bytes) -> dict[str, Any]:
    unit = frame.unit
    kind = getattr(unit, "type", None) if unit is not None else None
    if kind is None and isinstance(unit, gb26875.Opaque):
        kind = unit.data[0]
    return {"command": frame.command, "type": kind, "serial": frame.serial, "hex": raw.hex()}
