"""An inspection visit inside the writer's transaction: start, answer, sign. The HTTP endpoints and sync pushes
both come here, so the rules are the same whichever way an answer arrives."""

from __future__ import annotations

from typing import Any

import msgspec

from offline_sync.hlc import HLC
from server.attachments import citing
from server.errors import Conflict, InvalidInput, NotFound
from server.hazards import automation
from server.hazards.actions import Doer, unusable_photo
from server.inspections import findings, templates
from server.inspections.schemas import AnswerIn, CompleteIn, ItemOut
from server.storage import Connection
from server.storage import inspections as sql
from server.storage import sites as site_sql
from server.storage.scopes import EVERY_SITE, sees_site, site_scope

__all__ = ["acknowledge", "answer", "item_hazard", "item_out", "server_stamp", "sign", "start", "visible"]

def item_out(item: templates.Item) -> ItemOut:
    finding = {"zh-CN": item.finding.zh, "en": item.finding.en} if item.finding else {}
    return ItemOut(key=item.key, text={"zh-CN": item.zh, "en": item.en}, section=item.section, major=item.major,
                   photo=item.photo, finding=finding)


def server_stamp(now: float) -> str:
    """The stamp of an answer given online (HTTP): ordered with the devices' stamps by time."""
    return str(HLC(int(now * 1000), 0, "server"))


def visible(conn: Connection, doer: Doer, inspection_id: int) -> dict[str, Any]:
    scope = site_scope(doer.principal, doer.reference)
    row = sql.get_inspection(conn, inspection_id, scope)
    if row is None:
        raise NotFound("inspection", inspection_id)
    return row


def start(conn: Connection, doer: Doer, site_id: int, template_id: str | None) -> int:
    """A new visit with the site's checklist (its items kept as they are today); its id."""
    site = site_sql.get_site(conn, site_id, EVERY_SITE)
    if site is None or not sees_site(conn, doer.principal, doer.reference, site_id):
        raise NotFound("site", site_id)
    if template_id is None:
        template = templates.template_for("inspection", site["venue_type"])
    else:
        template = templates.load().get(template_id)
        if template is None or template.kind == "acceptance":
            raise InvalidInput("template_id", f"no inspection checklist {template_id!r}; "
                                              "GET /api/v1/checklists lists them")
    assert template is not None
    record = {"site_id": site_id, "template_id": template.id, "template_version": template.version,
              "items": [msgspec.to_builtins(item_out(i)) for i in template.items],
              "inspector_id": doer.principal.id, "started_at": doer.now}
    return sql.insert_inspection(conn, record)


def answer(conn: Connection, doer: Doer, inspection_id: int, given: list[AnswerIn], hlcs: list[str],
           row: dict[str, Any] | None = None) -> list[tuple[str, str | None]]:
    """Save the good answers, refuse the others one by one: (status, error or None) per answer, where status is
    saved, kept (an answer with a newer stamp stays) or rejected. ``hlcs``: each answer's stamp, in order, as if
    saved one after another. ``row``: the inspection as ``visible`` read it earlier in the same transaction (a
    push answers many items of one visit)."""
    row = row or visible(conn, doer, inspection_id)
    if row["state"] == "completed":
        raise Conflict("this inspection is signed and completed; start a new one to change answers")
    keys = {i["key"] for i in row["items"]}
    stamps = sql.answer_stamps(conn, inspection_id, sorted({a.key for a in given if a.key in keys}))
    out: list[tuple[str, str | None]] = []
    good = []
    for index, (item, hlc) in enumerate(zip(given, hlcs, strict=True)):
        if item.key not in keys:
            out.append(("rejected", f"answers[{index}].key: no item {item.key!r} in checklist {row['template_id']}"))
        elif (photo := unusable_photo(conn, doer.principal, doer.reference, item.attachments)) is not None:
            out.append(("rejected", f"answers[{index}].attachments[{photo}]: no attachment "
                                    f"{item.attachments[photo][:12]}… of yours; upload it first "
                                    "(PUT /api/v1/attachments/{sha256})"))
        elif (stamps.get(item.key) or "") > hlc:
            out.append(("kept", f"answers[{index}]: a newer answer to {item.key!r} was given, and it is kept"))
        else:
            out.append(("saved", None))
            stamps[item.key] = hlc
            good.append({"key": item.key, "answer": item.answer, "note": item.note.strip(),
                         "attachments": item.attachments, "answered_at": doer.now,
                         "answered_by": doer.principal.id, "hlc": hlc})
    sql.save_answers(conn, inspection_id, good)
    return out


def sign(conn: Connection, doer: Doer, inspection_id: int, body: CompleteIn) -> None:
    """Signed: every item answered; each failed item becomes a hazard assigned to the site's owner, unless a phone
    already made that item's hazard (one hazard per failed item, whichever way it came)."""
    row = visible(conn, doer, inspection_id)
    if row["state"] == "completed":
        raise Conflict("this inspection is already signed")
    given = {a["key"]: a for a in sql.answers(conn, inspection_id)}
    missing = [i["text"]["zh-CN"] for i in row["items"] if i["key"] not in given]
    if missing:
        raise InvalidInput("answers", f"{len(missing)} items not answered yet, e.g. {missing[0]}")
    numbers = findings.numbers(row["items"])
    for item in sorted(row["items"], key=lambda i: numbers[i["key"]]):  # in the order the checklist shows them
        found = given[item["key"]]
        if found["answer"] == "fail" and sql.hazard_of_item(conn, inspection_id, item["key"]) is None:
            _hazard(conn, doer, row, item, found)
    sql.update_inspection(conn, inspection_id, {"state": "completed", "completed_at": doer.now,
                                                "signed_by": body.signed_by.strip(), "summary": body.summary.strip()})


def item_hazard(conn: Connection, doer: Doer, inspection_id: int, key: str) -> tuple[int, bool]:
    """The hazard of a failed item as a phone made it offline (a synced ``hazard`` ``create`` naming the inspection
    and the item, sent before the signature): ``(id, True)`` when made now, as the signature makes them, or
    ``(id, False)`` when the item has its hazard already. The server's answer decides, so a phone never makes a
    second hazard of one finding, nor one of an item that passed."""
    row = visible(conn, doer, inspection_id)
    item = next((i for i in row["items"] if i["key"] == key), None)
    if item is None:
        raise InvalidInput("item", f"no item {key!r} in checklist {row['template_id']}")
    existing = sql.hazard_of_item(conn, inspection_id, key)
    if existing is not None:
        return existing, False
    found = {a["key"]: a for a in sql.answers(conn, inspection_id)}.get(key)
    if found is None or found["answer"] != "fail":
        raise Conflict(f"item {key!r} did not fail on the server (a newer answer was kept), so it is no hazard")
    return _hazard(conn, doer, row, item, found), True


def acknowledge(conn: Connection, doer: Doer, inspection_id: int, signed_by: str,
                signature: str | None = None) -> None:
    """The unit's representative signed the rectification notice (on the inspector's phone): their name and, drawn
    on the pad, their signature, an image the inspector uploaded (or evidence they can see), checked as an
    acceptance's signature is (attachments.citing)."""
    row = visible(conn, doer, inspection_id)
    if row["state"] != "completed":
        raise Conflict("sign the inspection first: the unit signs the rectification notice of a signed inspection")
    if row["unit_signed_by"]:
        raise Conflict(f"the unit already signed this notice ({row['unit_signed_by']})")
    if signature is not None:
        scope = site_scope(doer.principal, doer.reference)
        refused = citing.refusal(conn, doer.principal.id, scope, [], ("signature", signature))
        if refused is not None:
            raise refused
    sql.update_inspection(conn, inspection_id, {"unit_signed_by": signed_by.strip(), "unit_signed_at": doer.now,
                                                "unit_signature": signature})


def _hazard(conn: Connection, doer: Doer, inspection: dict[str, Any], item: dict[str, Any],
            found: dict[str, Any]) -> int:
    """A failed item: a hazard assigned at once to the site's owner (else open, for the operator to dispatch),
    titled with what was found."""
    number = findings.numbers(inspection["items"])[item["key"]]
    return automation.open_hazard(
        conn, doer.announcer, doer.now, site_id=inspection["site_id"],
        title=findings.hazard_title(item, found["note"]),
        description=findings.hazard_description(item, found["note"], number),
        severity="major" if item["major"] else "general", source="inspection",
        actor_id=doer.principal.id, assignee_id=inspection["owner_id"],
        refs={"inspection_id": inspection["id"], "inspection_item": item["key"]},
        detail={"inspection_id": inspection["id"], "item": item["key"]}, attachments=found["attachments"])
