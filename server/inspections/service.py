"""Checklist templates and inspections: an inspector's visit to a site, answered item by item, signed; every
failed item becomes a hazard assigned to the site's owner."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.principal import Principal
from server.accounts.roles import INSPECTORS, require
from server.context import Context
from server.errors import NotFound
from server.hazards.actions import Doer
from server.hazards.service import announcer
from server.inspections import templates, visits
from server.inspections.schemas import (
    AcknowledgeIn,
    AnswerResult,
    AnswersIn,
    AnswersOut,
    CompleteIn,
    InspectionCreate,
    InspectionDetail,
    InspectionOut,
    TemplateOut,
)
from server.sites.access import visible_site
from server.storage import Connection
from server.storage import inspections as sql
from server.storage.scopes import site_scope

__all__ = [
    "acknowledge", "answer", "complete", "get_inspection", "inspection_out", "list_inspections", "list_templates",
    "start",
]



def _doer(ctx: Context, principal: Principal) -> Doer:
    return Doer(principal, ctx.reference, announcer(ctx), ctx.clock())


def template_out(template: templates.Template) -> TemplateOut:
    return TemplateOut(id=template.id, version=template.version, kind=template.kind,
                       venue_types=list(template.venue_types), title={"zh-CN": template.zh, "en": template.en},
                       items=[visits.item_out(i) for i in template.items])


async def list_templates(ctx: Context, principal: Principal, kind: str | None,
                         site_id: int | None) -> list[TemplateOut]:
    every = list(templates.load().values())
    if site_id is not None:
        venue = (await visible_site(ctx, principal, site_id))["venue_type"]
        chosen = [templates.template_for(k, venue) for k in ("inspection", "remediation")]
        every = [t for t in chosen if t is not None]
    return [template_out(t) for t in every if kind is None or t.kind == kind]


def template_title(template_id: str) -> dict[str, str]:
    """A checklist's title in both languages; its id when the template is gone."""
    template = templates.load().get(template_id)
    return {"zh-CN": template.zh, "en": template.en} if template else {"zh-CN": template_id, "en": template_id}


def inspection_out(row: dict[str, Any], detail: bool = False, answers: list[dict[str, Any]] | None = None,
                   hazard_ids: list[int] | None = None) -> InspectionOut:
    fields = {**row, "title": template_title(row["template_id"]), "total": len(row["items"])}
    if not detail:
        return msgspec.convert(fields, InspectionOut)
    return msgspec.convert({**fields, "answers": answers or [], "hazard_ids": hazard_ids or []}, InspectionDetail)


async def list_inspections(ctx: Context, principal: Principal, site_id: int | None, limit: int) -> list[InspectionOut]:
    scope = site_scope(principal, ctx.reference)
    rows = await ctx.db.read(lambda c: sql.list_inspections(c, scope, site_id, limit))
    return [inspection_out(r) for r in rows]


async def get_inspection(ctx: Context, principal: Principal, inspection_id: int) -> InspectionDetail:
    scope = site_scope(principal, ctx.reference)

    def read(conn: Connection) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[int]]:
        row = sql.get_inspection(conn, inspection_id, scope)
        if row is None:
            return None, [], []
        return row, sql.answers(conn, inspection_id), sql.hazards_of(conn, inspection_id)

    row, answers, hazard_ids = await ctx.db.read(read)
    if row is None:
        raise NotFound("inspection", inspection_id)
    out = inspection_out(row, True, answers, hazard_ids)
    assert isinstance(out, InspectionDetail)
    return out


async def start(ctx: Context, principal: Principal, body: InspectionCreate) -> InspectionDetail:
    await visible_site(ctx, principal, body.site_id)
    require(principal, INSPECTORS, "inspect sites")
    doer = _doer(ctx, principal)
    inspection_id = await ctx.db.write(lambda c: visits.start(c, doer, body.site_id, body.template_id),
                                       durable=True)
    return await get_inspection(ctx, principal, inspection_id)


async def answer(ctx: Context, principal: Principal, inspection_id: int, body: AnswersIn) -> AnswersOut:
    """Save the answers that are good, refuse the others one by one with the reason."""
    require(principal, INSPECTORS, "answer inspection checklists")
    doer = _doer(ctx, principal)
    stamps = [visits.server_stamp(doer.now)] * len(body.answers)
    outcome = await ctx.db.write(lambda c: visits.answer(c, doer, inspection_id, body.answers, stamps), durable=True)
    results = [AnswerResult(index, item.key, "rejected" if status == "rejected" else "saved", error)
               for index, (item, (status, error)) in enumerate(zip(body.answers, outcome, strict=True))]
    return AnswersOut(results=results, inspection=await get_inspection(ctx, principal, inspection_id))


async def complete(ctx: Context, principal: Principal, inspection_id: int, body: CompleteIn) -> InspectionDetail:
    require(principal, INSPECTORS, "sign inspections")
    doer = _doer(ctx, principal)
    await ctx.db.write(lambda c: visits.sign(c, doer, inspection_id, body), durable=True)
    ctx.doorbell.ring()
    return await get_inspection(ctx, principal, inspection_id)


async def acknowledge(ctx: Context, principal: Principal, inspection_id: int, body: AcknowledgeIn) -> InspectionDetail:
    """The unit's representative signs the rectification notice on the inspector's phone."""
    require(principal, INSPECTORS, "take the unit's signature on a rectification notice")
    doer = _doer(ctx, principal)
    await ctx.db.write(lambda c: visits.acknowledge(c, doer, inspection_id, body.signed_by, body.signature),
                       durable=True)
    return await get_inspection(ctx, principal, inspection_id)
