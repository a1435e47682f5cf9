"""Attachments (photos as evidence) by sha256: upload once, idempotently; read if uploaded by you or attached to
a hazard of a site you see."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from ..auth.principal import Principal
from ..context import Context
from ..errors import InvalidInput, NotFound
from ..storage import attachments as sql
from ..storage.scopes import site_scope
from .sites import require_user

__all__ = ["CONTENT_TYPES", "MAX_BYTES", "read", "root", "store"]

# Photos from phones (JPEG, HEIC, PNG, WebP) and scanned documents (PDF).
CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"})
# A 12-megapixel phone photo is 2–6 MB; the PWA shrinks photos before upload, so 10 MiB leaves room.
MAX_BYTES = 10 * 1024 * 1024


def root(ctx: Context) -> Path:
    return ctx.settings.db_path.parent / "attachments"


async def store(ctx: Context, principal: Principal, sha256: str, data: bytes, content_type: str) -> bool:
    """Answers True when the bytes are new, False when they were there already (200, idempotent)."""
    require_user(principal, "upload attachments")
    kind = content_type.split(";")[0].strip().lower()
    if kind not in CONTENT_TYPES:
        raise InvalidInput("Content-Type", f"{kind or 'none'} is not accepted; send a photo (image/jpeg, "
                                           "image/png, image/webp, image/heic) or a PDF")
    if not data:
        raise InvalidInput("body", "the body is empty; send the file's bytes")
    actual = sql.digest(data)
    if actual != sha256:
        raise InvalidInput("sha256", f"the body's sha256 is {actual}, not {sha256}; the upload was damaged or "
                                     "the path names another file")
    if await ctx.db.read(lambda c: sql.exists(c, sha256)):
        return False
    await asyncio.to_thread(sql.write_file, root(ctx), sha256, data)
    now = ctx.clock()
    return await ctx.db.write(lambda c: sql.insert(c, sha256, len(data), kind, now, principal.id), durable=True)


async def read(ctx: Context, principal: Principal, sha256: str) -> tuple[bytes, str]:
    where, params = site_scope(principal, ctx.reference)

    def find(conn: sqlite3.Connection) -> str | None:
        row = sql.row(conn, sha256)
        if row is None or not sql.visible(conn, sha256, principal.id, where, params):
            return None
        return str(row["content_type"])

    content_type = await ctx.db.read(find)
    if content_type is None:
        raise NotFound("attachment", sha256[:12])
    data = await asyncio.to_thread(sql.path_of(root(ctx), sha256).read_bytes)
    return data, content_type
