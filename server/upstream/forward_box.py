"""Forward up, the box's loop: what the box records goes to its cloud in batches — alarm transitions first, then
commissioning records (their photos and signature uploaded before them), events, raw readings oldest first, late
buckets, and the minute rollups of what the bounded backlog dropped (API.md "Site box and cloud").

A batch is made and settled on the writer (server/upstream/forward_batch.py, which says why nothing is sent twice);
this loop sends it, drains without pause while batches come back full, looks again after IDLE_S when caught up,
and backs off with jitter while the cloud is unreachable. The box records on alone meanwhile; past
``upstream_backlog_max_readings`` unforwarded raw readings, the oldest are dropped (whole buckets already rolled
up) and their minute rollups go up instead. Alarms, events and commissioning records are never dropped.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import msgspec

from server.attachments.service import root as attachments_root
from server.context import Context
from server.storage import Connection
from server.storage import attachments as attachments_sql
from server.storage import forward_box as sql
from server.storage import readings as readings_sql
from server.upstream.forward_batch import Built, Limits, cited, next_batch, refused, settle
from server.upstream.link import Backoff, Refused, Upstream
from server.upstream.supervise import supervise
from server.upstream.wire import AttachmentUp, ForwardAnswer

__all__ = ["DROP_RANGE_S", "Forwarder", "forward_once", "run", "trim"]

log = logging.getLogger("andian.upstream.forward")

# Caught up: look again after a second (an alarm reaches the cloud within about that; readings wait SETTLE_S).
IDLE_S = 1.0
# The backlog estimate counts the rows from the cursor on (an index range, not a sort): at most once a minute.
TRIM_EVERY_S = 60.0
# A dropped range's rollups go up a channel at a time; an hour is at most 60 minutes per channel in one item.
DROP_RANGE_S = 3600
# Readings (and rollup minutes) the cloud kept refusing are held up to this many batches' worth, then let go.
HELD_BATCHES = 50
# The cloud's answers that refuse a batch for what it holds (400 bad, 413 too large, 422 not understood): the box
# builds it again smaller. 401/403 (the key) and 409 (another box database) are about the box, not the batch.
BATCH_REFUSALS = frozenset({400, 413, 422})


@dataclass
class Forwarder:
    """What the loop remembers between rounds: the last estimate of unforwarded raw readings, and when."""

    readings_left: int = 0
    trimmed_at: float = -math.inf
    scale: int = 0  # batches are built this many halvings smaller after the cloud refused one (Limits.scale)


async def run(ctx: Context, upstream: Upstream) -> None:
    settings = ctx.settings
    state = Forwarder()

    async def round_() -> float:
        full = await forward_once(ctx, upstream, state)
        return 0.0 if full else IDLE_S  # drain without pause while batches come back full

    await supervise("forward", round_, Backoff(settings.upstream_retry_base_s, settings.upstream_retry_cap_s),
                    log=log)


async def forward_once(ctx: Context, upstream: Upstream, state: Forwarder) -> bool:
    """One round: the pending batch (or a new one) to the cloud, settled by its answer. True when more is waiting
    (send the next at once); False when caught up. Raises Unreachable or Refused with the batch kept."""
    settings = ctx.settings
    if ctx.clock() - state.trimmed_at >= TRIM_EVERY_S:
        await trim(ctx, state)
    limits = Limits(settings.upstream_batch_readings, state.readings_left, state.scale)
    built = await ctx.db.write(lambda conn: next_batch(conn, limits, ctx.clock()))
    if built is None:
        return False
    await _upload(ctx, upstream, built)
    try:
        answer = await upstream.call("POST", "/api/v1/upstream/forward", ForwardAnswer, msgspec.Raw(built.body))
    except Refused as exc:
        if exc.status in BATCH_REFUSALS and not await _refused(ctx, state, built, exc):
            return True  # built again smaller at once
        raise
    held_max = settings.upstream_batch_readings * HELD_BATCHES
    await ctx.db.write(lambda conn: settle(conn, built, answer, ctx.clock(), held_max))
    state.readings_left = max(0, state.readings_left - built.sent_readings)
    state.scale = max(0, state.scale - 1)  # back towards full batches, a halving per batch the cloud took
    return built.full


async def _refused(ctx: Context, state: Forwarder, built: Built, exc: Refused) -> bool:
    """The cloud refused the batch itself: never send it again as it is (it would block forwarding for good). True
    when its items were held (it could not be made smaller)."""
    error = f"the cloud refused the batch ({exc.status}: {exc.detail})"
    held = await ctx.db.write(lambda conn: refused(conn, built, error, ctx.clock()))
    if held:
        log.error("forward: %s; it cannot be made smaller: its items are held and sent again later", error)
    else:
        state.scale += 1
        log.error("forward: %s; it is dropped and built again with half the limits (alarms alone first)", error)
    return held


async def trim(ctx: Context, state: Forwarder) -> int:
    """Estimate the raw readings not forwarded; past the limit, drop the oldest (whole buckets already rolled up)
    and record their ranges for the rollups. Answers how many were dropped."""
    state.trimmed_at = ctx.clock()
    state.readings_left = await ctx.db.read(lambda conn: sql.estimate_readings(conn, sql.read_position(conn)))
    limit = ctx.settings.upstream_backlog_max_readings
    if state.readings_left <= limit:
        return 0
    excess = state.readings_left - limit

    def drop(conn: Connection) -> tuple[int, list[tuple[float, float]]]:
        mark = readings_sql.minute_mark(conn)
        if mark is None:
            return 0, []
        return sql.drop_oldest(conn, sql.read_position(conn), excess, mark, DROP_RANGE_S)

    dropped, ranges = await ctx.db.write(drop)
    if dropped:
        log.warning("forward: %d raw readings waited for the cloud, over the limit of %d; the oldest %d (%.0f s of "
                    "readings from %.0f) were dropped and their minute rollups go up instead",
                    state.readings_left, limit, dropped, sum(e - s for s, e in ranges), ranges[0][0])
        state.readings_left -= dropped
    return dropped


async def _upload(ctx: Context, upstream: Upstream, built: Built) -> None:
    """The attachments the batch's records cite, before the records (the cloud keeps each once)."""
    folder = attachments_root(ctx)
    hashes = cited(built)
    if not hashes:
        return
    rows = await ctx.db.read(lambda conn: {sha: attachments_sql.row(conn, sha) for sha in hashes})
    for sha256, found in rows.items():
        if found is None:
            log.warning("forward: attachment %s… is cited but not at the box; the record goes up without it",
                        sha256[:12])
            continue
        try:
            data = await asyncio.to_thread(attachments_sql.path_of(folder, sha256).read_bytes)
        except FileNotFoundError:
            log.warning("forward: attachment %s… has no file at the box; the record goes up without it", sha256[:12])
            continue
        try:
            await upstream.call("PUT", f"/api/v1/upstream/attachments/{sha256}", dict,
                                AttachmentUp(str(found["content_type"]), data))
        except Refused as exc:  # a file the cloud will never take must not hold back the batch
            if exc.status not in BATCH_REFUSALS:
                raise
            log.warning("forward: the cloud refused attachment %s… (%s: %s); the record goes up without it",
                        sha256[:12], exc.status, exc.detail)
