"""Regulator statistics."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from server.accounts.guards import Caller, Ctx
from server.fields import DepartmentCode
from server.stats import service as stats
from server.stats.schemas import CoverageOut, HazardRow, HotspotsOut, OfflineSite

__all__ = ["StatsController"]

Region = Annotated[str | None, QueryParameter(max_length=15, description="a region code: only sites under it")]
Sector = Annotated[DepartmentCode | None, QueryParameter(description="a department code, e.g. commerce")]


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    security = [{"BearerToken": []}]

    @get("/coverage", summary="Adoption and compliance by district × sector against the targets (high-risk units "
                              "30 %, crowded places 50 %, all units 100 %)")
    async def coverage(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None) -> CoverageOut:
        return await stats.coverage(ctx, principal, region, sector)

    @get("/hazards", summary="Open and overdue hazards by supervising department")
    async def hazards(self, ctx: Ctx, principal: Caller, region: Region = None,
                      sector: Sector = None) -> list[HazardRow]:
        return await stats.hazards_by_sector(ctx, principal, region, sector)

    @get("/hotspots", summary="Alarms by local hour of day × district over the last days")
    async def hotspots(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None,
                       days: Annotated[int, QueryParameter(ge=1, le=366)] = 30) -> HotspotsOut:
        return await stats.hotspots(ctx, principal, region, sector, days)

    @get("/offline", summary="Sites with devices offline now, longest first")
    async def offline(self, ctx: Ctx, principal: Caller, region: Region = None,
                      sector: Sector = None) -> list[OfflineSite]:
        return await stats.offline(ctx, principal, region, sector)
