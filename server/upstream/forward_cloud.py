"""Cloud side of forwarding up: a box's batch stored (server/upstream/forward_apply.py) and told to open pages and
the notification sender; the files its records cite; and the boxes still catching up, for the console."""

from __future__ import annotations

import asyncio

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import CONSOLE, require
from server.alarms.service import present
from server.attachments.service import CONTENT_TYPES, MAX_BYTES, root, sniff
from server.context import Context
from server.errors import InvalidInput, StorageFull
from server.storage import Connection
from server.storage import attachments as attachments_sql
from server.storage import forward_cloud as sql
from server.storage.scopes import site_scope
from server.upstream.forward_apply import Applied, apply
from server.upstream.wire import AttachmentUp, Forward, ForwardAnswer

__all__ = ["BoxBacklog", "catching_up", "receive", "store_attachment"]


class BoxBacklog(msgspec.Struct):
    """A site box that said it still holds records for the cloud (after an outage, while it drains)."""

    id: int
    site_id: int
    site_name: str
    backlog: dict[str, int]  # per stream: alarms, commissionings, events, readings (estimated), rollups
    backlog_at: float
    last_seen_at: float | None


async def receive(ctx: Context, gateway_id: int, site_id: int, forward: Forward) -> ForwardAnswer:
    watched = ctx.hub.watched()
    now = ctx.clock()

    def job(conn: Connection) -> Applied:
        return apply(conn, ctx.pipeline.alarms, gateway_id, site_id, forward, now, watched)

    try:
        applied = await ctx.db.write(job)
    except StorageFull as exc:
        if not exc.retry:
            raise
        applied = await ctx.db.write(job)  # it carried alarm transitions and the reserve was freed for it
    ctx.hub.publish(present(applied.live))
    ctx.doorbell.ring_for(applied.live)
    return applied.answer


async def store_attachment(ctx: Context, gateway_id: int, sha256: str, body: AttachmentUp) -> bool:
    """A file a box's forwarded record cites; True when new. Readable by those who see the record's site
    (storage.attachments.readable), like the box's own users there; the box's records may cite it from now on."""
    kind = body.content_type.split(";")[0].strip().lower()
    if kind not in CONTENT_TYPES:
        raise InvalidInput("content_type", f"{kind or 'none'} is not accepted; send a photo or a PDF")
    data = body.data
    if not data or len(data) > MAX_BYTES:
        raise InvalidInput("data", f"the file must be 1 byte to {MAX_BYTES} bytes")
    kind = sniff(data) or ""
    if not kind:
        raise InvalidInput("data", "the bytes are not a photo (JPEG, PNG, WebP, HEIC) or a PDF")
    actual = attachments_sql.digest(data)
    if actual != sha256:
        raise InvalidInput("sha256", f"the data's sha256 is {actual}, not {sha256}; send the file the path names")
    now = ctx.clock()
    if await ctx.db.read(lambda conn: attachments_sql.exists(conn, sha256)):
        await ctx.db.write(lambda conn: sql.note_upload(conn, gateway_id, sha256, now))
        return False
    await asyncio.to_thread(attachments_sql.write_file, root(ctx), sha256, data)

    def insert(conn: Connection) -> bool:
        sql.note_upload(conn, gateway_id, sha256, now)
        return attachments_sql.insert(conn, sha256, len(data), kind, now, None)

    return await ctx.db.write(insert, durable=True)


async def catching_up(ctx: Context, principal: Principal) -> list[BoxBacklog]:
    require(principal, CONSOLE, "see the site boxes' backlog")
    scope = site_scope(principal, ctx.reference)
    return msgspec.convert(await ctx.db.read(lambda conn: sql.catching_up(conn, scope)), list[BoxBacklog])
