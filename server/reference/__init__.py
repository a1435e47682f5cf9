"""Reference data kept as data files: regions, departments, venue types and their required capabilities."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from pathlib import Path

import msgspec

__all__ = ["Capability", "Department", "Reference", "Region", "VenueType", "load"]

_HERE = Path(__file__).parent


class Region(msgspec.Struct, frozen=True):
    code: str
    name: str
    parent: str | None
    level: str  # city | district | street | grid


class Capability(msgspec.Struct, frozen=True):
    code: str
    name_zh: str
    name_en: str
    # The programme's category of the units that must have it: "high_risk" or "crowded".
    category: str = "crowded"


class Department(msgspec.Struct, frozen=True):
    code: str
    name_zh: str
    name_en: str
    venue_types: list[str]
    sees_all_venue_types: bool = False


class VenueType(msgspec.Struct, frozen=True):
    code: str
    name_zh: str
    name_en: str
    department: str
    required_capabilities: list[str]


class Reference:
    """All reference data, with lookups by code."""

    def __init__(self, regions: list[Region], departments: list[Department], venue_types: list[VenueType],
                 capabilities: list[Capability], targets: dict[str, float] | None = None) -> None:
        self.targets = targets or {}
        self.regions = regions
        self.departments = departments
        self.venue_types = venue_types
        self.capabilities = capabilities
        self._regions = {r.code: r for r in regions}
        self._departments = {d.code: d for d in departments}
        self._venue_types = {v.code: v for v in venue_types}

    def region(self, code: str) -> Region | None:
        return self._regions.get(code)

    def region_name(self, code: str) -> str:
        """The region's full name from the city down, e.g. "益阳市 赫山区 赫山街道"."""
        names: list[str] = []
        region = self.region(code)
        while region is not None:
            names.append(region.name)
            region = self.region(region.parent) if region.parent else None
        return " ".join(reversed(names)) or code

    def district_of(self, code: str) -> Region | None:
        """The district (区县) a region is in, or the region itself when it is one; None above districts."""
        region = self.region(code)
        while region is not None and region.level != "district":
            region = self.region(region.parent) if region.parent else None
        return region

    def category_of(self, venue_type: str) -> str:
        """A venue type's target category ("high_risk" or "crowded"), from the capability it must have."""
        venue = self.venue_type(venue_type)
        by_code = {c.code: c.category for c in self.capabilities}
        categories = {by_code[c] for c in venue.required_capabilities} if venue else set()
        return "high_risk" if "high_risk" in categories else "crowded"

    def venue_type(self, code: str) -> VenueType | None:
        return self._venue_types.get(code)

    def department(self, code: str) -> Department | None:
        return self._departments.get(code)


@cache
def load() -> Reference:
    """Read and check the data files once per process."""
    regions = msgspec.convert(json.loads((_HERE / "regions.json").read_text("utf-8"))["regions"], list[Region])
    data = tomllib.loads((_HERE / "sectors.toml").read_text("utf-8"))
    capabilities = [Capability(code=k, **v) for k, v in data["capabilities"].items()]
    venue_types = [
        VenueType(code=k, name_zh=v["name_zh"], name_en=v["name_en"], department=v["department"],
                  required_capabilities=list(v["required"]))
        for k, v in data["venue_types"].items()
    ]
    departments = [
        Department(code=k, name_zh=v["name_zh"], name_en=v["name_en"],
                   venue_types=[t.code for t in venue_types if t.department == k],
                   sees_all_venue_types=bool(v.get("sees_all_venue_types", False)))
        for k, v in data["departments"].items()
    ]
    _check(regions, departments, venue_types, capabilities)
    targets = {k: float(v) for k, v in data.get("targets", {}).items()}
    return Reference(regions=regions, departments=departments, venue_types=venue_types, capabilities=capabilities,
                     targets=targets)


def _check(regions: list[Region], departments: list[Department], venue_types: list[VenueType],
           capabilities: list[Capability]) -> None:
    codes = {r.code for r in regions}
    for r in regions:
        if r.parent is not None and r.parent not in codes:
            raise ValueError(f"regions.json: region {r.code} names unknown parent {r.parent}")
    department_codes = {d.code for d in departments}
    capability_codes = {c.code for c in capabilities}
    for v in venue_types:
        if v.department not in department_codes:
            raise ValueError(f"sectors.toml: venue type {v.code} names unknown department {v.department}")
        unknown = set(v.required_capabilities) - capability_codes
        if unknown:
            raise ValueError(f"sectors.toml: venue type {v.code} requires unknown capabilities {sorted(unknown)}")
