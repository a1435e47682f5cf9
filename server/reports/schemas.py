"""The health-check report as JSON."""

from __future__ import annotations

from msgspec import Struct

__all__ = ["AlarmCount", "FactorOut", "HazardLine", "HazardSummary", "Report", "SiteFacts", "Trend"]


class SiteFacts(Struct):
    id: int
    name: str
    address: str
    venue_type: str
    venue_type_name: str
    region_name: str


class AlarmCount(Struct):
    cause: str
    name: str
    alarm: int
    prealarm: int
    fault: int
    offline: int


class Trend(Struct):
    channel_id: int
    key: str
    name: str  # the channel in words, in the report's language: 剩余电流, 温度 2
    place: str
    unit: str
    day: list[float]  # local midnight of each day (Unix s)
    value: list[float]  # the day's maximum


class HazardLine(Struct):
    id: int
    title: str
    severity: str
    state: str
    created_at: float
    rectified_at: float | None
    closed_at: float | None
    days_to_rectify: float | None


class HazardSummary(Struct):
    found: int
    rectified: int
    mean_days_to_rectify: float | None
    open: int
    overdue: int
    items: list[HazardLine]


class FactorOut(Struct):
    key: str
    name: str
    value: float | None  # None: nothing to measure (no device, nothing rectified), shown as "—"
    points: float
    cap: float


class Report(Struct):
    site: SiteFacts
    period: str
    start: float
    end: float
    generated_at: float
    lang: str
    devices: int
    online_rate: float
    alarms_total: int
    alarms_by_cause: list[AlarmCount]
    alarms_by_hour: list[int]
    trends: list[Trend]
    hazards: HazardSummary
    score: int
    grade: str
    factors: list[FactorOut]
    recommendations: list[str]
    # Required capabilities of the venue type that no commissioned device gives (in words); when any is missing
    # the grade is at best B, and grade_note says why ("缺少 故障电弧探测，等级最高为 B").
    missing_capabilities: list[str]
    grade_note: str | None
