"""The server's background loops (watchdog, notification sender, site box): stopping them for good."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

__all__ = ["STOP_TIMEOUT_S", "stop"]

log = logging.getLogger("andian")

# How long shutdown waits for the background loops to stop before it goes on without them.
STOP_TIMEOUT_S = 10.0


async def stop(tasks: Sequence[asyncio.Task[None]], timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Cancel the loops and wait for them; cancel again while one runs on (in Python 3.11 ``asyncio.wait_for`` can
    lose a cancellation that races its timeout), and never let one loop keep the server from stopping."""
    deadline = time.monotonic() + timeout_s
    pending = set(tasks)
    while pending and time.monotonic() < deadline:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(1.0, max(deadline - time.monotonic(), 0.0)))
    for task in pending:
        log.error("background task %s did not stop within %g s; shutting down without it", task.get_name(),
                  timeout_s)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("background task %s had failed", task.get_name(), exc_info=task.exception())
