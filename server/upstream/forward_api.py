"""Forward up over HTTP, cloud side: POST /api/v1/upstream/forward and PUT /api/v1/upstream/attachments/{sha256}
(a site box's gateway key only; each call is also the box's heartbeat), and GET /api/v1/gateways/catching-up for
the operator console."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.params import Body, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx
from server.attachments.service import MAX_BYTES
from server.fields import END
from server.upstream import forward_cloud
from server.upstream.forward_cloud import BoxBacklog
from server.upstream.presence import require_box, seen
from server.upstream.wire import AttachmentUp, Forward, ForwardAnswer

__all__ = ["BacklogController", "ForwardController"]

Sha256 = Annotated[str, PathParameter(pattern=r"^[0-9a-f]{64}" + END, description="sha256 of the file's bytes")]
# A batch of 20,000 readings is about 0.5 MB of JSON and 5,000 alarm transitions about 2 MB; a photo goes up as
# base64 (4/3 of its bytes) inside JSON.
FORWARD_MAX_BYTES = 8 * 1024 * 1024
ATTACHMENT_MAX_BYTES = MAX_BYTES * 4 // 3 + 4096


class ForwardController(Controller):
    path = "/api/v1/upstream"
    tags = ["upstream"]
    security = [{"BearerToken": []}]

    @post("/forward", status_code=HTTP_200_OK, request_max_body_size=FORWARD_MAX_BYTES,
          summary="A site box forwards what it recorded: alarm transitions, commissionings, events, readings, rollups",
          description=(
              "The box's gateway key only. Idempotent by `batch_id` per box (`duplicate: true` when stored before). "
              "Alarms keep the box's identity (`origin` \"gateway:{gateway_id}/{box alarm id}\"); the cloud runs no "
              "detection on forwarded readings. An item naming a device or channel the cloud does not know yet is "
              "refused by itself (`rejected[]`, index into its stream's list) and the box sends it again later; the "
              "good part is stored. `backlog` is what the box still holds, shown on GET /api/v1/gateways/{id}. 409 "
              "when `box_id` is not the box database that first forwarded with this gateway key (issue a new key)."))
    async def forward(self, ctx: Ctx, principal: Caller,
                      data: Annotated[Forward, Body(title="Forward")]) -> ForwardAnswer:
        gateway_id = require_box(principal)
        await seen(ctx, gateway_id)
        assert principal.site_id is not None  # a gateway key is bound to its site
        return await forward_cloud.receive(ctx, gateway_id, principal.site_id, data)

    @put("/attachments/{sha256:str}", status_code=HTTP_201_CREATED, request_max_body_size=ATTACHMENT_MAX_BYTES,
         summary="A site box uploads a file its forwarded records cite (201 new, 200 already there)",
         description="The box's gateway key only; `data` is the file as base64. 400 if its sha256 is not the "
                     "path's or it is not a photo or PDF.")
    async def attachment(self, ctx: Ctx, principal: Caller, sha256: Sha256,
                         data: Annotated[AttachmentUp, Body(title="AttachmentUp")]) -> Response[dict[str, Any]]:
        gateway_id = require_box(principal)
        await seen(ctx, gateway_id)
        created = await forward_cloud.store_attachment(ctx, gateway_id, sha256, data)
        return Response({"sha256": sha256, "size": len(data.data)},
                        status_code=HTTP_201_CREATED if created else HTTP_200_OK)


class BacklogController(Controller):
    path = "/api/v1/gateways"
    tags = ["gateways"]
    security = [{"BearerToken": []}]

    @get("/catching-up", summary="Site boxes still sending what they kept while the cloud was away (console)",
         description="Admins and operators: the boxes of their sites whose last batch said more is waiting, with "
                     "the counts per stream (readings estimated).")
    async def catching_up(self, ctx: Ctx, principal: Caller) -> list[BoxBacklog]:
        return await forward_cloud.catching_up(ctx, principal)
