"""Ingest from HTTP: who may send, then the pipeline on the writer thread, then the live fan-out."""

from __future__ import annotations

from ..auth.principal import Principal
from ..context import Context
from ..errors import Forbidden
from ..ingest.pipeline import Access
from ..ingest.wire import IngestResult, ParsedBatch
from ..storage.scopes import site_scope
from .alarms import present

__all__ = ["FEEDERS", "access_for", "ingest"]

# Users who may feed readings themselves (a gateway key always may, for its own site).
FEEDERS = ("admin", "operator", "installer")


def access_for(ctx: Context, principal: Principal) -> Access:
    if principal.kind == "gateway":
        return Access(site_id=principal.site_id)
    if principal.role not in FEEDERS:
        raise Forbidden(f"role {principal.role} may not send readings; use a gateway key or an installer account")
    where, params = site_scope(principal, ctx.reference)
    return Access(scope_sql=where, params=tuple(params))


async def ingest(ctx: Context, access: Access, batch: ParsedBatch) -> IngestResult:
    watched = ctx.hub.watched()
    now = ctx.clock()
    outcome = await ctx.db.write(lambda conn: ctx.pipeline.ingest(conn, batch, access, now, watched))
    ctx.hub.publish(present(outcome.live))
    return outcome.result
