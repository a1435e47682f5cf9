"""POST /api/v1/ingest: batches of samples and events from gateways, site boxes and installers."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.params import Body

from server.accounts.guards import Caller, Ctx
from server.ingest import service as ingest
from server.ingest.wire import IngestBatch, IngestBatchDTO, IngestResult, ParsedBatch

__all__ = ["IngestController"]


class IngestController(Controller):
    path = "/api/v1/ingest"
    tags = ["ingest"]
    security = [{"BearerToken": []}]

    @post(
        "/",
        status_code=200,
        dto=IngestBatchDTO,
        return_dto=None,
        summary="Store a batch of samples and events; detection runs on it before the answer",
        description=(
            "A gateway key, or a user token of role installer/operator/admin for the caller's sites. Bad items are "
            "rejected one by one (`rejected[].index` into `samples` or `events`, per `kind`) and the good ones are "
            "stored. A repeated `batch_id` is acknowledged again and stored once (`duplicate: true`). Bodies over "
            "the size limit answer 413."
        ),
    )
    async def ingest(
        self, ctx: Ctx, principal: Caller, data: Annotated[IngestBatch, Body(title="IngestBatch")]
    ) -> IngestResult:
        access = ingest.access_for(ctx, principal)
        parsed = data
        assert isinstance(parsed, ParsedBatch)  # the DTO decodes item by item (ingest.wire.parse_batch)
        return await ingest.ingest(ctx, access, parsed)
