"""Ingest from HTTP: who may send, then the pipeline on the writer thread, then the live fan-out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.accounts.principal import Principal
from server.accounts.roles import FEEDERS
from server.alarms.service import present
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
    carries readings only (a sender that deletes what was acknowledged)."""
    watched = ctx.hub.watched()
    now = ctx.clock()
    def job(conn: Connection) -> list[Outcome]:
        return ctx.pipeline.ingest_many(conn, items, now, watched)

    try:
        outcomes = await ctx.db.write(job, durable=durable)
    except StorageFull as exc:
        if not exc.retry:
            raise
        # The write found the disk full while it carried an alarm transition: it was undone (and the pipeline's
        # alarm book with it) and the reserve was freed for it, so once more, and it is stored whole.
        outcomes = await ctx.db.write(job, durable=durable)
    live = [event for outcome in outcomes for event in outcome.live]
    ctx.hub.publish(present(live))
    ctx.doorbell.ring_for(live)
    return [outcome.result for outcome in outcomes]
