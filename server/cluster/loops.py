"""The loops of a worker sharing its database with others: its leases (node.py), and the calls handed to it."""

from __future__ import annotations

import asyncio
import contextlib
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


async def run(ctx: Context, lead: Callable[[], Awaitable[None]], resign: Callable[[], Awaitable[None]],
              stop: asyncio.Event) -> None:
    """Keep this worker's leases and answer the calls handed to its partitions, until ``stop`` is set."""

    async def moved(saved: frozenset[int], after: frozenset[int]) -> None:
        def job(conn: Connection) -> None:
            # Our state of the partitions we still hold (or give back) goes to the database first; the partitions we
            # gained come with their last checkpoint and their active alarms. What we gave back stays in memory
            # unjudged, and is read afresh if it comes back.
            ctx.pipeline.checkpoint(conn, keep=lambda site_id: node.part_of(site_id) in saved)
            gained = after - saved
            if gained:
                started = time.perf_counter()
                channels = ctx.pipeline.take_over(conn, (node.PARTITIONS, gained))
                log.info("took over partitions %s: %d channels in %.2f s", sorted(gained), channels,
                         time.perf_counter() - started)

        # Ahead of queued ingest: under a load beyond the worker (bench/city.py, 10⁵ sites), a move waited its turn
        # behind a minute of queued batches, and the dead worker's sites went unjudged that long.
        await ctx.db.write(job, durable=True, urgent=True)

    async def stopping(owned: frozenset[int]) -> None:
        await ctx.db.write(lambda conn: ctx.pipeline.checkpoint(conn, keep=lambda s: node.part_of(s) in owned),
                           durable=True, urgent=True)

    serving = asyncio.create_task(serve_calls(ctx))

    async def stop_serving(owned: frozenset[int]) -> None:
        serving.cancel()  # no call is taken once the partitions are on their way out
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await stopping(owned)

    try:
        await node.run(ctx.node, ctx.settings.db_url, ctx.hub.watched,
                       node.Hooks(moved, lead, resign, stop_serving), stop)
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
        claimed: list[int] = []  # the call the current job took (kept if the job fails)
        try:
            while ctx.node.parts:
                claimed.clear()

                def job(conn: Connection, watched: frozenset[int] = ctx.hub.watched() | ctx.node.watched,
                        claimed: list[int] = claimed) -> tuple[int, list[LiveEvent]] | None:
                    return calls.take_one(ctx, conn, ctx.node.parts, ctx.clock(), watched, claimed)

                got = await ctx.db.write(job)
                if got is None:
                    break
                call_id, live = got
                bridge.answered([call_id])
                ctx.hub.publish(present(live))
                ctx.doorbell.ring_for(live)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the loop must outlive one bad call; the log says what happened
            log.exception("answering a handed-over call failed")
            # Answered as failed, or it would come first again on every round and hold its partition up.
            await _fail(ctx, claimed, f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(node.TICK_S):
                await bridge.calls.wait()


async def _fail(ctx: Context, claimed: list[int], error: str) -> None:
    if not claimed:
        return
    try:
        await ctx.db.write(lambda conn: calls.fail(conn, claimed, error, ctx.clock()))
        ctx.bridge.answered(list(claimed))
    except Exception:  # the caller times out and its sender sends again; the next round tries again
        log.exception("answering call %s as failed did not work either", claimed)
