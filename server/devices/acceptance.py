"""The signed acceptance of a commissioning (建设一个、验收一个、合格一个): what it needs before it may be signed.

Every item answered, photos on the items that ask for evidence, the photos and the drawn signature uploaded by the
signer (or evidence the signer can see), the signature an image, and a device that says what it is and which
circuit it protects. Each refusal is a 400 naming the field, with a ``code`` in ``extra`` for the installer's words.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.attachments import citing
from server.context import Context
from server.devices.schemas import AcceptIn, Answer, ChecklistItem
from server.errors import InvalidInput
from server.storage import Connection
from server.storage.scopes import site_scope

__all__ = ["check_answers", "check_evidence", "record_of", "require_named"]


def require_named(device: dict[str, Any]) -> None:
    """A device is accepted with a name and the circuit it protects (the site's circuits and its alarms name it)."""
    for field, what in (("name", "the device's name"), ("circuit", "the circuit the device protects")):
        if not str(device.get(field) or "").strip():
            raise InvalidInput(field, f"give {what} first (PATCH /api/v1/devices/{device['id']}, or the identify "
                                      "step)", {"code": "required", "device_id": device["id"]})


def check_answers(items: list[ChecklistItem], given: AcceptIn) -> None:
    """Every item answered once and none unknown; an item that asks for a photo has one unless it does not apply."""
    keys = {i.key for i in items}
    answered = [a.key for a in given.answers]
    if unknown := sorted(set(answered) - keys):
        raise InvalidInput("answers", f"unknown checklist items: {', '.join(unknown)}",
                           {"code": "unknown_items", "items": unknown})
    if missing := [i.key for i in items if i.key not in answered]:
        raise InvalidInput("answers", f"answer every item; missing: {', '.join(missing)}",
                           {"code": "unanswered", "items": missing})
    by_key = {a.key: a for a in given.answers}
    bare = [i.key for i in items if i.photo and by_key[i.key].answer != "na" and not by_key[i.key].attachments]
    if bare:
        raise InvalidInput("answers", f"take a photo for: {', '.join(bare)}", {"code": "photo_required", "items": bare})


def _unusable(conn: Connection, principal: Principal, scope: Any, given: AcceptIn) -> InvalidInput | None:
    cited = [(f"answers[{i}].attachments[{j}]", sha) for i, a in enumerate(given.answers)
             for j, sha in enumerate(a.attachments)]
    signature = ("signature", given.signature) if given.signature is not None else None
    return citing.refusal(conn, principal.id, scope, cited, signature)


async def check_evidence(ctx: Context, principal: Principal, given: AcceptIn) -> None:
    """The photos and the signature are there, the signer may cite them, and the signature is an image."""
    scope = site_scope(principal, ctx.reference)
    refused = await ctx.db.read(lambda c: _unusable(c, principal, scope, given))
    if refused is not None:
        raise refused


def record_of(row: dict[str, Any]) -> dict[str, Any]:
    """The signed acceptance as a commissioning's answer shows it (empty before it was signed)."""
    kept = row.get("answers") or {}
    return {"answers": msgspec.convert(kept.get("items", []), list[Answer]),
            "checklist_version": kept.get("version"), "signed_by": row.get("signed_by"),
            "signature": row.get("signature")}
