"""Hazards with their workflow and thread, and a site's alarm → hazard rules."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.fields import MAX_ID
from server.hazards import service as hazards
from server.hazards.schemas import (
    AssigneeOut,
    CommentIn,
    DispatchIn,
    HazardCreate,
    HazardDetail,
    HazardOut,
    HazardRules,
    HazardTransition,
)

__all__ = ["DispatchController", "HazardController", "HazardRulesController"]

# A path parameter's constraints go in PathParameter: Litestar documents those, not the ones of msgspec's Meta.
# "state" is a name Litestar keeps for itself; the query parameter keeps it.
States = Annotated[list[Literal["open", "assigned", "rectified", "verified", "closed"]] | None,
                   QueryParameter(name="state", description="only hazards in these states (repeat the parameter)")]


class HazardController(Controller):
    path = "/api/v1/hazards"
    tags = ["hazards"]
    security = [{"BearerToken": []}]

    @get("/", summary="Hazards of the sites the caller sees: unfinished first, soonest due first")
    async def list_all(
        self, ctx: Ctx, principal: Caller, site_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        states: States = None, overdue: Annotated[bool, QueryParameter(description="only overdue ones")] = False,
        mine: Annotated[bool, QueryParameter(description="only those assigned to the caller")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[HazardOut]:
        return await hazards.list_hazards(ctx, principal, site_id=site_id, states=list(states or []),
                                          overdue=overdue, mine=mine, limit=limit)

    @post("/", status_code=HTTP_201_CREATED, summary="Report a hazard (from an inspection, an alarm or "
                                                     "commissioning); assign it at once if you may")
    async def create(self, ctx: Ctx, principal: Caller, data: JSONBody[HazardCreate]) -> HazardDetail:
        return await hazards.create_hazard(ctx, principal, data)

    @get("/{hazard_id:int}", summary="A hazard with its timeline: transitions, comments and photos")
    async def one(self, ctx: Ctx, principal: Caller, hazard_id: PathId) -> HazardDetail:
        return await hazards.get_hazard(ctx, principal, hazard_id)

    @post("/{hazard_id:int}/transition", status_code=HTTP_200_OK,
          summary="Move a hazard: assigned, rectified (with photos), verified, rejected (with a note), closed; "
                  "409 if illegal from its state, 403 if not yours to make")
    async def move(self, ctx: Ctx, principal: Caller, hazard_id: PathId,
                   data: JSONBody[HazardTransition]) -> HazardDetail:
        return await hazards.transition(ctx, principal, hazard_id, data)

    @post("/{hazard_id:int}/comments", status_code=HTTP_201_CREATED,
          summary="Write on a hazard's thread (owner, operator company, inspector, regulator)")
    async def comment(self, ctx: Ctx, principal: Caller, hazard_id: PathId,
                      data: JSONBody[CommentIn]) -> HazardDetail:
        return await hazards.comment(ctx, principal, hazard_id, data)


class HazardRulesController(Controller):
    path = "/api/v1/sites/{site_id:int}/hazard-rules"
    tags = ["hazards"]
    security = [{"BearerToken": []}]

    @get("/", summary="When a site's alarms become hazards")
    async def show(self, ctx: Ctx, principal: Caller, site_id: PathId) -> HazardRules:
        return await hazards.get_rules(ctx, principal, site_id)

    @get("/assignees", summary="Who can take the site's hazards: owner, operator company staff, grid inspectors "
                               "(for those who assign)")
    async def assignees(self, ctx: Ctx, principal: Caller, site_id: PathId) -> list[AssigneeOut]:
        return await hazards.assignees(ctx, principal, site_id)

    @put("/", summary="Set when a site's alarms become hazards (operator, admin)")
    async def change(self, ctx: Ctx, principal: Caller, site_id: PathId, data: JSONBody[HazardRules]) -> HazardRules:
        return await hazards.set_rules(ctx, principal, site_id, data)




class DispatchController(Controller):
    path = "/api/v1/alarms"
    tags = ["console"]
    security = [{"BearerToken": []}]

    @post("/{alarm_id:int}/dispatch", status_code=HTTP_200_OK,
          summary="Dispatch an alarm: its hazard (made now, or the one it made) assigned to one of the operator "
                  "company's electricians (operator, admin)",
          description="400 naming assignee_id when the user is not an electrician of the site's company (see GET "
                      "/api/v1/companies/{id}/electricians), or due when it is past; 409 for a self-test alarm or a "
                      "hazard already rectified.")
    async def dispatch(self, ctx: Ctx, principal: Caller, alarm_id: PathId, data: JSONBody[DispatchIn]) -> HazardDetail:
        return await hazards.dispatch_alarm(ctx, principal, alarm_id, data)
