"""A channel's readings over HTTP."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from server.accounts.guards import Caller, Ctx, PathId
from server.readings import service as readings
from server.readings.schemas import Readings

__all__ = ["ReadingsController"]

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
