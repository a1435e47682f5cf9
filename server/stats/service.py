"""Regulator statistics, each scoped to the caller's regions × sectors like every query."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.accounts.principal import Principal
from server.context import Context
from server.stats.capabilities import capabilities_of, compliant
from server.stats.schemas import CategoryRow, CoverageOut, CoverageRow, HazardRow, HotspotsOut, OfflineSite
from server.stats.scope import district_of as _district
from server.stats.scope import rate as _rate
from server.stats.scope import sector_name as _sector_name
from server.stats.scope import sector_of as _sector
from server.stats.scope import stats_scope as _scope
from server.storage import Connection
from server.storage import stats as sql

__all__ = ["coverage", "hazards_by_sector", "hotspots", "offline"]


async def coverage(ctx: Context, principal: Principal, region: str | None, sector: str | None) -> CoverageOut:
    """Adoption (a commissioned device) and compliance (commissioned capabilities ⊇ required) by district ×
    sector, against the programme's targets."""
    scope = _scope(ctx, principal, region, sector)

    def read(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return sql.sites(conn, scope), sql.commissioned_devices(conn, scope)

    sites, devices = await ctx.db.read(read)
    installed: dict[int, set[str]] = defaultdict(set)
    covered_ids = {device["site_id"] for device in devices}  # adopted: at least one commissioned device
    for device in devices:
        installed[device["site_id"]] |= capabilities_of(device["kind"], (device["channels"] or "").split(","))
    targets = ctx.reference.targets
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    not_compliant: list[int] = []
    for site in sites:
        venue = ctx.reference.venue_type(site["venue_type"])
        required = set(venue.required_capabilities) if venue else set()
        have = installed.get(site["id"], set())
        covered = site["id"] in covered_ids
        complies = compliant(required, have)
        if not complies:
            not_compliant.append(site["id"])
        category = ctx.reference.category_of(site["venue_type"])
        key = (_district(ctx, site["region_code"])[0], site["venue_type"])
        cells[key].update({"sites": 1, "covered": int(covered), "compliant": int(complies), category: 1})
        for name in (category, "all"):
            categories[name].update({"sites": 1, "covered": int(covered)})
    by_row: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (district, venue_type), counts in cells.items():
        by_row[(district, _sector(ctx, venue_type)[0])].update(counts)
    rows = []
    for (district, sector_code), counts in sorted(by_row.items()):
        category = "high_risk" if counts["high_risk"] > counts["crowded"] else "crowded"
        coverage_rate = _rate(counts["covered"], counts["sites"])
        department = ctx.reference.department(sector_code)
        rows.append(CoverageRow(
            district=district, district_name=_district(ctx, district)[1], sector=sector_code,
            sector_name=department.name_zh if department else sector_code, category=category, sites=counts["sites"],
            covered=counts["covered"], coverage=coverage_rate, compliant=counts["compliant"],
            compliance=_rate(counts["compliant"], counts["sites"]), target=targets.get(category, 1.0),
            target_met=coverage_rate >= targets.get(category, 1.0)))
    category_rows = []
    for name in ("high_risk", "crowded", "all"):
        counts = categories.get(name, Counter())
        rate = _rate(counts["covered"], counts["sites"])
        met = counts["sites"] > 0 and rate >= targets.get(name, 1.0)
        category_rows.append(CategoryRow(category=name, sites=counts["sites"], covered=counts["covered"],
                                         coverage=rate, target=targets.get(name, 1.0), target_met=met,
                                         status="no_units" if counts["sites"] == 0 else "met" if met else "not_met"))
    return CoverageOut(targets=targets, rows=rows, categories=category_rows, sites=len(sites),
                       covered=sum(1 for s in sites if s["id"] in covered_ids),
                       compliant=len(sites) - len(not_compliant), not_compliant=sorted(not_compliant)[:500])


async def hazards_by_sector(ctx: Context, principal: Principal, region: str | None,
                            sector: str | None) -> list[HazardRow]:
    scope = _scope(ctx, principal, region, sector)
    rows = await ctx.db.read(lambda c: sql.hazard_rows(c, scope))
    now = ctx.clock()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        code = _sector(ctx, row["venue_type"])[0]
        counts[code].update({"open": 1, "overdue": int(row["state"] in ("open", "assigned") and row["due_at"] < now),
                             "major_open": int(row["severity"] == "major")})
    return [HazardRow(sector=code, sector_name=_sector_name(ctx, code), open=c["open"], overdue=c["overdue"],
                      major_open=c["major_open"]) for code, c in sorted(counts.items())]


async def hotspots(ctx: Context, principal: Principal, region: str | None, sector: str | None,
                   days: int) -> HotspotsOut:
    """Alarm-level alarms by local hour of day × district: where and when fires start."""
    scope = _scope(ctx, principal, region, sector)
    since = ctx.clock() - days * 86400.0
    rows = await ctx.db.read(lambda c: sql.alarm_starts(c, scope, since))
    zone = ZoneInfo(ctx.settings.timezone)
    grid: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for row in rows:
        code, name = _district(ctx, row["region_code"])
        names[code] = name
        hour = datetime.fromtimestamp(row["started_at"], zone).hour
        grid.setdefault(code, [0] * 24)[hour] += 1
    order = sorted(grid)
    return HotspotsOut(days=days, districts=order, district_names=[names[c] for c in order],
                       counts=[grid[c] for c in order])


async def offline(ctx: Context, principal: Principal, region: str | None, sector: str | None) -> list[OfflineSite]:
    scope = _scope(ctx, principal, region, sector)
    rows = await ctx.db.read(lambda c: sql.offline_devices(c, scope))
    return [OfflineSite(site_id=r["site_id"], name=r["name"], district_name=_district(ctx, r["region_code"])[1],
                        devices=r["devices"], since=r["since"]) for r in rows]
