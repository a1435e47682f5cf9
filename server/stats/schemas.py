"""Bodies of the statistics endpoints."""

from __future__ import annotations

from msgspec import Struct

__all__ = ["CategoryRow", "CoverageOut", "CoverageRow", "HazardRow", "HotspotsOut", "OfflineSite"]


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
    target_met: bool


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
