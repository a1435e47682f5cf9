"""Bodies of the statistics endpoints."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

__all__ = ["CategoryRow", "CoverageOut", "CoverageRow", "DistrictRank", "HazardRow", "HotspotsOut", "OfflineSite",
           "TrendMonth", "TrendOut", "UnitRow", "UnitsOut"]


class CoverageRow(Struct):
    district: str
    district_name: str
    sector: str  # the supervising department
    sector_name: str
    category: str  # high_risk | crowded
    sites: int
    covered: int  # with at least one commissioned device
    coverage: float
    compliant: int  # commissioned capabilities cover what the venue type requires
    compliance: float
    target: float
    target_met: bool


class CategoryRow(Struct):
    category: str  # high_risk | crowded | all
    sites: int
    covered: int
    coverage: float
    target: float
    target_met: bool  # false when the category has no units; status tells the two apart
    # met | not_met | no_units: a target with no units is neither met nor failing (shown as "无此类单位")
    status: Literal["met", "not_met", "no_units"] = "met"


class CoverageOut(Struct):
    targets: dict[str, float]
    rows: list[CoverageRow]
    categories: list[CategoryRow]
    sites: int
    covered: int
    compliant: int
    not_compliant: list[int]  # site ids whose installed capabilities fall short (first 500)


class HazardRow(Struct):
    sector: str
    sector_name: str
    open: int
    overdue: int
    major_open: int


class HotspotsOut(Struct):
    days: int
    districts: list[str]
    district_names: list[str]
    # counts[d][h]: alarm-level alarms that started in district d at local hour h
    counts: list[list[int]]


class OfflineSite(Struct):
    site_id: int
    name: str
    district_name: str
    devices: int
    since: float


class UnitRow(Struct):
    """One unit (site) of a drill-down list."""

    site_id: int
    name: str
    address: str
    district: str
    district_name: str
    region_name: str
    venue_type: str
    venue_type_name: str
    sector: str
    sector_name: str
    covered: bool  # at least one commissioned device
    compliant: bool  # commissioned capabilities cover what the venue type requires
    missing: list[str]  # capability codes the venue type requires and the unit lacks
    missing_names: list[str]  # their Chinese names, e.g. ["故障电弧探测"]
    open_hazards: int  # not closed
    overdue_hazards: int  # open or assigned past their due date
    score: int | None  # this month's health-check report (体检报告); None when it cannot be made
    grade: str | None  # A–D


class UnitsOut(Struct):
    total: int  # units matching the filters (the rows are one page of them)
    offset: int
    limit: int
    rows: list[UnitRow]


class TrendMonth(Struct):
    month: str  # YYYY-MM, local time
    alarms: int  # alarm-level alarms (not self-tests) that started in the month
    prealarms: int
    hazards_found: int  # hazards created in the month
    hazards_closed: int  # hazards closed in the month
    sites: int  # units registered by the month's end
    covered: int  # of them, with a device commissioned by the month's end
    coverage: float


class TrendOut(Struct):
    months: list[TrendMonth]  # oldest first, the current month last


class DistrictRank(Struct):
    rank: int
    district: str
    district_name: str
    sites: int
    covered: int
    coverage: float
    compliant: int
    compliance: float
    open_hazards: int
    overdue_hazards: int
    alarms_30d: int  # alarm-level alarms over the last 30 days
