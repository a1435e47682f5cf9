"""The demo city's past: five weeks of history, so that reports, trends and the leakage-trend pre-alarm show on
day one.

- Hourly aggregates of every demo device's measured channels (a daily load curve, leakage around 120 mA, terminal
  temperatures that follow the load), made with numpy and written with one executemany.
- One slowly degrading circuit (the supermarket's freezer circuit): its last week goes through the real
  ingest pipeline as 5-minute samples, so the leakage-trend detector learns the growth and raises its pre-alarm
  as it would have, and its state carries on into the live demo; the simulated breaker goes on leaking the same
  way (its story's ``leak_extra_ma``).
- A few past alarms — leakage, a fault arc, an overload, a hot terminal, a garage offline — and the hazards they
  made: found, rectified, verified and closed, or still open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from server.context import Context
from server.hazards.workflow import SEVERITY_DUE_S
from server.ingest import service as ingest
from server.ingest.admit import Access
from server.ingest.wire import ParsedBatch, Sample
from server.storage import Connection
from server.storage import demo as sql
from server.storage import hazards as hazard_sql
from server.storage import readings as readings_sql

__all__ = ["HISTORY_DAYS", "SLOW_LEAK_GROWTH", "SLOW_LEAK_MA", "DemoDevice", "seed_history", "slow_leak"]

DAY = 86400.0
HISTORY_DAYS = 35  # five weeks: last month's report has data whatever today's date
TREND_DAYS = 7  # the leakage-trend detector wants four daily cycles; each day of samples costs ~24 detection passes
TREND_STEP_S = 300.0  # the detector works on 5-minute means anyway
TREND_SERIAL = "AD-BRK-0401"
# The degrading circuit's leakage on top of the natural 120 mA: 80 mA now, growing 15 % a day (one of the
# detector's TREND_RATES). The daily peak reaches the 300 mA alarm level in about five days: a pre-alarm now,
# an alarm if nobody acts.
SLOW_LEAK_MA = 80.0
SLOW_LEAK_GROWTH = 0.15
_BASE_LEAK_MA = 120.0
_AMBIENT_C = 28.0
_RISE_AT_RATED_K = 25.0
_POLL_N = 360  # samples an hour at the demo's 10 s


@dataclass(frozen=True)
class DemoDevice:
    site_id: int
    device_id: int
    serial: str
    rated_a: float
    channels: dict[str, int]  # key → channel id


def slow_leak(t: NDArray[np.float64], now: float) -> NDArray[np.float64]:
    """The degrading insulation's part of the leakage at times ``t`` (the simulated breaker's story goes on)."""
    return np.asarray(SLOW_LEAK_MA * np.exp(SLOW_LEAK_GROWTH * (t - now) / DAY), dtype=np.float64)


def _load(t: NDArray[np.float64], zone: ZoneInfo, rng: np.random.Generator) -> NDArray[np.float64]:
    """Fraction of rated current: low at night, high in the afternoon and evening."""
    hour = (t + datetime.fromtimestamp(float(t[0]), zone).utcoffset().total_seconds()) % DAY / 3600  # type: ignore[union-attr]
    curve = 0.45 + 0.25 * np.sin(2 * math.pi * (hour - 9) / 24)
    return np.asarray(np.clip(curve + rng.uniform(-0.04, 0.04, t.shape), 0.05, None), dtype=np.float64)


def _series(key: str, device: DemoDevice, t: NDArray[np.float64], load: NDArray[np.float64], now: float,
            rng: np.random.Generator) -> NDArray[np.float64] | None:
    if key.startswith("current_a"):
        return load * device.rated_a
    if key == "voltage_v":
        return 221.0 + rng.normal(0, 1.0, t.shape)
    if key == "residual_ma":
        leak = _BASE_LEAK_MA + 8 * np.sin(2 * math.pi * t / DAY) + rng.uniform(-5, 5, t.shape)
        return leak + slow_leak(t, now) if device.serial == TREND_SERIAL else leak
    if key.startswith("temp_c"):
        return _AMBIENT_C + _RISE_AT_RATED_K * load**2 * (1.0 if key in ("temp_c", "temp_c_2") else 0.3) \
            + rng.uniform(-0.3, 0.3, t.shape)
    return None


def _hours(devices: list[DemoDevice], start: float, end: float, now: float, zone: ZoneInfo,
           rng: np.random.Generator) -> list[tuple[int, int, int, float, float, float]]:
    """Hourly aggregates of every measured channel: min, max and sum of an hour's samples, from its mean."""
    t = np.arange(start, end, 3600.0) + 1800.0
    rows: list[tuple[int, int, int, float, float, float]] = []
    for device in devices:
        load = _load(t, zone, rng)
        for key, channel_id in device.channels.items():
            mean = _series(key, device, t, load, now, rng)
            if mean is None:
                continue
            spread = np.abs(mean) * rng.uniform(0.02, 0.06, t.shape)
            rows += zip([channel_id] * len(t), (t - 1800).astype(int).tolist(), [_POLL_N] * len(t),
                        (mean - spread).tolist(), (mean + spread).tolist(), (mean * _POLL_N).tolist(), strict=True)
    return rows


async def _trend(ctx: Context, device: DemoDevice, now: float, zone: ZoneInfo, rng: np.random.Generator) -> int:
    """The degrading circuit's last week through the real ingest pipeline; returns the samples stored."""
    t = np.arange(now - TREND_DAYS * DAY, now - 60, TREND_STEP_S)
    load = _load(t, zone, rng)
    samples = []
    for key in ("residual_ma", "current_a"):
        values = _series(key, device, t, load, now, rng)
        assert values is not None
        samples += [Sample(device=device.serial, channel=key, ts=ts, value=round(v, 2))
                    for ts, v in zip(t.tolist(), values.tolist(), strict=True)]
    batch = ParsedBatch(batch_id=f"demo-history-{device.serial}", samples=samples,
                        sample_index=list(range(len(samples))), events=[], event_index=[])
    result = await ingest.ingest(ctx, Access(sender="demo:history", site_id=device.site_id), batch)

    def settle(conn: Connection) -> None:
        # Hours (and minutes) of these readings now, so the live rollup starts at the present, and the detector's
        # state saved, so the server carries on where the history left off.
        readings_sql.rollup(conn, now, max_minutes=int(TREND_DAYS * DAY / 60) + 60)
        ctx.pipeline.checkpoint(conn)

    await ctx.db.write(settle)
    return result.accepted


# (serial, cause, level, channel key or None, days ago, local hour, minutes it lasted, peak, threshold)
PAST_ALARMS = [
    ("AD-BRK-0002", "leakage", "alarm", "residual_ma", 24, 14.5, 25, 336.0, 300.0),
    ("AD-BRK-0002", "leakage", "prealarm", "residual_ma", 9, 11.0, 40, 252.0, 240.0),
    ("AD-ARC-0201", "arc", "alarm", "arc", 16, 21.5, 1, 16.0, 14.0),
    ("AD-BRK-0401", "overload", "prealarm", "current_a", 6, 17.0, 35, 39.0, 36.0),
    ("AD-CMB-0101", "hot_joint", "prealarm", "temp_c_2", 3, 19.0, 90, 66.0, 60.0),
    ("AD-CMB-0501", "offline", "offline", None, 15, 2.0, 130, None, None),
]
# (alarm index, title, severity, days to rectify or None (still open), days more to verify and close)
PAST_HAZARDS = [
    (0, "插座回路漏电流超过报警值：一台电热水壶绝缘损坏", "major", 2.0, 1.0),
    (2, "三层客房插座回路故障电弧：插座接线松动", "major", 3.0, 1.0),
    (4, "一层总进线接线端子发热", "general", None, 0.0),
]


async def seed_history(ctx: Context, devices: list[DemoDevice], users: dict[str, int]) -> int:
    """Write the demo's past; returns how many trend samples went through ingest."""
    now = ctx.clock()
    zone = ZoneInfo(ctx.settings.timezone)
    local = datetime.fromtimestamp(now, zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone).timestamp()
    start = midnight - HISTORY_DAYS * DAY
    rng = np.random.default_rng(18)
    by_serial = {d.serial: d for d in devices}

    def past(conn: Connection) -> None:
        sql.backdate(conn, sorted({d.site_id for d in devices}), start)
        sql.insert_hours(conn, _hours(devices, start, math.floor(now / 3600) * 3600, now, zone, rng))
        alarms: list[tuple[int, float]] = []
        for serial, cause, level, key, days, hour, minutes, peak, threshold in PAST_ALARMS:
            device = by_serial[serial]
            began = midnight - days * DAY + hour * 3600
            ack = (users["operator"], began + 240, "已电话通知业主") if level != "offline" else None
            alarms.append((sql.insert_past_alarm(conn, {
                "site_id": device.site_id, "device_id": device.device_id, "channel_id": device.channels.get(key or ""),
                "cause": cause, "level": level, "started_at": began, "peak": peak, "threshold": threshold},
                began + minutes * 60, ack), began))
        for index, title, severity, rectify_days, close_days in PAST_HAZARDS:
            alarm_id, began = alarms[index]
            _hazard(conn, users, alarm_id, by_serial[PAST_ALARMS[index][0]].site_id, title, severity, began + 600,
                    rectify_days, close_days)

    await ctx.db.write(past, durable=True)
    trend = by_serial.get(TREND_SERIAL)
    return await _trend(ctx, trend, now, zone, rng) if trend else 0


def _hazard(conn: Connection, users: dict[str, int], alarm_id: int, site_id: int, title: str, severity: str,
            found: float, rectify_days: float | None, close_days: float) -> None:
    """A hazard made from a past alarm, assigned to the operator company's electrician, and as far along the
    workflow as the story says."""
    electrician, operator = users["installer"], users["operator"]
    due = found + SEVERITY_DUE_S[severity]
    rectified = None if rectify_days is None else found + rectify_days * DAY
    closed = None if rectified is None else rectified + close_days * DAY
    hazard_id = hazard_sql.insert_hazard(conn, {
        "site_id": site_id, "title": title, "description": title, "severity": severity, "source": "alarm",
        "alarm_id": alarm_id, "state": "assigned" if closed is None else "closed", "assignee_id": electrician,
        "due_at": due, "created_by": None, "created_at": found, "updated_at": closed or found,
        "rectified_by": electrician if rectified else None, "rectified_at": rectified,
        "verified_by": operator if closed else None, "verified_at": closed, "closed_at": closed})
    hazard_sql.link_alarm(conn, alarm_id, hazard_id)
    hazard_sql.add_event(conn, hazard_id, found, None, "created", "open", title)
    hazard_sql.add_event(conn, hazard_id, found + 300, operator, "assigned", "assigned", detail={
        "assignee_id": electrician, "assignee": hazard_sql.user_name(conn, electrician), "due_at": due})
    if rectified is not None and closed is not None:
        hazard_sql.add_event(conn, hazard_id, rectified, electrician, "rectified", "rectified",
                             "已更换损坏部件并紧固接线")
        hazard_sql.add_event(conn, hazard_id, closed - 600, operator, "verified", "verified", "复查合格")
        hazard_sql.add_event(conn, hazard_id, closed, operator, "closed", "closed")
