"""Ingest from HTTP: who may send, then the pipeline on the writer thread, then the live fan-out."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING

from server.accounts.principal import Principal
from server.accounts.roles import FEEDERS
from server.alarms.service import present
from server.cluster import calls
from server.errors import Forbidden, StorageFull
from server.ingest.pipeline import Access, Outcome
from server.ingest.wire import IngestResult, ParsedBatch
from server.storage import Connection
from server.storage.scopes import site_scope

if TYPE_CHECKING:  # not at run time: server.context imports this module's importers
    from server.context import Context

__all__ = ["access_for", "ingest", "ingest_many"]


def access_for(ctx: Context, principal: Principal) -> Access:
    if principal.kind == "gateway":
        return Access(sender=f"gateway:{principal.id}", site_id=principal.site_id)
    if principal.role not in FEEDERS:
        raise Forbidden(f"role {principal.role} may not send readings; use a gateway key or an installer account")
    return Access(sender=f"user:{principal.id}", scope=site_scope(principal, ctx.reference))


async def ingest(ctx: Context, access: Access, batch: ParsedBatch) -> IngestResult:
    return (await ingest_many(ctx, [(access, batch)]))[0]


async def ingest_many(ctx: Context, items: list[tuple[Access, ParsedBatch]], *,
                      durable: bool = False) -> list[IngestResult]:
    """Several senders' batches in one transaction (one commit for all: a receiver's group commit), each judged
    as if alone; answers each batch's result in order. ``durable``: the commit survives a power cut even when it
    carries readings only (a sender that deletes what was acknowledged).

    With several workers each batch is judged by the worker that owns its site's partition (server/cluster):
    here if that is this one, else handed over and its answer awaited."""
    if not ctx.node.shared:
        here = await _judge_here(ctx, items, durable)
        assert here is not None  # alone, this process judges every site
        return here
    groups = await calls.by_partition(ctx, items)
    answers: dict[int, list[IngestResult]] = defaultdict(list)

    async def one(part: int, group: list[tuple[int, Access, ParsedBatch]]) -> None:
        batches = [(access, batch) for _, access, batch in group]
        got = await _judge_here(ctx, batches, durable, part) if part in ctx.node.parts else None
        if got is None:  # another worker's partition (or it moved while this one waited for the writer)
            got = await calls.hand_over(ctx, part, batches, durable)
        for (n, _, _), result in zip(group, got, strict=True):
            answers[n].append(result)

    await asyncio.gather(*(one(part, group) for part, group in groups.items()))
    return [calls.merge(answers[n]) if len(answers[n]) > 1 else answers[n][0] for n in range(len(items))]


async def _judge_here(ctx: Context, items: list[tuple[Access, ParsedBatch]], durable: bool,
                      part: int | None = None) -> list[IngestResult] | None:
    """The batches through this worker's pipeline; None if ``part`` is no longer this worker's when the writer
    takes the job."""
    watched = ctx.hub.watched() | ctx.node.watched
    now = ctx.clock()

    def job(conn: Connection) -> list[Outcome] | None:
        if part is not None and part not in ctx.node.parts:
            return None
        return ctx.pipeline.ingest_many(conn, items, now, watched)

    try:
        outcomes = await ctx.db.write(job, durable=durable)
    except StorageFull as exc:
        if not exc.retry:
            raise
        # The write found the disk full while it carried an alarm transition: it was undone (and the pipeline's
        # alarm book with it) and the reserve was freed for it, so once more, and it is stored whole.
        outcomes = await ctx.db.write(job, durable=durable)
    if outcomes is None:
        return None
    live = [event for outcome in outcomes for event in outcome.live]
    ctx.hub.publish(present(live))
    ctx.doorbell.ring_for(live)
    return [outcome.result for outcome in outcomes]
