"""Alarms: the list, one alarm with its delivery log, acknowledgement."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from server.accounts.guards import Caller, Ctx, PathId
from server.alarms import service as alarms
from server.alarms.schemas import AckIn, AckManyIn, AckManyOut, AlarmCause, AlarmLevel, AlarmOut
from server.fields import MAX_ID
from server.notify import service as notifications
from server.notify.schemas import DeliveryOut

__all__ = ["AlarmController"]

Causes = Annotated[list[AlarmCause] | None, QueryParameter(name="cause", description="only these causes (repeat)")]
Levels = Annotated[list[AlarmLevel] | None, QueryParameter(name="level", description="only these levels (repeat)")]
Region = Annotated[str | None, QueryParameter(pattern=r"^\d{6,15}$", description="only sites in this region (a "
                                              "district covers its streets and grids; GB/T 2260 code)")]


class AlarmController(Controller):
    path = "/api/v1/alarms"
    tags = ["alarms"]
    security = [{"BearerToken": []}]

    @get("/", summary="Alarms of the sites the caller may see, active first, newest first")
    async def list_all(
        self, ctx: Ctx, principal: Caller, site_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        active: Annotated[bool | None, QueryParameter()] = None,
        since: Annotated[float | None, QueryParameter(ge=0, le=1e11)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200, region: Region = None,
        company_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="only this operator company's "
                                                         "sites (for admins)")] = None,
        causes: Causes = None, levels: Levels = None,
        acknowledged: Annotated[bool | None, QueryParameter(description="only acknowledged ones, or only not")] = None,
        test: Annotated[bool | None, QueryParameter(description="only self-test (自检) alarms, or only real ones")]
        = None,
    ) -> list[AlarmOut]:
        filters = alarms.AlarmFilters(region=region, company_id=company_id, causes=tuple(causes or ()),
                                      levels=tuple(levels or ()), acknowledged=acknowledged, test=test)
        return await alarms.list_alarms(ctx, principal, site_id=site_id, active=active, since=since, limit=limit,
                                        filters=filters)

    @get("/{alarm_id:int}", summary="One alarm (the page a notification links to)")
    async def one(self, ctx: Ctx, principal: Caller, alarm_id: PathId) -> AlarmOut:
        return await alarms.get_alarm(ctx, principal, alarm_id)

    @get("/{alarm_id:int}/deliveries", summary="The delivery log of one alarm: who was told of each transition, "
                                                "how, and every attempt")
    async def deliveries(self, ctx: Ctx, principal: Caller, alarm_id: PathId) -> list[DeliveryOut]:
        return await notifications.deliveries(ctx, principal, alarm_id)

    @post("/ack", status_code=200, summary="Acknowledge several alarms with one note (the console); per alarm",
          description="Each alarm answers on its own: acknowledged (200), already acknowledged (409), or unknown or "
                      "out of the caller's sight (404). The good ones are acknowledged even when others are not.")
    async def ack_many(self, ctx: Ctx, principal: Caller, data: JSONBody[AckManyIn]) -> AckManyOut:
        return await alarms.acknowledge_many(ctx, principal, data.alarm_ids, data.note)

    @post("/{alarm_id:int}/ack", status_code=200, summary="Acknowledge an alarm (owner, operator, installer, admin)")
    async def ack(
        self, ctx: Ctx, principal: Caller, alarm_id: PathId, data: JSONBody[AckIn | None] = None
    ) -> AlarmOut:
        return await alarms.acknowledge(ctx, principal, alarm_id, (data or AckIn()).note)


