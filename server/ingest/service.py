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

__all__ = ["access_for", "ingest"]


def access_for(ctx: Context, principal: Principal) -> Access:
    if principal.kind == "gateway":
        return Access(sender=f"gateway:{principal.id}", site_id=principal.site_id)
    if principal.role not in FEEDERS:
        raise Forbidden(f"role {principal.role} may not send readings; use a gateway key or an installer account")
    return Access(sender=f"user:{principal.id}", scope=site_scope(principal, ctx.reference))


async def ingest(ctx: Context, access: Access, batch: ParsedBatch) -> IngestResult:
    watched = ctx.hub.watched()
    now = ctx.clock()
    def job(conn: Connection) -> Outcome:
        return ctx.pipeline.ingest(conn, batch, access, now, watched)

    try:
        outcome = await ctx.db.write(job)
    except StorageFull as exc:
        if not exc.retry:
            raise
        # The batch found the disk full while it carried an alarm transition: it was undone (and the pipeline's
        # alarm book with it) and the reserve was freed for it, so once more, and it is stored whole.
        outcome = await ctx.db.write(job)
    ctx.hub.publish(present(outcome.live))
    ctx.doorbell.ring_for(outcome.live)
    return outcome.result
