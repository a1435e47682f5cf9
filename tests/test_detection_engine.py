"""The engine as a user meets it: fault arcs in 1 s windows, samples stamped ahead or sent late, batches in any
order, and the alarm book's decisions."""

from __future__ import annotations

import numpy as np
import pytest

from server.alarms.book import Active, AlarmBook, Decision
from server.detection.engine import Detector

from .detector_tables import (
    detect,
    device,
    every,
    hold,
    rows,
    seen,
)

# ---------------------------------------------------------------------------------------------------- arc
# Arc events carry the half-cycles a device counted; the engine sums them per sliding 1 s window.


def ones(n: int, start: float = 0.0, spacing: float = 0.05) -> list[tuple[float, float]]:
    """``n`` single half-cycle events ``spacing`` seconds apart."""
    return [(start + i * spacing, 1.0) for i in range(n)]


@pytest.mark.parametrize(("settings", "batches", "expected"), rows(
    ("14 half-cycles within 0.65 s alarm", {}, [ones(14)], [("arc", 2, 0.65)]),
    ("9 half-cycles within 1 s never alarm", {}, [ones(9, spacing=0.1)], []),
    ("13 never alarm", {}, [ones(13)], []),
    ("one event of 14", {}, [[(3.0, 14.0)]], [("arc", 2, 3.0)]),
    ("9 every 1.5 s for a minute never add up", {}, [[(1.5 * i, 9.0) for i in range(40)]], []),
    ("7 + 7 split over two windows do not add up", {}, [[(0.0, 7.0), (0.3, 0.0), (1.5, 7.0)]], []),
    ("7 + 7 exactly 1 s apart are two windows", {}, [[(0.0, 7.0), (1.0, 7.0)]], []),
    ("7 + 7 within 1 s add up", {}, [[(0.0, 7.0), (0.999, 7.0)]], [("arc", 2, 0.999)]),
    ("7 + 7 within 1 s add up across two batches", {}, [[(0.0, 7.0)], [(0.5, 7.0)]], [("arc", 2, 0.5)]),
    ("an alarm setting of 10 alarms at 10", {"alarm": 10}, [[(0.0, 10.0)]], [("arc", 2, 0.0)]),
    ("an alarm setting of 20 does not alarm at 14", {"alarm": 20}, [[(0.0, 14.0)]], []),
    ("500 in one event is at most 100 (50 Hz): an arc, not a sensor fault", {}, [[(0.0, 500.0)]],
     [("arc", 2, 0.0)]),
))
def test_arc(settings: dict[str, float], batches: list[list[tuple[float, float]]],
             expected: list[tuple[str, int, float]]) -> None:
    table, slots = device("arc", settings={"arc": settings})
    det = Detector(table)
    got = []
    for events in batches:
        got += seen(detect(det, {}, arcs=[(slots["arc"], t, n) for t, n in events]))
    assert got == expected


@pytest.mark.parametrize(("later", "tick_at", "cleared"), rows(
    ("quiet for 299 s: still an alarm", [], 299.0, False),
    ("quiet for 300 s (ARC_QUIET_S): cleared", [], 300.0, True),
    ("a few arcs under the level do not hold it", [(100.0, 5.0)], 300.0, True),
    ("another burst at 200 s holds it", [(200.0, 14.0)], 300.0, False),
    ("and clears 300 s after that burst", [(200.0, 14.0)], 500.0, True),
))
def test_arc_alarm_holds_until_quiet(later: list[tuple[float, float]], tick_at: float, cleared: bool) -> None:
    table, slots = device("arc")
    det = Detector(table)
    s = slots["arc"]
    assert seen(detect(det, {}, arcs=[(s, 0.0, 14.0)])) == [("arc", 2, 0.0)]
    if later:
        assert seen(detect(det, {}, arcs=[(s, t, n) for t, n in later])) == []
    changes = det.tick(tick_at, [s])
    assert [(c.cause, c.level, c.ts) for c in changes] == ([("arc", 0, tick_at)] if cleared else [])
    assert table.desired[3, s] == (0 if cleared else 2)  # CAUSES.index("arc") == 3


def test_arc_events_after_the_quiet_time_are_judged_afresh() -> None:
    table, slots = device("arc")
    det = Detector(table)
    s = slots["arc"]
    detect(det, {}, arcs=[(s, 0.0, 14.0)])
    # A low count after 300 s of quiet clears on its own; the same count within it does not.
    assert seen(detect(det, {}, arcs=[(s, 299.0, 3.0)])) == []
    assert seen(detect(det, {}, arcs=[(s, 300.0, 3.0)])) == [("arc", 0, 300.0)]


# ---------------------------------------------------------------------------------------------------- engine
# Every accepted sample is judged: one stamped ahead of the server counts as now, a late one in a lane of its own.

HIGH = {"residual_ma": 420.0, "temp_c": 76.0, "voltage_v": 251.0}
NORMAL = {"residual_ma": 150.0, "temp_c": 40.0, "voltage_v": 221.0}
CAUSE = {"residual_ma": "leakage", "temp_c": "overtemp", "voltage_v": "voltage"}


@pytest.mark.parametrize("key", ["residual_ma", "temp_c", "voltage_v"])
def test_a_sample_stamped_ahead_counts_as_now(key: str) -> None:
    table, slots = device(key)
    det = Detector(table)
    s = slots[key]
    now = 1_000_000.0
    assert seen(detect(det, {s: [(now + 240, NORMAL[key])]}, now=now)) == []  # a device clock 4 min fast
    findings = detect(det, {s: hold(HIGH[key], now + 1, now + 10, 1)}, now=now + 10)
    assert seen(findings) == [(CAUSE[key], 2, now + 6)]
    assert findings.changes[0].detail == {}


def test_a_batch_stamped_ahead_moves_back_together_and_keeps_its_run() -> None:
    """A device clock 3 min fast uploads a minute of leakage at once: judged as the minute up to now, it alarms."""
    table, slots = device("residual_ma")
    det = Detector(table)
    s = slots["residual_ma"]
    now = 1_000_000.0
    findings = detect(det, {s: hold(420.0, now + 120, now + 180, 6)}, now=now)
    assert seen(findings) == [("leakage", 2, now - 60 + 6)]  # the second sample, 6 s into the run


LATE = {"late": True}


@pytest.mark.parametrize(("key", "backlog", "expected"), rows(
    ("held 5 s: an episode raised and cleared", "residual_ma",
     [(5000, 150), *hold(420, 5001, 5010, 1), (5011, 150)], [("leakage", 2, 5006), ("leakage", 0, 5011)]),
    ("still high at the backlog's end: cleared at its last sample", "residual_ma",
     [(5000, 150), *hold(420, 5001, 5010, 1)], [("leakage", 2, 5006), ("leakage", 0, 5010)]),
    ("a late single spike is nothing", "residual_ma", every(1, [150, 900, 150], start=5000), []),
    ("late high samples 20 min apart are nothing", "residual_ma", [(4000, 420), (5200, 420)], []),
    ("a late overtemperature", "temp_c", [*hold(76, 5000, 5006, 1), (5007, 40)],
     [("overtemp", 2, 5005), ("overtemp", 0, 5007)]),
    ("a late overvoltage pre-alarm", "voltage_v", [*hold(238, 5000, 5006, 1), (5007, 221)],
     [("voltage", 1, 5005), ("voltage", 0, 5007)]),
    ("a late short circuit", "current_a", every(1, [16, 400, 16], start=5000),
     [("short_circuit", 2, 5001), ("short_circuit", 0, 5002)]),
))
def test_late_samples_raise_an_episode_of_the_past(key: str, backlog: list[tuple[float, float]],
                                                   expected: list[tuple[str, int, float]]) -> None:
    table, slots = device(key)
    det = Detector(table)
    s = slots[key]
    assert seen(detect(det, {s: every(60, [NORMAL.get(key, 16.0)] * 3, start=10_000)}, now=10_200)) == []
    findings = detect(det, {s: backlog}, now=10_300)
    assert seen(findings) == expected
    assert all(c.detail == LATE for c in findings.changes)


def test_late_samples_add_nothing_while_the_cause_is_active() -> None:
    table, slots = device("residual_ma")
    det = Detector(table)
    s = slots["residual_ma"]
    assert seen(detect(det, {s: hold(420, 10_000, 10_010, 1)}, now=10_010)) == [("leakage", 2, 10_005)]
    late = [(5000, 150), *hold(420, 5001, 5010, 1), (5011, 150)]
    assert seen(detect(det, {s: late}, now=10_020)) == []


def test_a_backlog_does_not_disturb_the_present_run() -> None:
    table, slots = device("residual_ma")
    det = Detector(table)
    s = slots["residual_ma"]
    assert seen(detect(det, {s: hold(420, 10_000, 10_003, 1)}, now=10_003)) == []  # a run since 10 000
    detect(det, {s: every(1, [150, 150, 150], start=5000)}, now=10_004)
    assert seen(detect(det, {s: [(10_005, 420)]}, now=10_005)) == [("leakage", 2, 10_005)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_samples_in_any_order_within_a_batch_give_the_same_changes(seed: int) -> None:
    keys = ("current_a", "residual_ma", "temp_c", "voltage_v")

    def batch() -> list[tuple[int, float, float]]:
        t = np.arange(0.0, 120.0, 1.0)
        story = {"current_a": np.where(t == 60, 400.0, 20.0), "residual_ma": np.where((t > 30) & (t < 50), 420, 150),
                 "temp_c": np.where(t > 80, 76.0, 40.0), "voltage_v": np.where(t % 40 < 10, 238.0, 221.0)}
        return [(i, float(ts), float(v)) for i, key in enumerate(keys) for ts, v in zip(t, story[key], strict=True)]

    def changes_of(samples: list[tuple[int, float, float]]) -> list[tuple[int, str, int, float]]:
        det = Detector(device(*keys)[0])
        findings = det.detect(np.array([s for s, _, _ in samples], dtype=np.int64),
                              np.array([t for _, t, _ in samples]), np.array([v for _, _, v in samples]), now=200.0)
        return [(c.slot, c.cause, c.level, c.ts) for c in findings.changes]

    ordered = changes_of(batch())
    shuffled = batch()
    np.random.default_rng(seed).shuffle(shuffled)  # type: ignore[arg-type]
    assert len(ordered) >= 6
    assert changes_of(shuffled) == ordered


# ---------------------------------------------------------------------------------------------------- book

KEY = (1, 100, "leakage")


@pytest.mark.parametrize(("active", "wanted", "expected"), rows(
    ("nothing active, pre-alarm wanted: raised", None, 1, Decision("raised", "prealarm")),
    ("nothing active, alarm wanted: raised", None, 2, Decision("raised", "alarm")),
    ("nothing active, nothing wanted: no change", None, 0, None),
    ("nothing active, offline: raised", None, "offline", Decision("raised", "offline")),
    ("pre-alarm active, alarm wanted: escalated", "prealarm", 2, Decision("escalated", "alarm")),
    ("pre-alarm active, fault wanted: escalated", "prealarm", 3, Decision("escalated", "fault")),
    ("pre-alarm active, pre-alarm again: no change", "prealarm", 1, None),
    ("alarm active, drops to pre-alarm: no change (one alarm per episode)", "alarm", 1, None),
    ("alarm active, alarm again: no change", "alarm", 2, None),
    ("alarm active, nothing wanted: cleared at its level", "alarm", 0, Decision("cleared", "alarm")),
    ("pre-alarm active, nothing wanted: cleared", "prealarm", 0, Decision("cleared", "prealarm")),
    ("fault active, offline ranks alike: no change", "fault", "offline", None),
))
def test_alarm_book_decides(active: str | None, wanted: int | str, expected: Decision | None) -> None:
    book = AlarmBook()
    if active:
        book.add(KEY, Active(id=1, site_id=1, device_id=1, channel_id=100, cause="leakage", level=active,
                             started_at=0.0, peak=None, threshold=None))
    assert book.decide(KEY, wanted) == expected
