"""Alarms, acknowledgement, a channel's readings, and the live stream of a site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.accounts.guards import Caller, Ctx, PathId
from server.accounts.service import authenticate
from server.alarms import service as alarms
from server.alarms.schemas import AckIn, AlarmOut
from server.errors import RateLimited, Unauthorized
from server.fields import MAX_ID
from server.live.hub import follow
from server.notify import service as notifications
from server.notify.schemas import DeliveryOut
from server.readings import service as readings
from server.readings.schemas import Readings
from server.sites import service as sites

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

    @get(
        "/{channel_id:int}/readings",
        summary="A channel's readings; bucket means when a step is given",
        description=(
            f"Raw readings for ranges up to 7 days and at most {readings.MAX_POINTS} points; with `step`, bucket "
            f"means at bucket starts, at most {readings.MAX_POINTS} buckets. Larger asks answer 400 naming `step` "
            "with the step that would fit. `from` defaults to 6 hours before `to`, `to` to now."
        ),
    )
    async def readings(
        self, ctx: Ctx, principal: Caller, channel_id: PathId,
        start: Annotated[float | None, QueryParameter(name="from", ge=0, le=1e11)] = None,
        end: Annotated[float | None, QueryParameter(name="to", ge=0, le=1e11)] = None,
        step: Annotated[float | None, QueryParameter(ge=1, le=366 * 86400)] = None,
    ) -> Readings:
        return await readings.readings(ctx, principal, channel_id, start, end, step)


class LiveController(Controller):
    path = "/api/v1/live"
    tags = ["live"]
    security = [{"BearerToken": []}]

    @get("/", summary="Server-Sent Events of a site: `reading`, `alarm` (with `transition`), `hazard` (with `event`); "
                      "the stream ends within seconds of its token being revoked or expiring")
    async def live(
        self, ctx: Ctx, principal: Caller, site_id: SiteId, request: Request[Any, Any, Any]
    ) -> ServerSentEvent:
        await sites.get_site(ctx, principal, site_id)  # 404 unless the caller may see the site
        caller = f"{principal.kind}:{principal.id}"
        most = ctx.settings.live_streams_per_caller
        if ctx.hub.open_streams(caller) >= most:
            raise RateLimited(f"{most} live streams are open with this account already; close one (another tab or "
                              "phone) and try again", retry_after_s=int(KEEPALIVE_S))
        authorization = request.headers.get("authorization")

        async def still_allowed() -> bool:
            try:
                await authenticate(ctx, authorization)
            except Unauthorized:
                return False
            return True

        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            async with ctx.hub.subscribe(site_id, caller) as sub:
                yield ServerSentEventMessage(data=None, comment="andian live")
                async for event in follow(sub, still_allowed, recheck_s=ctx.settings.live_recheck_s,
                                          keepalive_s=KEEPALIVE_S):
                    if event is None:
                        yield ServerSentEventMessage(data=None, comment="keep-alive")
                    else:
                        yield ServerSentEventMessage(data=msgspec.json.encode(event.data).decode(), event=event.event)

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
