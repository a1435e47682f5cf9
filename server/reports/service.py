"""A site's monthly health-check report: the facts from the database, the score, and the chosen rendering."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from server.accounts.principal import Principal
from server.context import Context
from server.detection.settings import unit_of
from server.errors import InvalidInput
from server.notify.templates import Words
from server.reports import score as scoring
from server.reports.schemas import AlarmCount, FactorOut, HazardLine, HazardSummary, Report, SiteFacts, Trend
from server.reports.words import WORDS, channel_name
from server.sites.access import visible_site
from server.stats.capabilities import installed_capabilities, missing_capabilities
from server.storage import Connection
from server.storage import reports as sql

__all__ = ["build", "period_bounds"]

# Trends of these quantities, the most telling channels first, at most this many.
TREND_KEYS = ("residual_ma", "temp_c")
MAX_TRENDS = 6
MAX_HAZARD_LINES = 50
# No site can have data from before this year (andian did not exist), which also keeps dates in range.
FIRST_YEAR = 2000
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_bounds(period: str | None, now: float, tz: str) -> tuple[str, float, float]:
    """The month as (YYYY-MM, start, end) in local time; the current month when not given."""
    zone = ZoneInfo(tz)
    if period is None:
        local = datetime.fromtimestamp(now, zone)
        year, month = local.year, local.month
    else:
        found = _PERIOD.match(period)
        if found is None:
            raise InvalidInput("period", f"{period!r} is not a month; write it as YYYY-MM, e.g. 2025-11")
        year, month = int(found.group(1)), int(found.group(2))
    if year < FIRST_YEAR:
        raise InvalidInput("period", f"{period} is before andian kept any data; ask for a month since {FIRST_YEAR}")
    start = datetime(year, month, 1, tzinfo=zone).timestamp()
    if start > now:
        raise InvalidInput("period", f"{year}-{month:02d} has not begun yet")
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone).timestamp()
    return f"{year}-{month:02d}", start, end


async def build(ctx: Context, principal: Principal, site_id: int, period: str | None, lang: str) -> Report:
    site = await visible_site(ctx, principal, site_id)
    now = ctx.clock()
    name, start, end = period_bounds(period, now, ctx.settings.timezone)
    if end <= site["created_at"]:
        registered = datetime.fromtimestamp(site["created_at"], ZoneInfo(ctx.settings.timezone))
        raise InvalidInput("period", f"there is no data for {name}: the site was registered on "
                                     f"{registered:%Y-%m-%d}; ask for {registered:%Y-%m} or later")
    until = min(end, now)

    def read(conn: Connection) -> dict[str, Any]:
        return {"devices": sql.devices(conn, site_id), "commissioned": sql.commissioned_devices(conn, site_id),
                "offline": sql.offline_spans(conn, site_id, start, until),
                "alarms": sql.alarms(conn, site_id, start, until),
                "hours": sql.daily_max(conn, site_id, start, until, TREND_KEYS),
                "hazards": sql.hazards(conn, site_id)}

    facts = await ctx.db.read(read)
    return _report(ctx, site, facts, name, start, until, now, lang)


def _report(ctx: Context, site: dict[str, Any], facts: dict[str, Any], period: str, start: float, until: float,
            now: float, lang: str) -> Report:
    words = WORDS[lang]
    zone = ZoneInfo(ctx.settings.timezone)
    ref = ctx.reference
    venue = ref.venue_type(site["venue_type"])

    # Monitoring: the share of device-time not offline, from each device's arrival.
    watched = sum(max(0.0, until - max(start, d["created_at"])) for d in facts["devices"])
    offline = sum(b - a for a, b in facts["offline"])
    online_rate = 1.0 if watched <= 0 else max(0.0, min(1.0, 1 - offline / watched))

    by_cause: dict[str, Counter[str]] = defaultdict(Counter)
    by_hour = [0] * 24
    for alarm in facts["alarms"]:
        by_cause[alarm["cause"]][alarm["level"]] += 1
        if alarm["level"] == "alarm":
            by_hour[datetime.fromtimestamp(alarm["started_at"], zone).hour] += 1
    cause_words = Words(lang, ctx.settings.timezone, "")
    counts = [AlarmCount(cause=c, name=cause_words.cause(c), alarm=n["alarm"], prealarm=n["prealarm"],
                         fault=n["fault"], offline=n["offline"]) for c, n in sorted(by_cause.items())]

    trends = _trends(facts["hours"], zone, lang)
    hazards = _hazards(facts["hazards"], start, until)
    missing = missing_capabilities(venue.required_capabilities if venue else [], installed_capabilities(
        (d["kind"], (d["channels"] or "").split(",")) for d in facts["commissioned"]))
    open_rows = [h for h in facts["hazards"] if h["state"] != "closed" and h["created_at"] < until]
    scored = scoring.score(scoring.Facts(
        alarms_by_cause={c: n["alarm"] for c, n in by_cause.items() if n["alarm"]},
        prealarms=sum(n["prealarm"] for n in by_cause.values()), devices=len(facts["devices"]),
        online_rate=online_rate, open_major=sum(1 for h in open_rows if h["severity"] == "major"),
        open_general=sum(1 for h in open_rows if h["severity"] != "major"), overdue=hazards.overdue,
        missing_capabilities=missing, mean_days_to_rectify=hazards.mean_days_to_rectify))
    capability_names = {c.code: (c.name_zh if lang == "zh-CN" else c.name_en) for c in ref.capabilities}
    missing_names = [capability_names.get(m, m) for m in missing]
    recommendations = [words[f"r.{f.key}"].format(value=f.value, missing="、".join(missing_names))
                       for f in scored.factors if f.points > 0]
    note = words["grade_capped"].format(missing="、".join(missing_names) if lang == "zh-CN"
                                        else ", ".join(missing_names), grade=scoring.CAPPED_GRADE)
    return Report(
        site=SiteFacts(id=site["id"], name=site["name"], address=site["address"], venue_type=site["venue_type"],
                       venue_type_name=(venue.name_zh if lang == "zh-CN" else venue.name_en) if venue else "",
                       region_name=ref.region_name(site["region_code"])),
        period=period, start=start, end=until, generated_at=now, lang=lang, devices=len(facts["devices"]),
        online_rate=round(online_rate, 4), alarms_total=len(facts["alarms"]), alarms_by_cause=counts,
        alarms_by_hour=by_hour, trends=trends, hazards=hazards, score=scored.score, grade=scored.grade,
        factors=[FactorOut(key=f.key, name=words[f"f.{f.key}"], value=f.value, points=f.points, cap=f.cap)
                 for f in scored.factors],
        recommendations=recommendations or [words["r.good"]], missing_capabilities=missing_names,
        grade_note=note if scored.capped else None)


def _trends(rows: list[dict[str, Any]], zone: ZoneInfo, lang: str) -> list[Trend]:
    series: dict[int, dict[float, float]] = defaultdict(dict)
    meta: dict[int, dict[str, Any]] = {}
    for row in rows:
        local = datetime.fromtimestamp(row["start"], zone)
        day = datetime(local.year, local.month, local.day, tzinfo=zone).timestamp()
        days = series[row["channel_id"]]
        days[day] = max(days.get(day, row["vmax"]), row["vmax"])
        meta[row["channel_id"]] = row
    ranked = sorted(series, key=lambda c: (meta[c]["key"] != "residual_ma", -max(series[c].values())))
    out = []
    for channel_id in ranked[:MAX_TRENDS]:
        info = meta[channel_id]
        points = sorted(series[channel_id].items())
        out.append(Trend(channel_id=channel_id, key=info["key"], name=channel_name(info["key"], lang),
                         place=info["circuit"] or info["device_name"],
                         unit=unit_of(info["key"]), day=[d for d, _ in points],
                         value=[round(v, 2) for _, v in points]))
    return out


def _hazards(rows: list[dict[str, Any]], start: float, until: float) -> HazardSummary:
    found = [h for h in rows if start <= h["created_at"] < until]
    rectified = [h for h in rows if h["rectified_at"] is not None and start <= h["rectified_at"] < until]
    days = [(h["rectified_at"] - h["created_at"]) / 86400 for h in rectified]
    open_rows = [h for h in rows if h["state"] != "closed" and h["created_at"] < until]
    overdue = sum(1 for h in open_rows if h["state"] in ("open", "assigned") and h["due_at"] < until)
    shown = {h["id"]: h for h in [*found, *rectified, *open_rows]}
    lines = [HazardLine(id=h["id"], title=h["title"], severity=h["severity"], state=h["state"],
                        created_at=h["created_at"], rectified_at=h["rectified_at"], closed_at=h["closed_at"],
                        days_to_rectify=None if h["rectified_at"] is None
                        else round((h["rectified_at"] - h["created_at"]) / 86400, 1))
             for h in sorted(shown.values(), key=lambda h: h["created_at"])][:MAX_HAZARD_LINES]
    return HazardSummary(found=len(found), rectified=len(rectified),
                         mean_days_to_rectify=round(sum(days) / len(days), 2) if days else None,
                         open=len(open_rows), overdue=overdue, items=lines)
