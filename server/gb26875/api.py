"""HTTP for GB/T 26875.3 transmission devices (docs/gb26875.md "Receiving"): status, mapping, events, commands."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.gb26875 import service
from server.gb26875.mapping import CommandIn, CommandOut, EventOut, MappingIn, Status

__all__ = ["GB26875Controller"]

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="at most this many, newest first")]


class GB26875Controller(Controller):
    path = "/api/v1/gateways/{gateway_id:int}/gb26875"
    tags = ["gateways"]
    security = [{"BearerToken": []}]

    @get("", summary="A transmission device's link: connection, last frame, counters, mapping, recent commands",
         description="404 for a gateway that is not a GB/T 26875.3 transmission device (protocol gb26875).")
    async def status(self, ctx: Ctx, principal: Caller, gateway_id: PathId) -> Status:
        return await service.status(ctx, principal, gateway_id)

    @put("/mapping", status_code=HTTP_200_OK,
         summary="Set which channel each user-defined analogue type (128–255) feeds, and its scale (audited)")
    async def set_mapping(self, ctx: Ctx, principal: Caller, gateway_id: PathId,
                          data: JSONBody[MappingIn]) -> Status:
        return await service.set_mapping(ctx, principal, gateway_id, data)

    @get("/events", summary="Frames kept as events (not readings or alarm states), newest first")
    async def events(self, ctx: Ctx, principal: Caller, gateway_id: PathId, limit: Limit = 100) -> list[EventOut]:
        return await service.list_events(ctx, principal, gateway_id, limit)

    @post("/commands", status_code=HTTP_201_CREATED,
          summary="Send 查岗 (duty_check), time sync (sync_clock) or initialise to the connected device",
          description="409 when the device is not connected (传输装置未连接). initialise needs \"confirm\": true. "
                      "Unconfirmed after 10 s it is sent again, up to 3 times, then no_answer (a duty_check: "
                      "once timeout_min passed with no answer).")
    async def send(self, ctx: Ctx, principal: Caller, gateway_id: PathId, data: JSONBody[CommandIn]) -> CommandOut:
        return await service.send_command(ctx, principal, gateway_id, data)

    @get("/commands/{command_id:int}", summary="A command sent to the device and what became of it")
    async def command(self, ctx: Ctx, principal: Caller, gateway_id: PathId, command_id: PathId) -> CommandOut:
        return await service.get_command(ctx, principal, gateway_id, command_id)
