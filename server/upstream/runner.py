"""The box's upstream loops, started beside the server when the box is paired with a cloud: mirror (the site down,
the box's edits up), forward (what the box records, alarms first) and commands (the cloud's console, long-polled).
Each loop is supervised alone; none stops the others, and the box works on alone while the cloud is away."""

from __future__ import annotations

import asyncio
import logging

import httpx

from server.context import Context
from server.upstream import commands_box, forward_box, mirror_box
from server.upstream.link import Upstream, load_pairing

__all__ = ["run"]

log = logging.getLogger("andian.upstream")


async def run(ctx: Context, transport: httpx.AsyncBaseTransport | None = None) -> None:
    try:
        pairing = await load_pairing(ctx)
    except Exception:  # a sealed key the secrets cannot open, a database that cannot be read: said, not swallowed
        log.exception("site box: the pairing could not be loaded; the box runs without its cloud")
        return
    if pairing is None:
        return  # not a paired box: nothing to do
    log.info("site box paired with %s", pairing.url)
    async with Upstream(pairing, transport) as upstream:
        loops: list[asyncio.Task[None]] = []  # each: asyncio.create_task(<part>.run(ctx, upstream))
        loops.append(asyncio.create_task(mirror_box.run(ctx, upstream)))
        loops.append(asyncio.create_task(forward_box.run(ctx, upstream)))
        loops.append(asyncio.create_task(commands_box.run(ctx, upstream)))
        try:
            # Each part is supervised (server/upstream/supervise.py) and never ends; should one end all the same,
            # the others go on, and what ended it is logged.
            for task, outcome in zip(loops, await asyncio.gather(*loops, return_exceptions=True), strict=True):
                if isinstance(outcome, Exception):
                    log.error("site box: an upstream loop ended (%s)", task.get_name(), exc_info=outcome)
        finally:
            for task in loops:
                task.cancel()
