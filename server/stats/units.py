"""The units behind a number: every unit of a district × sector cell, the units not equipped as their venue type
requires with what each lacks, with open hazards and this month's health-check grade."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from server.accounts.principal import Principal
from server.context import Context
from server.errors import AndianError
from server.reports import service as reports
from server.stats.capabilities import capabilities_of, missing_capabilities
from server.stats.schemas import UnitRow, UnitsOut
from server.stats.scope import district_of, sector_of, stats_scope
from server.storage import Connection
from server.storage import stats as sql
from server.storage.scopes import Scope

__all__ = ["MAX_UNITS", "Assessed", "assess", "units"]

# One page of units at most: each row's grade is a health-check report made for it (a few queries per unit).
MAX_UNITS = 500


@dataclass(frozen=True)
class Assessed:
    """A visible unit with what it has against what its venue type requires."""

    site: dict[str, Any]
    covered: bool
    missing: list[str]
    open_hazards: int
    overdue_hazards: int

    @property
    def compliant(self) -> bool:
        return not self.missing


async def assess(ctx: Context, scope: Scope) -> list[Assessed]:
    """Every unit in ``scope``: covered (a commissioned device), the required capabilities it lacks, hazards."""
    now = ctx.clock()

    def read(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, tuple[int, int]]]:
        return sql.sites(conn, scope), sql.commissioned_devices(conn, scope), sql.site_hazards(conn, scope, now)

    sites, devices, hazards = await ctx.db.read(read)
    installed: dict[int, set[str]] = defaultdict(set)
    for device in devices:
        installed[device["site_id"]] |= capabilities_of(device["kind"], (device["channels"] or "").split(","))
    out = []
    for site in sites:
        venue = ctx.reference.venue_type(site["venue_type"])
        have = installed.get(site["id"])
        missing = missing_capabilities(venue.required_capabilities if venue else [], have or set())
        open_count, overdue = hazards.get(site["id"], (0, 0))
        out.append(Assessed(site=site, covered=have is not None, missing=missing, open_hazards=open_count,
                            overdue_hazards=overdue))
    return out


async def units(ctx: Context, principal: Principal, region: str | None, sector: str | None,
                venue_type: str | None, compliant: bool | None, covered: bool | None, offset: int,
                limit: int) -> UnitsOut:
    """The caller's units under the filters: the least equipped and the most overdue first, then by name."""
    scope = stats_scope(ctx, principal, region, sector, venue_type)
    found = [a for a in await assess(ctx, scope)
             if (compliant is None or a.compliant == compliant) and (covered is None or a.covered == covered)]
    found.sort(key=lambda a: (a.compliant, -a.overdue_hazards, -a.open_hazards, a.site["name"], a.site["id"]))
    page = found[offset:offset + min(limit, MAX_UNITS)]
    names = {c.code: c.name_zh for c in ctx.reference.capabilities}
    rows = []
    for unit in page:
        site = unit.site
        venue = ctx.reference.venue_type(site["venue_type"])
        district, district_name = district_of(ctx, site["region_code"])
        sector_code, sector_label = sector_of(ctx, site["venue_type"])
        score, grade = await _grade(ctx, principal, site["id"])
        rows.append(UnitRow(
            site_id=site["id"], name=site["name"], address=site["address"] or "", district=district,
            district_name=district_name, region_name=ctx.reference.region_name(site["region_code"]),
            venue_type=site["venue_type"], venue_type_name=venue.name_zh if venue else site["venue_type"],
            sector=sector_code, sector_name=sector_label, covered=unit.covered, compliant=unit.compliant,
            missing=unit.missing, missing_names=[names.get(c, c) for c in unit.missing],
            open_hazards=unit.open_hazards, overdue_hazards=unit.overdue_hazards, score=score, grade=grade))
    return UnitsOut(total=len(found), offset=offset, limit=limit, rows=rows)


async def _grade(ctx: Context, principal: Principal, site_id: int) -> tuple[int | None, str | None]:
    """This month's score and grade, as the unit's report page shows them."""
    try:
        report = await reports.build(ctx, principal, site_id, None, "zh-CN")
    except AndianError:  # a unit registered after the clock's month began cannot have one yet
        return None, None
    return report.score, report.grade
