"""Commands down, the box's two endpoints (a site box's gateway key only): take commands (long-poll), post a result."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from server.accounts.guards import Caller, Ctx, PathId
from server.upstream import commands_cloud
from server.upstream.wire import CommandResult, Commands

__all__ = ["CommandsController"]

# Bounds the schema can state; a wait above the cloud's own heartbeat (ANDIAN_UPSTREAM_HEARTBEAT_S) is served as
# the heartbeat, so a box configured otherwise keeps working instead of being refused.
Wait = Annotated[float, QueryParameter(ge=0, le=3600, description="seconds to wait for a command when there is none "
                                                                   "(at most the cloud's heartbeat interval)")]


class CommandsController(Controller):
    path = "/api/v1/upstream/commands"
    tags = ["upstream"]
    security = [{"BearerToken": []}]

    @get("/", summary="A site box takes the commands the cloud's console queued for it (long-poll; its heartbeat)",
         description="Answers at once with the gateway's waiting commands (marked taken), else after `wait` seconds "
                     "with none. Only a site box's gateway key; user tokens are refused (403).")
    async def take(self, ctx: Ctx, principal: Caller, wait: Wait = 0.0) -> Commands:
        return await commands_cloud.take(ctx, principal, wait)

    @post("/{command_id:int}/result", status_code=HTTP_204_NO_CONTENT,
          summary="A site box reports what it did with a command it took (the breaker's read-back position)",
          description="404 for a command of another gateway; 409 when the command is final already (answered, or "
                      "expired and reported to the operator as not answered).")
    async def result(self, ctx: Ctx, principal: Caller, command_id: PathId, data: JSONBody[CommandResult]) -> None:
        await commands_cloud.record_result(ctx, principal, command_id, data)
