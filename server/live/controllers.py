"""The live stream of a site (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.accounts.guards import Caller, Ctx
from server.accounts.service import authenticate
from server.errors import RateLimited, Unauthorized
from server.fields import MAX_ID
from server.live.hub import follow
from server.sites import service as sites

__all__ = ["KEEPALIVE_S", "LiveController", "SiteId"]

# Keep-alive comments stop proxies and phones from closing an idle stream.
KEEPALIVE_S = 15.0


SiteId = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]


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
