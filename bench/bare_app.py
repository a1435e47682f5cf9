"""Baselines served by uvicorn beside the real server, so the same client measures both.

``app`` (P2): a Litestar endpoint that decodes the ingest body with msgspec and answers 202, nothing more.
``sync_app`` (P6): a push that decodes the body into ``offline_sync.protocol.Push``, converts each mutation to its
``Mutation`` struct and answers ``applied`` for each; and a pull that answers, for each (limit, cursor), the JSON
bytes the real server gave for it, already encoded (read from the file named by ``ANDIAN_BENCH_PULL_PAGES``,
written by bench/sync.py), with the real app's compression settings.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.config.compression import CompressionConfig

from offline_sync.protocol import Mutation, MutationResult, Push, PushResult
from server.ingest.wire import IngestBatch

_decoder = msgspec.json.Decoder(IngestBatch)
_push_decoder = msgspec.json.Decoder(Push)
PAGES_ENV = "ANDIAN_BENCH_PULL_PAGES"


@post("/api/v1/ingest", status_code=202)
async def ingest(request: Request[Any, Any, Any]) -> dict[str, int]:
    batch = _decoder.decode(await request.body())
    return {"accepted": len(batch.samples)}


app = Litestar([ingest], request_max_body_size=4 * 1024 * 1024)


@post("/api/v1/sync/push", status_code=200)
async def push(request: Request[Any, Any, Any]) -> PushResult:
    body = _push_decoder.decode(await request.body())
    mutations = [msgspec.convert(m, Mutation) for m in body.mutations]
    return PushResult([MutationResult(m.mutation_id, "applied") for m in mutations])


@functools.cache
def _pages() -> dict[tuple[int, str], bytes]:
    saved = msgspec.msgpack.decode(Path(os.environ[PAGES_ENV]).read_bytes(), type=list[tuple[int, str, bytes]])
    return {(limit, cursor): body for limit, cursor, body in saved}


@get("/api/v1/sync/pull")
async def pull(limit: int = 500, cursor: str = "") -> Response[bytes]:
    return Response(_pages()[limit, cursor], media_type="application/json")


# The same compression as server/web/app.py: gzip for clients that accept it (browsers and httpx do).
sync_app = Litestar([push, pull], request_max_body_size=4 * 1024 * 1024,
                    compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6))
