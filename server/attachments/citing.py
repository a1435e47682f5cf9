"""Whether a record may cite attachments: each one the caller uploaded (or evidence they can see), and a drawn
signature an image. One rule for every record that takes a drawn signature (a commissioning's acceptance, the
unit's sign-off on a rectification notice), run inside the caller's read or write transaction."""

from __future__ import annotations

from collections.abc import Sequence

from server.attachments.service import IMAGE_TYPES
from server.errors import InvalidInput
from server.storage import Connection
from server.storage import attachments as sql
from server.storage.scopes import Scope

__all__ = ["refusal"]


def refusal(conn: Connection, user_id: int, scope: Scope, cited: Sequence[tuple[str, str]],
            signature: tuple[str, str] | None = None) -> InvalidInput | None:
    """The first reason the attachments may not be cited, as a 400 naming the field, or None when all may be.

    ``cited``: (field, sha256) pairs; ``signature``: the (field, sha256) of a drawn signature, which must also be an
    image (PNG, JPEG, WebP…), not a scanned PDF. Each refusal carries a ``code`` (``attachment_missing``,
    ``not_image``) and the ``sha256`` in ``extra`` for the client's words."""
    named = [*cited, *([signature] if signature else [])]
    ok = sql.readable(conn, [sha for _, sha in named], user_id, scope)
    for field, sha in named:
        if sha not in ok:
            return InvalidInput(field, f"no attachment {sha[:12]}… of yours; upload it first with PUT "
                                       "/api/v1/attachments/{sha256}", {"code": "attachment_missing", "sha256": sha})
    if signature is not None:
        field, sha = signature
        found = sql.row(conn, sha)
        if found is None or found["content_type"] not in IMAGE_TYPES:
            return InvalidInput(field, "the signature must be an image (PNG, JPEG, WebP), not a document",
                                {"code": "not_image", "sha256": sha})
    return None
