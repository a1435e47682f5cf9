"""P2's baseline: a Litestar endpoint that decodes the ingest body with msgspec and answers 202, nothing more."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request, post

from server.ingest.wire import IngestBatch

_decoder = msgspec.json.Decoder(IngestBatch)


@post("/api/v1/ingest", status_code=202)
async def ingest(request: Request[Any, Any, Any]) -> dict[str, int]:
    batch = _decoder.decode(await request.body())
    return {"accepted": len(batch.samples)}


app = Litestar([ingest], request_max_body_size=4 * 1024 * 1024)
