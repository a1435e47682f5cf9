"""Wake-ups within one cloud process: a command queued for a gateway wakes that box's long-poll at once, a box's
result wakes the operator's request that waits for it.

The database stays the truth: several workers may share one, and a worker only hears its own rings, so each waiter
also looks at the database every few seconds. A ring only saves that wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Hashable

__all__ = ["Bells"]


class Bells:
    def __init__(self) -> None:
        self._events: dict[Hashable, asyncio.Event] = {}

    def listen(self, key: Hashable) -> asyncio.Event:
        """Take this before looking at the database, then ``wait`` on it: a ring in between is not missed."""
        return self._events.setdefault(key, asyncio.Event())

    def ring(self, key: Hashable) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    def forget(self, key: Hashable) -> None:
        """Nobody waits on ``key`` any more (its command is done): drop its bell."""
        self._events.pop(key, None)

    @staticmethod
    async def wait(event: asyncio.Event, timeout_s: float) -> None:
        """Until ``event`` is rung or ``timeout_s`` passed."""
        # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancellation that races its timeout.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(timeout_s, 0.0)):
                await event.wait()
