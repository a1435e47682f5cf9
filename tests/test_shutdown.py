"""Shutdown stops the background loops even when a cancellation is lost, and never hangs on one that will not stop."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.web import background


async def _loses_one_cancellation(stopped: list[str]) -> None:
    """A loop whose first cancellation is swallowed, as Python 3.11's wait_for can do when it races a timeout."""
    swallowed = False
    while True:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            if swallowed:
                stopped.append("stopped")
                raise
            swallowed = True
            asyncio.current_task().uncancel()  # type: ignore[union-attr]


async def _ignores_cancellation(released: asyncio.Event) -> None:
    while not released.is_set():
        try:
            await released.wait()
        except asyncio.CancelledError:
            asyncio.current_task().uncancel()  # type: ignore[union-attr]


async def test_a_loop_that_lost_a_cancellation_is_cancelled_again() -> None:
    stopped: list[str] = []
    task = asyncio.create_task(_loses_one_cancellation(stopped))
    await asyncio.sleep(0.01)
    await background.stop([task], timeout_s=5.0)  # the first cancellation is lost, the second stops it
    assert task.done() and stopped == ["stopped"]


async def test_a_loop_that_never_stops_does_not_hold_up_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    released = asyncio.Event()
    task = asyncio.create_task(_ignores_cancellation(released), name="stubborn")
    await asyncio.sleep(0.01)  # running, so that it is the loop that ignores the cancellation
    start = time.monotonic()
    await background.stop([task], timeout_s=0.5)
    assert time.monotonic() - start < 3.0
    assert "background task stubborn did not stop" in caplog.text
    released.set()  # leave nothing running behind the test
    await task
