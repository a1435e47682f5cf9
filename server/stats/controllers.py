"""Regulator statistics."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.params import PathParameter, QueryParameter

from server.accounts.guards import Caller, Ctx
from server.fields import DepartmentCode
from server.stats import service as stats
from server.stats import trend as trends
from server.stats import units as unit_list
from server.stats.export import MEDIA_TYPES, RENDER, TABLES, ExportFormat, content_disposition, file_name
from server.stats.schemas import CoverageOut, DistrictRank, HazardRow, HotspotsOut, OfflineSite, TrendOut, UnitsOut

__all__ = ["StatsController"]

Region = Annotated[str | None, QueryParameter(max_length=15, description="a region code: only sites under it")]
Sector = Annotated[DepartmentCode | None, QueryParameter(description="a department code, e.g. commerce")]
VenueType = Annotated[str | None, QueryParameter(max_length=40, description="a venue type code, e.g. market")]
Compliant = Annotated[bool | None, QueryParameter(
    description="true: units equipped as their venue type requires; false: those lacking a capability")]
Covered = Annotated[bool | None, QueryParameter(description="true: units with a commissioned device; false: without")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Limit = Annotated[int, QueryParameter(ge=1, le=unit_list.MAX_UNITS)]
Months = Annotated[int, QueryParameter(ge=1, le=24, description="how many months back, the current one included")]
By = Annotated[trends.RankBy, QueryParameter(description="coverage, compliance (lowest first), overdue, open or "
                                                         "alarms (most first)")]
Days = Annotated[int, QueryParameter(ge=1, le=366)]
Table = Literal["coverage", "units", "districts", "trend", "hazards", "offline"]


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    security = [{"BearerToken": []}]

    @get("/coverage", summary="Adoption and compliance by district × sector against the targets (high-risk units "
                              "30 %, crowded places 50 %, all units 100 %)")
    async def coverage(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None) -> CoverageOut:
        return await stats.coverage(ctx, principal, region, sector)

    @get("/units", summary="The units behind a number (a district × sector cell, the units not equipped as their "
                           "venue type requires): what each lacks, open and overdue hazards, this month's grade")
    async def units(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None,
                    venue_type: VenueType = None, compliant: Compliant = None, covered: Covered = None,
                    offset: Offset = 0, limit: Limit = 100) -> UnitsOut:
        return await unit_list.units(ctx, principal, region, sector, venue_type, compliant, covered, offset, limit)

    @get("/trend", summary="Month over month: alarms, hazards found and closed, coverage")
    async def trend(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None,
                    months: Months = 12) -> TrendOut:
        return await trends.trend(ctx, principal, region, sector, months)

    @get("/districts", summary="Districts ranked by coverage, compliance, overdue or open hazards, or alarms")
    async def districts(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None,
                        by: By = "coverage") -> list[DistrictRank]:
        return await trends.districts(ctx, principal, region, sector, by)

    @get("/hazards", summary="Open and overdue hazards by supervising department")
    async def hazards(self, ctx: Ctx, principal: Caller, region: Region = None,
                      sector: Sector = None) -> list[HazardRow]:
        return await stats.hazards_by_sector(ctx, principal, region, sector)

    @get("/hotspots", summary="Alarms by local hour of day × district over the last days")
    async def hotspots(self, ctx: Ctx, principal: Caller, region: Region = None, sector: Sector = None,
                       days: Days = 30) -> HotspotsOut:
        return await stats.hotspots(ctx, principal, region, sector, days)

    @get("/offline", summary="Sites with devices offline now, longest first")
    async def offline(self, ctx: Ctx, principal: Caller, region: Region = None,
                      sector: Sector = None) -> list[OfflineSite]:
        return await stats.offline(ctx, principal, region, sector)

    @get("/export/{table:str}", summary="A statistics table as Excel (.xlsx) or CSV (UTF-8 with BOM), with the same "
                                        "filters as the table's own endpoint; the file name is in the caller's "
                                        "language (Content-Disposition filename*)")
    async def export(
        self, ctx: Ctx, principal: Caller,
        table: Annotated[Table, PathParameter(description="coverage, units, districts, trend, hazards or offline")],
        format: Annotated[ExportFormat, QueryParameter()] = "xlsx",
        lang: Annotated[Literal["zh-CN", "en"], QueryParameter()] = "zh-CN", region: Region = None,
        sector: Sector = None, venue_type: VenueType = None, compliant: Compliant = None, covered: Covered = None,
        by: By = "coverage", months: Months = 12,
    ) -> Response[bytes]:
        rows: Any
        if table == "coverage":
            rows = (await stats.coverage(ctx, principal, region, sector)).rows
        elif table == "units":
            rows = (await unit_list.units(ctx, principal, region, sector, venue_type, compliant, covered, 0,
                                          unit_list.MAX_UNITS)).rows
        elif table == "districts":
            rows = await trends.districts(ctx, principal, region, sector, by)
        elif table == "trend":
            rows = (await trends.trend(ctx, principal, region, sector, months)).months
        elif table == "hazards":
            rows = await stats.hazards_by_sector(ctx, principal, region, sector)
        else:
            rows = await stats.offline(ctx, principal, region, sector)
        spec = TABLES[table]
        data = await asyncio.to_thread(RENDER[format], spec, msgspec.to_builtins(rows), lang, ctx.settings.timezone)
        name, ascii_name = file_name(table, spec, lang, ctx.clock(), ctx.settings.timezone, format)
        return Response(data, media_type=MEDIA_TYPES[format],
                        headers={"Content-Disposition": content_disposition(name, ascii_name)})
