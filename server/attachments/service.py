"""Attachments (photos as evidence) by sha256: upload once, idempotently; read if you uploaded the bytes or they
are evidence on a record (hazard, inspection) of a site you see (``storage.attachments.readable``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from server.accounts.principal import Principal
from server.accounts.roles import require_user
from server.context import Context
from server.errors import InvalidInput, NotFound
from server.storage import Connection
from server.storage import attachments as sql
from server.storage.scopes import assigned_only, site_scope

__all__ = ["CONTENT_TYPES", "IMAGE_TYPES", "MAX_BYTES", "read", "root", "sniff", "store"]

# Photos from phones (JPEG, HEIC, PNG, WebP) and scanned documents (PDF).
CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"})
IMAGE_TYPES = frozenset(t for t in CONTENT_TYPES if t.startswith("image/"))
# ISO base media file brands (bytes 8–12, after "ftyp") of HEIF photos: iPhones write heic, others mif1.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"heif"})
# A 12-megapixel phone photo is 2–6 MB; the PWA shrinks photos before upload, so 10 MiB leaves room.
MAX_BYTES = 10 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The type the bytes say they are (their magic numbers), or None when they are none of the accepted ones.

    The client's Content-Type is a claim; what is stored and served is what the bytes are, so a page of HTML
    uploaded as "image/jpeg" is refused rather than later served to a browser."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _HEIF_BRANDS:
            return "image/heif"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def root(ctx: Context) -> Path:
    return ctx.settings.files_dir() / "attachments"


async def store(ctx: Context, principal: Principal, sha256: str, data: bytes, content_type: str) -> bool:
    """Answers True when the bytes are new, False when they were there already (200, idempotent)."""
    require_user(principal, "upload attachments")
    kind = content_type.split(";")[0].strip().lower()
    if kind not in CONTENT_TYPES:
        raise InvalidInput("Content-Type", f"{kind or 'none'} is not accepted; send a photo (image/jpeg, "
                                           "image/png, image/webp, image/heic) or a PDF")
    if not data:
        raise InvalidInput("body", "the body is empty; send the file's bytes")
    sniffed = sniff(data)
    if sniffed is None:
        raise InvalidInput("body", "the bytes are not a photo (JPEG, PNG, WebP, HEIC) or a PDF; send the file itself")
    kind = sniffed
    actual = sql.digest(data)
    if actual != sha256:
        raise InvalidInput("sha256", f"the body's sha256 is {actual}, not {sha256}; the upload was damaged or "
                                     "the path names another file")
    now = ctx.clock()
    if await ctx.db.read(lambda c: sql.exists(c, sha256)):
        # The same bytes from someone else: stored once, and now theirs to read and cite as well.
        await ctx.db.write(lambda c: sql.add_uploader(c, sha256, principal.id, now), durable=True)
        return False
    await asyncio.to_thread(sql.write_file, root(ctx), sha256, data)
    return await ctx.db.write(lambda c: sql.insert(c, sha256, len(data), kind, now, principal.id), durable=True)


async def read(ctx: Context, principal: Principal, sha256: str) -> tuple[bytes, str]:
    scope = site_scope(principal, ctx.reference)

    def find(conn: Connection) -> str | None:
        row = sql.row(conn, sha256)
        if row is None or not sql.visible(conn, sha256, principal.id, scope, assigned_only(principal)):
            return None
        return str(row["content_type"])

    if await ctx.db.read(find) is None:
        raise NotFound("attachment", sha256[:12])
    data = await asyncio.to_thread(sql.path_of(root(ctx), sha256).read_bytes)
    return data, sniff(data) or "application/octet-stream"
