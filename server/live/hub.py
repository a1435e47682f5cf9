"""Live fan-out to open PWAs: subscribers per site, fed after each commit (never before it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

from server.live.events import LiveEvent

__all__ = ["Hub", "Subscription", "follow"]

# A subscriber this far behind is cut off; its client reconnects and re-reads the alarm list.
QUEUE_LIMIT = 2000


class Subscription:
    def __init__(self, site_id: int, caller: str) -> None:
        self.site_id = site_id
        self.caller = caller
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False


class Hub:
    def __init__(self) -> None:
        self._subs: dict[int, set[Subscription]] = {}
        self._open: dict[str, int] = {}  # open streams per caller ("user:3", "gateway:7")
        # Several workers (server/cluster/bridge.py): what this worker publishes goes to the others' pages too.
        self.relay: Callable[[list[LiveEvent]], None] | None = None

    def watched(self) -> frozenset[int]:
        """Sites someone is watching right now; ingest builds reading events only for these."""
        return frozenset(site for site, subs in self._subs.items() if subs)

    def publish(self, events: Iterable[LiveEvent]) -> None:
        events = list(events)
        if self.relay is not None and events:
            self.relay(events)
        self.deliver(events)

    def deliver(self, events: Iterable[LiveEvent]) -> None:
        """To this worker's own subscribers only (events another worker published)."""
        for event in events:
            for sub in self._subs.get(event.site_id, ()):
                if sub.overflowed:
                    continue
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    sub.overflowed = True

    def open_streams(self, caller: str) -> int:
        return self._open.get(caller, 0)

    @asynccontextmanager
    async def subscribe(self, site_id: int, caller: str = "") -> AsyncIterator[Subscription]:
        sub = Subscription(site_id, caller)
        self._subs.setdefault(site_id, set()).add(sub)
        self._open[caller] = self._open.get(caller, 0) + 1
        try:
            yield sub
        finally:
            self._subs[site_id].discard(sub)
            self._open[caller] -= 1
            if not self._open[caller]:
                del self._open[caller]


async def follow(sub: Subscription, still_allowed: Callable[[], Awaitable[bool]], *, recheck_s: float,
                 keepalive_s: float) -> AsyncIterator[LiveEvent | None]:
    """The events of ``sub``, and None whenever ``keepalive_s`` pass without one (time for a keep-alive).

    Ends when the subscriber falls too far behind, or when ``still_allowed()`` — asked every ``recheck_s`` seconds,
    busy or quiet — says no: a stream must not outlive the revocation or expiry of the credential that opened it.
    """
    next_check = time.monotonic() + recheck_s
    next_keepalive = time.monotonic() + keepalive_s
    while not sub.overflowed:
        now = time.monotonic()
        if now >= next_check:
            if not await still_allowed():
                return
            next_check = time.monotonic() + recheck_s
        if now >= next_keepalive:
            next_keepalive = now + keepalive_s
            yield None
        try:
            # asyncio.timeout, not wait_for, which in Python 3.11 can swallow a cancellation racing its timeout.
            async with asyncio.timeout(max(min(next_check, next_keepalive) - now, 0.0)):
                event = await sub.queue.get()
        except TimeoutError:
            continue
        next_keepalive = time.monotonic() + keepalive_s
        yield event
