"""Sites, devices, channels and gateways."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.accounts.guards import Caller, Ctx, PathId
from server.devices.schemas import (
    ChannelOut,
    ChannelPatch,
    DeviceCreate,
    DeviceOut,
    GatewayCreate,
    GatewayCreated,
    GatewayOut,
)
from server.sites import service as sites
from server.sites.schemas import SiteCreate, SiteDetail, SiteOut

__all__ = ["DeviceController", "GatewayController", "SiteController"]


class SiteController(Controller):
    path = "/api/v1/sites"
    tags = ["sites"]
    security = [{"BearerToken": []}]

    @post("/", status_code=HTTP_201_CREATED, summary="Create a site (admin, operator, installer)")
    async def create_one(self, ctx: Ctx, principal: Caller, data: JSONBody[SiteCreate]) -> SiteOut:
        return await sites.create_site(ctx, principal, data)

    @get("/", summary="Sites the caller may see")
    async def list_all(self, ctx: Ctx, principal: Caller) -> list[SiteOut]:
        return await sites.list_sites(ctx, principal)

    @get("/{site_id:int}", summary="A site with its devices, channels and status")
    async def get_one(self, ctx: Ctx, principal: Caller, site_id: PathId) -> SiteDetail:
        return await sites.get_site(ctx, principal, site_id)

    @post("/{site_id:int}/devices", status_code=HTTP_201_CREATED, summary="Register a device with its channels")
    async def add_device(
        self, ctx: Ctx, principal: Caller, site_id: PathId, data: JSONBody[DeviceCreate]
    ) -> DeviceOut:
        return await sites.create_device(ctx, principal, site_id, data)

    @post("/{site_id:int}/gateways", status_code=HTTP_201_CREATED, summary="Issue a gateway API key (shown once)")
    async def add_gateway(
        self, ctx: Ctx, principal: Caller, site_id: PathId, data: JSONBody[GatewayCreate | None] = None
    ) -> GatewayCreated:
        return await sites.create_gateway(ctx, principal, site_id, data or GatewayCreate())

    @get("/{site_id:int}/gateways", summary="The site's gateways (keys are never shown again)")
    async def list_gateways(self, ctx: Ctx, principal: Caller, site_id: PathId) -> list[GatewayOut]:
        return await sites.list_gateways(ctx, principal, site_id)


class DeviceController(Controller):
    path = "/api/v1"
    tags = ["devices"]
    security = [{"BearerToken": []}]

    @get("/devices/{device_id:int}", summary="A device with its channels")
    async def get_device(self, ctx: Ctx, principal: Caller, device_id: PathId) -> DeviceOut:
        return await sites.get_device(ctx, principal, device_id)

    @get("/channels/{channel_id:int}", summary="A channel and its settings")
    async def get_channel(self, ctx: Ctx, principal: Caller, channel_id: PathId) -> ChannelOut:
        return await sites.get_channel(ctx, principal, channel_id)

    @patch("/channels/{channel_id:int}", summary="Change a channel's settings (checked against the standards)")
    async def patch_channel(
        self, ctx: Ctx, principal: Caller, channel_id: PathId, data: JSONBody[ChannelPatch]
    ) -> ChannelOut:
        return await sites.update_channel(ctx, principal, channel_id, data.settings)


class GatewayController(Controller):
    path = "/api/v1/gateways"
    tags = ["gateways"]
    security = [{"BearerToken": []}]

    @get("/{gateway_id:int}", summary="A gateway")
    async def get_one(self, ctx: Ctx, principal: Caller, gateway_id: PathId) -> GatewayOut:
        return await sites.get_gateway(ctx, principal, gateway_id)

    @delete("/{gateway_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Revoke a gateway's API key")
    async def revoke(self, ctx: Ctx, principal: Caller, gateway_id: PathId) -> None:
        await sites.revoke_gateway(ctx, principal, gateway_id)
