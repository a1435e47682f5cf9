"""The safety score (0–100) and grade (A–D) of a site for a period, from its facts. Pure.

Start from 100 and take points off per factor, each with a cap so that one problem cannot hide the others;
every factor's measured value and points are shown in the report:

| factor | points | cap |
| --- | --- | --- |
| alarms (level alarm) | 4 each; 6 for fault arcs and short circuits, the causes that start fires | 30 |
| pre-alarms | 1 each | 10 |
| monitoring online | 1 per percentage point below 99 %; no monitored device at all: the cap | 15 |
| open hazards at the end | 8 per major, 3 per general | 25 |
| overdue hazards | 2 each, on top | 10 |
| required capabilities missing | 10 each (the venue type's detector not commissioned) | 20 |
| slow rectification | 5 when hazards took more than 7 days on average to rectify | 5 |

Grade: A ≥ 90, B ≥ 75, C ≥ 60, D below. A site that lacks a capability its venue type requires (the compliance
rule of the statistics, server/stats/capabilities.py) is at best B, whatever its score: it is not compliant.

A factor with nothing to measure (no monitored device; no hazard rectified in the period) has the value None,
shown as "—" everywhere; points are 0 or more, shown as "0" or "−n".
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CAPPED_GRADE", "Factor", "Facts", "Scored", "grade_of", "score"]

FIRE_CAUSES = frozenset({"arc", "short_circuit"})
GRADES = ((90, "A"), (75, "B"), (60, "C"))
# The best grade a site missing a required capability can have.
CAPPED_GRADE = "B"


@dataclass(frozen=True)
class Facts:
    alarms_by_cause: dict[str, int]  # alarm-level alarms started in the period
    prealarms: int
    devices: int
    online_rate: float  # 0..1 over the period
    open_major: int
    open_general: int
    overdue: int
    missing_capabilities: list[str] = field(default_factory=list)
    mean_days_to_rectify: float | None = None


@dataclass(frozen=True)
class Factor:
    key: str
    value: float | None  # None: nothing to measure
    points: float  # taken off (≥ 0)
    cap: float


@dataclass(frozen=True)
class Scored:
    score: int
    grade: str
    factors: list[Factor]
    capped: bool = False  # the grade is CAPPED_GRADE because required capabilities are missing


def grade_of(score: int) -> str:
    return next((grade for floor, grade in GRADES if score >= floor), "D")


def score(facts: Facts) -> Scored:
    alarms = sum(facts.alarms_by_cause.values())
    fire = sum(n for cause, n in facts.alarms_by_cause.items() if cause in FIRE_CAUSES)
    online_points = 15.0 if facts.devices == 0 else max(0.0, (0.99 - facts.online_rate) * 100)
    slow = facts.mean_days_to_rectify is not None and facts.mean_days_to_rectify > 7
    factors = [
        Factor("alarms", alarms, min(30.0, 4.0 * (alarms - fire) + 6.0 * fire), 30.0),
        Factor("prealarms", facts.prealarms, min(10.0, 1.0 * facts.prealarms), 10.0),
        Factor("online", None if facts.devices == 0 else round(facts.online_rate * 100, 2),
               round(min(15.0, online_points), 2), 15.0),
        Factor("open_hazards", facts.open_major + facts.open_general,
               min(25.0, 8.0 * facts.open_major + 3.0 * facts.open_general), 25.0),
        Factor("overdue", facts.overdue, min(10.0, 2.0 * facts.overdue), 10.0),
        Factor("capabilities", len(facts.missing_capabilities), min(20.0, 10.0 * len(facts.missing_capabilities)),
               20.0),
        Factor("rectification", None if facts.mean_days_to_rectify is None else round(facts.mean_days_to_rectify, 1),
               5.0 if slow else 0.0, 5.0),
    ]
    total = round(100 - sum(f.points for f in factors))
    value = max(0, min(100, total))
    grade = grade_of(value)
    capped = bool(facts.missing_capabilities) and grade < CAPPED_GRADE  # "A" < "B": better than the cap
    return Scored(value, CAPPED_GRADE if capped else grade, factors, capped)
