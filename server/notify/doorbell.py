"""What wakes the notification sender: rung after a commit that changed an alarm or wrote messages to send.

The sender also wakes every ``notify_tick_s`` on its own (retries, digests, escalation ladders), so a missed ring
costs at most one tick; a ring only makes an alarm's message leave at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable

from server.live.events import LiveEvent

__all__ = ["Doorbell"]


class Doorbell:
    def __init__(self) -> None:
        self._rung = asyncio.Event()
        # Several workers (server/cluster/bridge.py): the sender runs on the leader; a ring here rings there too.
        self.relay: Callable[[], None] | None = None

    def ring(self) -> None:
        self._rung.set()
        if self.relay is not None:
            self.relay()

    def ring_for(self, events: Iterable[LiveEvent]) -> None:
        """Ring if any of these committed changes is an alarm's (raised, escalated, cleared, acknowledged)."""
        if any(event.event == "alarm" for event in events):
            self.ring()

    def answer_remote(self) -> None:
        """A ring from another worker: wake this sender, tell nobody else."""
        self._rung.set()

    async def wait(self, timeout_s: float) -> None:
        """Until the next ring or ``timeout_s``; a ring since the last wait returns at once."""
        # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancellation that races its
        # timeout, and the sender would then run on after shutdown asked it to stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._rung.wait()

    def answer(self) -> None:
        """The sender starts a round: rings before this are served by it."""
        self._rung.clear()
