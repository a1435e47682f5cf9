"""Checklist templates and inspections."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.fields import MAX_ID
from server.inspections import service as inspections
from server.inspections.schemas import (
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
