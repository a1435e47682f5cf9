"""Sites: create, list, one site with its devices; a site's devices and gateway keys."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from server.accounts.guards import Caller, Ctx, PathId
from server.devices import service as devices_service
from server.devices.schemas import (
    DeviceCreate,
    DeviceOut,
    GatewayCreate,
    GatewayCreated,
    GatewayOut,
)
from server.sites import service as sites
from server.sites.schemas import SiteCreate, SiteDetail, SiteOut

__all__ = ["SiteController"]


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
        return await devices_service.create_device(ctx, principal, site_id, data)

    @post("/{site_id:int}/gateways", status_code=HTTP_201_CREATED, summary="Issue a gateway API key (shown once)")
    async def add_gateway(
        self, ctx: Ctx, principal: Caller, site_id: PathId, data: JSONBody[GatewayCreate | None] = None
    ) -> GatewayCreated:
        return await devices_service.create_gateway(ctx, principal, site_id, data or GatewayCreate())

    @get("/{site_id:int}/gateways", summary="The site's gateways (keys are never shown again)")
    async def list_gateways(self, ctx: Ctx, principal: Caller, site_id: PathId) -> list[GatewayOut]:
        return await devices_service.list_gateways(ctx, principal, site_id)




