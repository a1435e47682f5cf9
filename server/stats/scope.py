"""What every statistic starts from: the caller's sites narrowed by the filters, and the names of districts and
sectors a site belongs to."""

from __future__ import annotations

from server.accounts.principal import Principal
from server.context import Context
from server.errors import InvalidInput
from server.storage.scopes import Scope, in_region, of_venue_types, site_scope

__all__ = ["district_of", "rate", "sector_name", "sector_of", "stats_scope"]


def stats_scope(ctx: Context, principal: Principal, region: str | None, sector: str | None,
                venue_type: str | None = None) -> Scope:
    """The caller's sites (regions × sectors of a regulator), narrowed to a region, a sector and a venue type.
    A filter beyond the caller's scope narrows to nothing: the answer is empty, never someone else's sites."""
    scope = site_scope(principal, ctx.reference)
    if region is not None:
        if ctx.reference.region(region) is None:
            raise InvalidInput("region", f"no region {region}; GET /api/v1/reference lists them")
        scope = scope.narrowed(in_region(region))
    if sector is not None:
        department = ctx.reference.department(sector)
        if department is None:
            raise InvalidInput("sector", f"no sector {sector}; use a department code such as commerce")
        scope = scope.narrowed(of_venue_types(department.venue_types))
    if venue_type is not None:
        if ctx.reference.venue_type(venue_type) is None:
            raise InvalidInput("venue_type", f"no venue type {venue_type}; GET /api/v1/reference lists them")
        scope = scope.narrowed(of_venue_types([venue_type]))
    return scope


def district_of(ctx: Context, region_code: str) -> tuple[str, str]:
    """(code, name) of the district a region is in."""
    district = ctx.reference.district_of(region_code)
    return (district.code, district.name) if district else (region_code, ctx.reference.region_name(region_code))


def sector_of(ctx: Context, venue_type: str) -> tuple[str, str]:
    """(code, Chinese name) of the department supervising a venue type."""
    venue = ctx.reference.venue_type(venue_type)
    code = venue.department if venue else "fire_rescue"
    return code, sector_name(ctx, code)


def sector_name(ctx: Context, code: str) -> str:
    department = ctx.reference.department(code)
    return department.name_zh if department else code


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
