"""Attachments over HTTP: upload once by sha256, read what you may."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, put
from litestar.params import PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx
from server.attachments import service as attachments
from server.fields import END

__all__ = ["AttachmentController"]

Sha256 = Annotated[str, PathParameter(pattern=r"^[0-9a-f]{64}" + END, description="sha256 of the file's bytes")]


class AttachmentController(Controller):
    path = "/api/v1/attachments"
    tags = ["attachments"]
    security = [{"BearerToken": []}]

    @put("/{sha256:str}", status_code=HTTP_201_CREATED, request_max_body_size=attachments.MAX_BYTES,
         summary="Upload a photo or PDF by its sha256: 201 new, 200 already there, 400 if the hash does not match")
    async def upload(self, ctx: Ctx, principal: Caller, sha256: Sha256,
                     request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        data = await request.body()
        created = await attachments.store(ctx, principal, sha256, data, request.headers.get("content-type", ""))
        return Response({"sha256": sha256, "size": len(data)}, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/{sha256:str}", summary="An attachment's bytes (yours, or evidence on a hazard you see)")
    async def download(self, ctx: Ctx, principal: Caller, sha256: Sha256) -> Response[bytes]:
        data, content_type = await attachments.read(ctx, principal, sha256)
        # Photos show in the page; anything else (a PDF) is a download, never rendered in the app's origin.
        shown = "inline" if content_type in attachments.IMAGE_TYPES else "attachment"
        extension = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg").replace("octet-stream", "bin")
        return Response(data, media_type=content_type, headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": f'{shown}; filename="{sha256[:16]}.{extension}"',
        })
