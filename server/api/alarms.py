"""Alarms, acknowledgement, a channel's readings, and the live stream of a site."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from ..notify.schemas import DeliveryOut
from ..schemas import MAX_ID, AckIn, AlarmOut, Readings
from ..services import alarms, notifications, sites
from .deps import Caller, Ctx, PathId

__all__ = ["AlarmController", "LiveController", "ReadingsController"]

# Keep-alive comments stop proxies and phones from closing an idle stream.
KEEPALIVE_S = 15.0

SiteId = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]


class AlarmController(Controller):
    path = "/api/v1/alarms"
    tags = ["alarms"]
    security = [{"BearerToken": []}]

    @get("/", summary="Alarms of the sites the caller may see, active first, newest first")
    async def list_all(
        self, ctx: Ctx, principal: Caller, site_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        active: Annotated[bool | None, QueryParameter()] = None,
        since: Annotated[float | None, QueryParameter(ge=0, le=1e11)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[AlarmOut]:
        return await alarms.list_alarms(ctx, principal, site_id=site_id, active=active, since=since, limit=limit)

    @get("/{alarm_id:int}", summary="One alarm (the page a notification links to)")
    async def one(self, ctx: Ctx, principal: Caller, alarm_id: PathId) -> AlarmOut:
        return await alarms.get_alarm(ctx, principal, alarm_id)

    @get("/{alarm_id:int}/deliveries", summary="The delivery log of one alarm: who was told of each transition, "
                                                "how, and every attempt")
    async def deliveries(self, ctx: Ctx, principal: Caller, alarm_id: PathId) -> list[DeliveryOut]:
        return await notifications.deliveries(ctx, principal, alarm_id)

    @post("/{alarm_id:int}/ack", status_code=200, summary="Acknowledge an alarm (owner, operator, installer, admin)")
    async def ack(
        self, ctx: Ctx, principal: Caller, alarm_id: PathId, data: JSONBody[AckIn | None] = None
    ) -> AlarmOut:
        return await alarms.acknowledge(ctx, principal, alarm_id, (data or AckIn()).note)


class ReadingsController(Controller):
    path = "/api/v1/channels"
    tags = ["readings"]
    security = [{"BearerToken": []}]

    @get("/{channel_id:int}/readings", summary="A channel's readings; bucket means when a step is given")
    async def readings(
        self, ctx: Ctx, principal: Caller, channel_id: PathId,
        start: Annotated[float | None, QueryParameter(name="from", ge=0, le=1e11)] = None,
        end: Annotated[float | None, QueryParameter(name="to", ge=0, le=1e11)] = None,
        step: Annotated[float | None, QueryParameter(ge=1, le=31 * 86400)] = None,
    ) -> Readings:
        return await alarms.readings(ctx, principal, channel_id, start, end, step)


class LiveController(Controller):
    path = "/api/v1/live"
    tags = ["live"]
    security = [{"BearerToken": []}]

    @get("/", summary="Server-Sent Events of a site: `reading`, `alarm` (with `transition`), `hazard` (with `event`)")
    async def live(self, ctx: Ctx, principal: Caller, site_id: SiteId) -> ServerSentEvent:
        await sites.get_site(ctx, principal, site_id)  # 404 unless the caller may see the site

        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            async with ctx.hub.subscribe(site_id) as sub:
                yield ServerSentEventMessage(data=None, comment="andian live")
                while not sub.overflowed:
                    try:
                        event = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
                    except TimeoutError:
                        yield ServerSentEventMessage(data=None, comment="keep-alive")
                        continue
                    yield ServerSentEventMessage(data=msgspec.json.encode(event.data).decode(), event=event.event)

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
