"""The loops of a worker sharing its database with others: its leases (node.py), and the calls handed to it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from server.alarms.service import present
from server.cluster import calls, node
from server.live.events import LiveEvent
from server.storage import Connection

if TYPE_CHECKING:
    from server.context import Context

__all__ = ["run"]

log = logging.getLogger("andian.cluster")


async def run(ctx: Context, lead: Callable[[], Awaitable[None]]) -> None:
    """Keep this worker's leases and answer the calls handed to its partitions; ``lead()`` once it leads."""

    async def moved(saved: frozenset[int], after: frozenset[int]) -> None:
        def job(conn: Connection) -> None:
            # Our state of the partitions we still hold goes to the database first, then everything is read back:
            # the partitions we gained come with their last checkpoint and their active alarms.
            ctx.pipeline.checkpoint(conn, keep=lambda site_id: node.part_of(site_id) in saved)
            ctx.pipeline.reload(conn)

        await ctx.db.write(job, durable=True)

    async def stopping() -> None:
        await ctx.db.write(ctx.pipeline.checkpoint, durable=True)

    serving = asyncio.create_task(serve_calls(ctx))
    try:
        # Wall-clock time for liveness: workers compare each other's heartbeats (a test's clock is its own).
        await node.run(ctx.node, ctx.settings.db_url, time.time, ctx.hub.watched, moved, lead, stopping)
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def serve_calls(ctx: Context) -> None:
    """Take calls for this worker's partitions, oldest first, one transaction each; woken by the bridge and at
    least every tick (a missed notification costs a tick)."""
    bridge = ctx.bridge
    while True:
        bridge.calls.clear()
        try:
            while ctx.node.parts:
                def job(conn: Connection, watched: frozenset[int] = ctx.hub.watched() | ctx.node.watched
                        ) -> tuple[int, list[LiveEvent]] | None:
                    return calls.take_one(ctx, conn, ctx.node.parts, ctx.clock(), watched)

                got = await ctx.db.write(job)
                if got is None:
                    break
                call_id, live = got
                ctx.hub.publish(present(live))
                ctx.doorbell.ring_for(live)
                bridge.answered([call_id])
        except Exception as exc:  # the loop must outlive one bad call; the log says what happened
            log.exception("answering a handed-over call failed")
            # Answered as failed, or it would come first again on every round and hold its partition up.
            failed = await ctx.db.write(functools.partial(_fail, ctx, f"{type(exc).__name__}: {exc}"))
            bridge.answered(failed)
        try:
            async with asyncio.timeout(node.TICK_S):
                await bridge.calls.wait()
        except TimeoutError:
            pass


def _fail(ctx: Context, error: str, conn: Connection) -> list[int]:
    return calls.fail_oldest(conn, ctx.node.parts, error, ctx.clock())
