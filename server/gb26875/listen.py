"""The GB/T 26875.3 receiver: andian as a monitoring centre (监控中心) on ``ANDIAN_GB26875_LISTEN``.

``prepare`` checks the setting when the server starts and answers the loop the app runs; the ``Receiver`` (one per
process, ``ctx.gb26875``) is the registry of connected transmission devices — one session per address at a time —,
their counters (flushed to the database every FLUSH_S and when a box goes), and the commands sent to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from server.gb26875.commands import Commands
from server.gb26875.group import Group
from server.gb26875.translate import Gateway
from server.settings import Settings
from server.storage import Connection
from server.storage import gb26875_receive as sql

if TYPE_CHECKING:  # not at run time: server.context imports this module
    from server.context import Context
    from server.gb26875.session import Session

__all__ = ["FLUSH_S", "GATEWAY_TTL_S", "MAX_CACHED", "Receiver", "address_of", "prepare"]

log = logging.getLogger("andian.gb26875")

# Counters go to the database this often (and when a box disconnects), not once per frame.
FLUSH_S = 5.0
# A gateway's registration (revoked? its mapping) as a session knows it is re-read after this long.
GATEWAY_TTL_S = 10.0
# Addresses cached at most (frames from random source addresses must not grow it without bound): a few thousand
# boxes is more than one server receives; beyond, expired entries go, and if that is not enough, all of them.
MAX_CACHED = 4096


def address_of(value: str, variable: str = "ANDIAN_GB26875_LISTEN") -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT``) → (host, port); ValueError names ``variable`` and says what to fix."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{variable}={value!r}: expected HOST:PORT, e.g. 0.0.0.0:9300 (port 1–65535)")
    return host.strip("[]"), int(port)


def prepare(settings: Settings) -> Callable[[Context], Coroutine[Any, Any, None]]:
    """The receiver's loop for ``ANDIAN_GB26875_LISTEN``, its socket bound now: a bad HOST:PORT, or one this
    server cannot listen on, raises with what to fix, so the start stops."""
    host, port = address_of(settings.gb26875_listen)
    for name, value in (("ANDIAN_GB26875_FRAMES_PER_S", settings.gb26875_frames_per_s),
                        ("ANDIAN_GB26875_IDLE_S", settings.gb26875_idle_s)):
        if not value > 0:  # also NaN: the rate limit divides by it, the idle close waits for it
            raise ValueError(f"{name}={value!r}: must be a number above 0")
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise ValueError(f"ANDIAN_GB26875_LISTEN={settings.gb26875_listen!r}: cannot listen there ({exc}); choose "
                         "another port or free this one") from exc
    sock.setblocking(False)

    async def run(ctx: Context) -> None:
        await ctx.gb26875.serve(ctx, sock)

    return run


class Receiver:
    def __init__(self) -> None:
        self.sessions: dict[int, Session] = {}  # gateway id → its connection
        self.commands = Commands(self)
        self.group = Group()
        self._all: set[Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: dict[int, dict[str, int]] = {}
        self._last: dict[int, tuple[float, dict[str, Any]]] = {}
        # While a flush writes, its counters are neither unflushed nor stored yet: a reader waits for it (settled).
        self._flushing = asyncio.Lock()
        self._gateways: dict[str, tuple[float, Gateway | None]] = {}
        self._serials: dict[int, int] = {}  # gateway id → the serial of the next frame andian starts to it
        self.port: int | None = None

    # ---- connections ------------------------------------------------------------------------------------------

    async def serve(self, ctx: Context, sock: socket.socket) -> None:
        from server.gb26875.session import Session  # the session imports the ingest; this module is imported early

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            session = Session(ctx, self, reader, writer)
            self._all.add(session)
            try:
                await session.run()
            except asyncio.CancelledError:
                # The server stops (``serve`` cancels and then awaits this task). Ended quietly: Python 3.11's
                # start_server logs a cancelled connection task as an error with a traceback.
                pass
            finally:
                self._all.discard(session)
                self._tasks.discard(task)

        server = await asyncio.start_server(accept, sock=sock)
        group = asyncio.create_task(self.group.run(ctx))
        self.port = sock.getsockname()[1]
        log.info("GB/T 26875.3: receiving on %s", ctx.settings.gb26875_listen)
        try:
            while True:
                await asyncio.sleep(FLUSH_S)
                await self.flush(ctx)
        finally:
            server.close()
            for session in list(self._all):
                session.close("the server stops")
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            group.cancel()
            await asyncio.gather(group, return_exceptions=True)
            await self.commands.stop()
            await self.flush(ctx)

    def claim(self, gateway_id: int, session: Session) -> Session | None:
        """``session`` is now the gateway's connection; answers the one it takes over, if another had it."""
        old = self.sessions.get(gateway_id)
        self.sessions[gateway_id] = session
        return old if old is not session else None

    def release(self, session: Session) -> None:
        for gateway_id in list(session.gateways):
            if self.sessions.get(gateway_id) is session:
                del self.sessions[gateway_id]

    async def gateway(self, ctx: Context, address: str) -> Gateway | None:
        """The live gateway with this address (cached for GATEWAY_TTL_S; ``forget`` drops it at once)."""
        cached = self._gateways.get(address)
        if cached is not None and time.monotonic() - cached[0] < GATEWAY_TTL_S:
            return cached[1]
        row = await ctx.db.read(lambda c: sql.gateway_by_address(c, address))
        gateway = None if row is None else Gateway(row["id"], row["site_id"], address, row["mapping"])
        now = time.monotonic()
        if len(self._gateways) >= MAX_CACHED:
            self._gateways = {k: v for k, v in self._gateways.items() if now - v[0] < GATEWAY_TTL_S}
            if len(self._gateways) >= MAX_CACHED:
                self._gateways.clear()
        self._gateways[address] = (now, gateway)
        return gateway

    @property
    def cached(self) -> int:
        """How many addresses the gateway cache holds (at most MAX_CACHED)."""
        return len(self._gateways)

    def forget(self, address: str | None) -> None:
        if address is not None:
            self._gateways.pop(address, None)

    def revoked(self, gateway_id: int, address: str | None) -> None:
        """The gateway was revoked: its address is read again at its next frame, and its connection is closed."""
        self.forget(address)
        session = self.sessions.get(gateway_id)
        if session is not None:
            session.close("its gateway was revoked")

    def next_serial(self, gateway_id: int) -> int:
        """The serial of a frame andian starts to this gateway's box (the initiator counts from 0, §6.4.1), one
        counter per gateway across its connections: a command after a reconnect never takes a pending one's."""
        serial = self._serials.get(gateway_id, 0)
        self._serials[gateway_id] = (serial + 1) & 0xFFFF
        return serial

    # ---- counters ---------------------------------------------------------------------------------------------

    def count(self, gateway_id: int, name: str, n: int = 1) -> None:
        counters = self._pending.setdefault(gateway_id, {})
        counters[name] = counters.get(name, 0) + n

    def last_frame(self, gateway_id: int, at: float, frame: dict[str, Any]) -> None:
        self._last[gateway_id] = (at, frame)

    def unflushed(self, gateway_id: int) -> tuple[dict[str, int], tuple[float, dict[str, Any]] | None]:
        return dict(self._pending.get(gateway_id, {})), self._last.get(gateway_id)

    @contextlib.asynccontextmanager
    async def settled(self) -> AsyncIterator[None]:
        """No flush under way in the block: what it reads stored and then ``unflushed`` adds up to every count."""
        async with self._flushing:
            yield

    async def flush(self, ctx: Context) -> None:
        """Counters and last frames gathered since the last flush, in one write."""
        async with self._flushing:
            await self._flush(ctx)

    async def _flush(self, ctx: Context) -> None:
        if not self._pending and not self._last:
            return
        pending, last = self._pending, self._last
        self._pending, self._last = {}, {}

        def write(conn: Connection) -> None:
            for gateway_id in set(pending) | set(last):
                at, frame = last.get(gateway_id, (None, None))
                sql.add_status(conn, gateway_id, pending.get(gateway_id, {}), at, frame)

        try:
            # Cancelled meanwhile (the server stops), the write still commits: the job is queued on the writer,
            # which runs every queued job before it stops — so nothing is restored then (it would count twice).
            await ctx.db.write(write)
        except Exception:  # counted again next time; a failed write (a full disk) must not stop the receiver
            log.warning("GB/T 26875.3: counters not written; kept for the next flush", exc_info=True)
            self._restore(pending, last)

    def _restore(self, pending: dict[int, dict[str, int]], last: dict[int, tuple[float, dict[str, Any]]]) -> None:
        for gateway_id, counters in pending.items():
            for name, n in counters.items():
                self.count(gateway_id, name, n)
        for gateway_id, value in last.items():
            self._last.setdefault(gateway_id, value)
