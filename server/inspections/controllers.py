"""Checklist templates and inspections."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.fields import MAX_ID
from server.inspections import notice
from server.inspections import service as inspections
from server.inspections.notice_html import render_html
from server.inspections.notice_pdf import render_pdf
from server.inspections.schemas import (
    AcknowledgeIn,
    AnswersIn,
    AnswersOut,
    CompleteIn,
    InspectionCreate,
    InspectionDetail,
    InspectionOut,
    TemplateOut,
)

__all__ = ["ChecklistController", "InspectionController"]

SiteId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


class ChecklistController(Controller):
    path = "/api/v1/checklists"
    tags = ["inspections"]
    security = [{"BearerToken": []}]

    @get("/", summary="Checklist templates (acceptance, inspection, remediation); with site_id, the ones for its "
                      "venue type")
    async def list_all(
        self, ctx: Ctx, principal: Caller, site_id: SiteId = None,
        kind: Annotated[Literal["acceptance", "inspection", "remediation"] | None, QueryParameter()] = None,
    ) -> list[TemplateOut]:
        return await inspections.list_templates(ctx, principal, kind, site_id)


class InspectionController(Controller):
    path = "/api/v1/inspections"
    tags = ["inspections"]
    security = [{"BearerToken": []}]

    @get("/", summary="Inspections of the sites the caller sees, newest first")
    async def list_all(self, ctx: Ctx, principal: Caller, site_id: SiteId = None,
                       limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100) -> list[InspectionOut]:
        return await inspections.list_inspections(ctx, principal, site_id, limit)

    @post("/", status_code=HTTP_201_CREATED, summary="Start an inspection of a site with its venue type's checklist "
                                                     "(inspector, operator, regulator, admin)")
    async def create(self, ctx: Ctx, principal: Caller, data: JSONBody[InspectionCreate]) -> InspectionDetail:
        return await inspections.start(ctx, principal, data)

    @get("/{inspection_id:int}", summary="An inspection with its items, answers and the hazards it made")
    async def one(self, ctx: Ctx, principal: Caller, inspection_id: PathId) -> InspectionDetail:
        return await inspections.get_inspection(ctx, principal, inspection_id)

    @post("/{inspection_id:int}/answers", status_code=HTTP_200_OK,
          summary="Save answers (pass/fail/na, note, photos); each is saved or refused with its reason")
    async def answer(self, ctx: Ctx, principal: Caller, inspection_id: PathId,
                     data: JSONBody[AnswersIn]) -> AnswersOut:
        return await inspections.answer(ctx, principal, inspection_id, data)

    @post("/{inspection_id:int}/complete", status_code=HTTP_200_OK,
          summary="Sign the inspection; every failed item becomes a hazard assigned to the site's owner")
    async def complete(self, ctx: Ctx, principal: Caller, inspection_id: PathId,
                       data: JSONBody[CompleteIn]) -> InspectionDetail:
        return await inspections.complete(ctx, principal, inspection_id, data)

    @post("/{inspection_id:int}/acknowledge", status_code=HTTP_200_OK,
          summary="The unit signs the rectification notice (整改通知书) of a signed inspection on the inspector's "
                  "phone: its representative's name and drawn signature (an uploaded image)")
    async def acknowledge(self, ctx: Ctx, principal: Caller, inspection_id: PathId,
                          data: JSONBody[AcknowledgeIn]) -> InspectionDetail:
        return await inspections.acknowledge(ctx, principal, inspection_id, data)

    @get("/{inspection_id:int}/notice", summary="The rectification notice (整改通知书) of a signed inspection: the "
                                               "findings with photos' references and due dates, the inspector, the "
                                               "unit and its signature; as JSON, HTML or PDF")
    async def notice(
        self, ctx: Ctx, principal: Caller, inspection_id: PathId,
        format: Annotated[Literal["json", "html", "pdf"], QueryParameter()] = "json",
        lang: Annotated[Literal["zh-CN", "en"], QueryParameter()] = "zh-CN",
    ) -> Response[Any]:
        built = await notice.build(ctx, principal, inspection_id, lang)
        tz = ctx.settings.timezone
        drawn = await notice.signature_image(ctx, built) if format != "json" else None
        if format == "html":
            return Response(render_html(built, tz, drawn), media_type="text/html", headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                           "frame-ancestors 'none'"})
        if format == "pdf":
            data = await asyncio.to_thread(render_pdf, built, tz, drawn)
            name = f"andian-notice-{inspection_id}.pdf"
            return Response(data, media_type="application/pdf",
                            headers={"Content-Disposition": f'inline; filename="{name}"'})
        return Response(msgspec.to_builtins(built), media_type="application/json")
