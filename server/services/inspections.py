"""Checklist templates and inspections: an inspector's visit to a site, answered item by item, signed; every
failed item becomes a hazard assigned to the site's owner."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from ..auth.principal import Principal
from ..checklists import templates
from ..checklists.schemas import (
    AnswerResult,
    AnswersIn,
    AnswersOut,
    CompleteIn,
    InspectionCreate,
    InspectionDetail,
    InspectionOut,
    ItemOut,
    TemplateOut,
)
from ..context import Context
from ..errors import Conflict, InvalidInput, NotFound
from ..hazards import automation
from ..storage import hazards as hazard_sql
from ..storage import inspections as sql
from ..storage.scopes import site_scope
from .hazards import announcer
from .sites import require, visible_site

__all__ = ["INSPECTORS", "answer", "complete", "get_inspection", "list_inspections", "list_templates", "start"]

# Who inspects: the grid inspector, the operator company's staff, the regulator's officers, admins.
INSPECTORS = ("admin", "operator", "inspector", "regulator")


def _item(item: templates.Item) -> ItemOut:
    return ItemOut(key=item.key, text={"zh-CN": item.zh, "en": item.en}, section=item.section, major=item.major,
                   photo=item.photo)


def template_out(template: templates.Template) -> TemplateOut:
    return TemplateOut(id=template.id, version=template.version, kind=template.kind,
                       venue_types=list(template.venue_types), title={"zh-CN": template.zh, "en": template.en},
                       items=[_item(i) for i in template.items])


async def list_templates(ctx: Context, principal: Principal, kind: str | None,
                         site_id: int | None) -> list[TemplateOut]:
    every = list(templates.load().values())
    if site_id is not None:
        venue = (await visible_site(ctx, principal, site_id))["venue_type"]
        chosen = [templates.template_for(k, venue) for k in ("inspection", "remediation")]
        every = [t for t in chosen if t is not None]
    return [template_out(t) for t in every if kind is None or t.kind == kind]


def _out(row: dict[str, Any], detail: bool = False, answers: list[dict[str, Any]] | None = None,
         hazard_ids: list[int] | None = None) -> InspectionOut:
    template = templates.load().get(row["template_id"])
    title = {"zh-CN": template.zh, "en": template.en} if template else {"zh-CN": row["template_id"],
                                                                        "en": row["template_id"]}
    fields = {**row, "title": title, "total": len(row["items"])}
    if not detail:
        return msgspec.convert(fields, InspectionOut)
    return msgspec.convert({**fields, "answers": answers or [], "hazard_ids": hazard_ids or []}, InspectionDetail)


async def list_inspections(ctx: Context, principal: Principal, site_id: int | None, limit: int) -> list[InspectionOut]:
    where, params = site_scope(principal, ctx.reference)
    rows = await ctx.db.read(lambda c: sql.list_inspections(c, where, params, site_id, limit))
    return [_out(r) for r in rows]


async def get_inspection(ctx: Context, principal: Principal, inspection_id: int) -> InspectionDetail:
    where, params = site_scope(principal, ctx.reference)

    def read(conn: sqlite3.Connection) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[int]]:
        row = sql.get_inspection(conn, inspection_id, where, params)
        if row is None:
            return None, [], []
        return row, sql.answers(conn, inspection_id), sql.hazards_of(conn, inspection_id)

    row, answers, hazard_ids = await ctx.db.read(read)
    if row is None:
        raise NotFound("inspection", inspection_id)
    out = _out(row, True, answers, hazard_ids)
    assert isinstance(out, InspectionDetail)
    return out


async def start(ctx: Context, principal: Principal, body: InspectionCreate) -> InspectionDetail:
    site = await visible_site(ctx, principal, body.site_id)
    require(principal, INSPECTORS, "inspect sites")
    if body.template_id is None:
        template = templates.template_for("inspection", site["venue_type"])
    else:
        template = templates.load().get(body.template_id)
        if template is None or template.kind == "acceptance":
            raise InvalidInput("template_id", f"no inspection checklist {body.template_id!r}; "
                                              "GET /api/v1/checklists lists them")
    assert template is not None
    record = {"site_id": body.site_id, "template_id": template.id, "template_version": template.version,
              "items": [msgspec.to_builtins(_item(i)) for i in template.items], "inspector_id": principal.id,
              "started_at": ctx.clock()}
    inspection_id = await ctx.db.write(lambda c: sql.insert_inspection(c, record), durable=True)
    return await get_inspection(ctx, principal, inspection_id)


async def answer(ctx: Context, principal: Principal, inspection_id: int, body: AnswersIn) -> AnswersOut:
    """Save the answers that are good, refuse the others one by one with the reason."""
    require(principal, INSPECTORS, "answer inspection checklists")
    where, params = site_scope(principal, ctx.reference)
    now = ctx.clock()

    def save(conn: sqlite3.Connection) -> list[AnswerResult]:
        row = sql.get_inspection(conn, inspection_id, where, params)
        if row is None:
            raise NotFound("inspection", inspection_id)
        if row["state"] == "completed":
            raise Conflict("this inspection is signed and completed; start a new one to change answers")
        keys = {i["key"] for i in row["items"]}
        results, good = [], []
        for index, item in enumerate(body.answers):
            error = None
            if item.key not in keys:
                error = f"answers[{index}].key: no item {item.key!r} in checklist {row['template_id']}"
            elif missing := hazard_sql.missing_attachments(conn, item.attachments):
                error = f"answers[{index}].attachments: upload {missing[0][:12]}… first (PUT /api/v1/attachments)"
            if error:
                results.append(AnswerResult(index, item.key, "rejected", error))
                continue
            results.append(AnswerResult(index, item.key, "saved"))
            good.append({"key": item.key, "answer": item.answer, "note": item.note.strip(),
                         "attachments": item.attachments, "answered_at": now, "answered_by": principal.id})
        sql.save_answers(conn, inspection_id, good)
        return results

    results = await ctx.db.write(save, durable=True)
    return AnswersOut(results=results, inspection=await get_inspection(ctx, principal, inspection_id))


async def complete(ctx: Context, principal: Principal, inspection_id: int, body: CompleteIn) -> InspectionDetail:
    require(principal, INSPECTORS, "sign inspections")
    where, params = site_scope(principal, ctx.reference)
    now = ctx.clock()
    voice = announcer(ctx)

    def sign(conn: sqlite3.Connection) -> None:
        row = sql.get_inspection(conn, inspection_id, where, params)
        if row is None:
            raise NotFound("inspection", inspection_id)
        if row["state"] == "completed":
            raise Conflict("this inspection is already signed")
        given = {a["key"]: a for a in sql.answers(conn, inspection_id)}
        missing = [i["text"]["zh-CN"] for i in row["items"] if i["key"] not in given]
        if missing:
            raise InvalidInput("answers", f"{len(missing)} items not answered yet, e.g. {missing[0]}")
        for item in row["items"]:
            found = given[item["key"]]
            if found["answer"] == "fail":
                _hazard(conn, voice, row, item, found, principal.id, now)
        sql.update_inspection(conn, inspection_id, {"state": "completed", "completed_at": now,
                                                    "signed_by": body.signed_by.strip(),
                                                    "summary": body.summary.strip()})

    await ctx.db.write(sign, durable=True)
    ctx.hub.alarms.set()
    return await get_inspection(ctx, principal, inspection_id)


def _hazard(conn: sqlite3.Connection, voice: Any, inspection: dict[str, Any], item: dict[str, Any],
            found: dict[str, Any], actor_id: int, now: float) -> None:
    """A failed item: a hazard assigned at once to the site's owner (else open, for the operator to dispatch)."""
    automation.open_hazard(
        conn, voice, now, site_id=inspection["site_id"], title=item["text"]["zh-CN"], description=found["note"],
        severity="major" if item["major"] else "general", source="inspection", actor_id=actor_id,
        assignee_id=inspection["owner_id"], refs={"inspection_id": inspection["id"]},
        detail={"inspection_id": inspection["id"], "item": item["key"]}, attachments=found["attachments"])
