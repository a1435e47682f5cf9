"""Month over month: alarms, hazards found and closed, and coverage over the last months; and the districts
ranked by coverage, compliance, hazards or alarms."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from server.accounts.principal import Principal
from server.context import Context
from server.stats.schemas import DistrictRank, TrendMonth, TrendOut
from server.stats.scope import district_of, rate, stats_scope
from server.stats.units import assess
from server.storage import Connection
from server.storage import stats as sql

__all__ = ["RankBy", "districts", "trend"]

RankBy = Literal["coverage", "compliance", "overdue", "open", "alarms"]
# Alarms in the ranking look back this far, as the hot spots do (a month shows a pattern, not one bad night).
RANK_ALARM_DAYS = 30


def _months(now: float, zone: ZoneInfo, count: int) -> list[tuple[str, float, float]]:
    """The last ``count`` local months as (YYYY-MM, start, end), oldest first, the current one last."""
    local = datetime.fromtimestamp(now, zone)
    out = []
    year, month = local.year, local.month
    for _ in range(count):
        start = datetime(year, month, 1, tzinfo=zone).timestamp()
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone).timestamp()
        out.append((f"{year}-{month:02d}", start, end))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _month_of(at: float, months: list[tuple[str, float, float]]) -> str | None:
    for name, start, end in months:
        if start <= at < end:
            return name
    return None


async def trend(ctx: Context, principal: Principal, region: str | None, sector: str | None,
                months: int) -> TrendOut:
    scope = stats_scope(ctx, principal, region, sector)
    now = ctx.clock()
    spans = _months(now, ZoneInfo(ctx.settings.timezone), months)
    since = spans[0][1]

    def read(conn: Connection) -> tuple[Any, ...]:
        return (sql.alarm_levels(conn, scope, since), sql.hazard_times(conn, scope, since), sql.sites(conn, scope),
                sql.first_commissioned(conn, scope))

    alarms, hazards, sites, commissioned = await ctx.db.read(read)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for at, level in alarms:
        month = _month_of(at, spans)
        if month:
            counts[month][level] += 1
    for created, closed in hazards:
        for key, at in (("found", created), ("closed", closed)):
            month = _month_of(at, spans) if at is not None else None
            if month:
                counts[month][key] += 1
    out = []
    for name, _, end in spans:
        registered = [s["id"] for s in sites if s["created_at"] < end]
        covered = sum(1 for site in registered if commissioned.get(site, end) < end)
        c = counts[name]
        out.append(TrendMonth(month=name, alarms=c["alarm"], prealarms=c["prealarm"], hazards_found=c["found"],
                              hazards_closed=c["closed"], sites=len(registered), covered=covered,
                              coverage=rate(covered, len(registered))))
    return TrendOut(months=out)


async def districts(ctx: Context, principal: Principal, region: str | None, sector: str | None,
                    by: RankBy) -> list[DistrictRank]:
    """Districts ranked: the lowest coverage or compliance first, or the most overdue, open hazards or alarms."""
    scope = stats_scope(ctx, principal, region, sector)
    units = await assess(ctx, scope)
    since = ctx.clock() - RANK_ALARM_DAYS * 86400.0
    starts = await ctx.db.read(lambda c: sql.alarm_starts(c, scope, since))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for unit in units:
        code, names[code] = district_of(ctx, unit.site["region_code"])
        counts[code].update({"sites": 1, "covered": int(unit.covered), "compliant": int(unit.compliant),
                             "open": unit.open_hazards, "overdue": unit.overdue_hazards})
    for row in starts:
        code, names[code] = district_of(ctx, row["region_code"])
        counts[code]["alarms"] += 1
    rows = [DistrictRank(rank=0, district=code, district_name=names[code], sites=c["sites"], covered=c["covered"],
                         coverage=rate(c["covered"], c["sites"]), compliant=c["compliant"],
                         compliance=rate(c["compliant"], c["sites"]), open_hazards=c["open"],
                         overdue_hazards=c["overdue"], alarms_30d=c["alarms"]) for code, c in counts.items()]
    keys: dict[str, Callable[[DistrictRank], tuple[float, ...]]] = {
        "coverage": lambda r: (r.coverage, -r.sites), "compliance": lambda r: (r.compliance, -r.sites),
            "overdue": lambda r: (-r.overdue_hazards, -r.open_hazards), "open": lambda r: (-r.open_hazards,),
            "alarms": lambda r: (-r.alarms_30d,)}
    rows.sort(key=lambda r: (*keys[by](r), r.district))
    for place, ranked in enumerate(rows, start=1):
        ranked.rank = place
    return rows
