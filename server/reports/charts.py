"""Chart geometry shared by the HTML and PDF renderings: bars and lines scaled into a box. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["PALETTE", "bars", "day_ticks", "lines", "nice_max"]

# Colour-blind-safe (Okabe–Ito) colours for up to six series.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def nice_max(value: float) -> float:
    """A round axis top at or above ``value``: 1, 2 or 5 × 10^n."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def bars(values: Sequence[float], width: float, height: float, gap: float = 0.2) -> list[tuple[float, float, float,
                                                                                               float]]:
    """(x, y, w, h) of one bar per value, y measured down from the box's top."""
    top = nice_max(max(values, default=0))
    slot = width / max(1, len(values))
    out = []
    for i, value in enumerate(values):
        h = height * value / top
        out.append((i * slot + slot * gap / 2, height - h, slot * (1 - gap), h))
    return out


def lines(series: Sequence[Sequence[tuple[float, float]]], t0: float, t1: float, width: float,
          height: float) -> tuple[float, list[list[tuple[float, float]]]]:
    """The axis top and each series' points scaled into the box (time across, value up)."""
    top = nice_max(max((v for points in series for _, v in points), default=0))
    span = max(1.0, t1 - t0)
    scaled = [[(width * (t - t0) / span, height - height * v / top) for t, v in points] for points in series]
    return top, scaled


def day_ticks(t0: float, t1: float, zone: ZoneInfo, most: int = 8) -> list[float]:
    """Local midnights in [t0, t1] (Unix s, ascending), every n-th day so that at most ``most`` are left."""
    start = datetime.fromtimestamp(t0, zone)
    day = datetime(start.year, start.month, start.day, tzinfo=zone)
    if day.timestamp() < t0:
        day += timedelta(days=1)
    days: list[float] = []
    while day.timestamp() <= t1:
        days.append(day.timestamp())
        day = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
    step = max(1, -(-len(days) // max(1, most)))
    return days[::step]
