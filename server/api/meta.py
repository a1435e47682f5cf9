"""Health and reference data."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from .. import __version__
from ..reference import Capability, Department, Region, VenueType
from ..schemas import Health
from ..storage.database import ping
from .deps import Ctx

__all__ = ["MetaController", "ReferenceOut"]


class ReferenceOut(msgspec.Struct):
    regions: list[Region]
    departments: list[Department]
    venue_types: list[VenueType]
    capabilities: list[Capability]


class MetaController(Controller):
    path = "/api/v1"
    tags = ["meta"]

    @get("/health", summary="Liveness and version")
    async def health(self, ctx: Ctx) -> Health:
        await ctx.db.read(ping)
        return Health(status="ok", version=__version__, time=ctx.clock(), site_box=ctx.settings.site)

    @get("/reference", summary="Regions, departments, venue types and required capabilities")
    async def reference(self, ctx: Ctx) -> ReferenceOut:
        ref = ctx.reference
        return ReferenceOut(regions=ref.regions, departments=ref.departments, venue_types=ref.venue_types,
                            capabilities=ref.capabilities)
