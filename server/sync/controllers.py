"""Offline sync: push a device's mutations, pull what changed (docs/sync.md)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from offline_sync.protocol import PullResult, Push, PushResult
from server.accounts.guards import Caller, Ctx
from server.sync import service as sync
from server.sync.pull import DEFAULT_LIMIT, MAX_LIMIT

__all__ = ["SyncController"]


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]
    security = [{"BearerToken": []}]

    @post("/push", status_code=HTTP_200_OK,
          summary="Apply a device's mutations in order; one result per mutation (applied, merged, rejected with "
                  "the reason, or duplicate)")
    async def push(self, ctx: Ctx, principal: Caller, data: JSONBody[Push]) -> PushResult:
        return await sync.push(ctx, principal, data)

    @get("/pull", summary="What changed since the cursor among the records the caller may see, with tombstones; "
                          "pull again while `more` is true")
    async def pull(
        self, ctx: Ctx, principal: Caller,
        cursor: Annotated[str | None, QueryParameter(max_length=60, description="from the last pull; none at first")]
        = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="records per page")] = DEFAULT_LIMIT,
    ) -> PullResult:
        return await sync.pull(ctx, principal, cursor, limit)
