"""The detectors that learn a channel's healthy line and judge against it, as tables: the hot joint (alone and
beside a peer terminal) and the leakage trend (growth over a load-following daily cycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from server.detection import detectors as d
from server.detection import trend
from server.detection.engine import SLICE_S, Detector

from .detector_tables import (
    DAY,
    NAN,
    RATED_A,
    detect,
    device,
    feed,
    rows,
)

# ---------------------------------------------------------------------------------------------------- hot joint
# Two terminals of one device under a daily load θ between 0.1 and 0.6: the N terminal runs 25 + 40·θ °C, the L
# terminal a little warmer (25 + 44·θ). Two days of that to learn, then three hours of fault (a step of ``rise``
# K on the L terminal) or of weather (``ambient`` K on both). Samples every minute, in one-hour batches.

LEARN_DAYS = 2.0
FAULT_S = 3 * 3600.0


def daily_theta(t: Any) -> Any:
    return 0.35 + 0.25 * np.sin(2 * np.pi * t / DAY)


def hot_joint_run(paired: bool, rise: float = 0.0, ambient: float = 0.0, learn_s: float = LEARN_DAYS * DAY,
                  fault_s: float = FAULT_S) -> tuple[Any, Any, Any, Any]:
    """Returns (ts, levels, excess, fault) of the L terminal."""
    table, slots = device("current_a", "temp_c_1", "temp_c_2")
    slot = slots["temp_c_1"]
    ts = np.arange(0.0, learn_s + fault_s, 60.0)
    theta = daily_theta(ts)
    fault = ts >= learn_s
    weather = np.where(fault, ambient, 0.0)
    neutral = 25 + 40 * theta + weather
    line = 25 + 44 * theta + weather + np.where(fault, rise, 0.0)
    peer = neutral if paired else np.full(ts.shape, NAN)
    levels, excess = [], []
    for start in np.arange(0.0, ts[-1] + 1, 3600.0):
        m = (ts >= start) & (ts < start + 3600.0)
        level, ex = feed(table, d.hot_joint, slot, ts[m], line[m], theta[m], peer[m])
        levels.append(level)
        excess.append(ex)
    return ts, np.concatenate(levels), np.concatenate(excess), fault


# The levels: with a peer 5 K (the docstring; 4 K in HOT_JOINT_PEER_PREALARM_K) and 15 K over the learned difference
# (DL/T 664's comparison with the corresponding point); alone 10 K and 20 K over ambient + K·θ. The rows stay clear
# of both readings of the pre-alarm level.
PEER_ALARM, ALONE_ALARM = 15.0, 20.0
# The terminal lags the load, so an excess must hold 10 minutes before it counts.
HOT_JOINT_HOLD_S = 600.0


@pytest.mark.parametrize(("paired", "rise", "ambient", "expected"), rows(
    ("beside a peer: 3 K more than the learned difference is nothing", True, 3.0, 0.0, 0),
    ("beside a peer: 6 K more pre-alarms", True, 6.0, 0.0, 1),
    ("beside a peer: 14 K more pre-alarms", True, 14.0, 0.0, 1),
    ("beside a peer: 16 K more alarms", True, 16.0, 0.0, 2),
    ("beside a peer: ambient up 15 K on both raises nothing", True, 0.0, 15.0, 0),
    ("beside a peer: ambient down 15 K on both raises nothing", True, 0.0, -15.0, 0),
    ("alone: 8 K over ambient + K·θ is nothing", False, 8.0, 0.0, 0),
    ("alone: 12 K over pre-alarms", False, 12.0, 0.0, 1),
    ("alone: 18 K over pre-alarms", False, 18.0, 0.0, 1),
    ("alone: 22 K over alarms", False, 22.0, 0.0, 2),
))
def test_hot_joint(paired: bool, rise: float, ambient: float, expected: int) -> None:
    ts, level, _, fault = hot_joint_run(paired, rise, ambient)
    assert level[~fault].max() == 0, "two healthy days raise nothing"
    assert level[fault].max() == expected
    if expected:
        first = ts[fault][np.argmax(level[fault] > 0)] - LEARN_DAYS * DAY
        assert HOT_JOINT_HOLD_S <= first <= HOT_JOINT_HOLD_S + 60


@pytest.mark.parametrize(("paired", "rise"), rows(
    ("beside a peer", True, PEER_ALARM + 1),
    ("alone", False, ALONE_ALARM + 2),
))
def test_hot_joint_a_fault_that_stays_is_not_learned_away(paired: bool, rise: float) -> None:
    _, level, _, fault = hot_joint_run(paired, rise, fault_s=3 * DAY)
    assert level[fault][-1] == 2
    assert np.all(np.diff(level[fault][np.argmax(level[fault] == 2):]) == 0), "one alarm, held"


def test_hot_joint_peer_line_is_not_judged_before_a_day_of_learning() -> None:
    # From installation, the L terminal runs 20 K above its peer (two terminals can differ by several kelvin).
    _, level, excess, _ = hot_joint_run(True, rise=20.0, learn_s=0.0, fault_s=DAY - 3600.0)
    assert level.max() == 0
    assert np.all(excess == 0.0)


def test_hot_joint_through_the_engine_judges_each_terminal_against_its_peer() -> None:
    table, slots = device("current_a", "temp_c_1", "temp_c_2")
    det = Detector(table)
    i, l1, l2 = slots["current_a"], slots["temp_c_1"], slots["temp_c_2"]
    loose_from = 2 * DAY
    changes = []
    for start in np.arange(0.0, loose_from + 3 * 3600.0, 3600.0):
        ts = np.arange(start, start + 3600.0, 60.0)
        amps = RATED_A * np.sqrt(daily_theta(ts))  # θ follows slowly enough for the terminals to keep up
        t1 = 25 + 40 * daily_theta(ts) + np.where(ts >= loose_from, PEER_ALARM + 1, 0.0)
        t2 = 25 + 40 * daily_theta(ts) - 0.5
        findings = detect(det, {i: list(zip(ts, amps, strict=True)), l1: list(zip(ts, t1, strict=True)),
                                l2: list(zip(ts, t2, strict=True))}, now=float(ts[-1]))
        changes += [c for c in findings.changes if c.cause == "hot_joint"]
    assert [(c.slot, c.level) for c in changes] == [(l1, 2)]
    assert loose_from + HOT_JOINT_HOLD_S <= changes[0].ts <= loose_from + HOT_JOINT_HOLD_S + 120
    assert changes[0].detail["excess_c"] >= PEER_ALARM


# ---------------------------------------------------------------------------------------------------- leakage trend
# A shop's daily load (4–24 A, peak at 14:00) and leakage that follows it, 60 + 4 mA/A, plus a daily humidity
# cycle of ±15 mA: between about 75 and 175 mA. Samples every 5 minutes, with a little noise on both, in hourly
# batches through the engine (the trend is judged against the device's current, its partner).

Leakage = Callable[[Any, Any], Any]  # (t, amps) → mA


def amps_of(t: Any) -> Any:
    return 14 + 10 * np.cos(2 * np.pi * (t / 3600 - 14) / 24)


def busier(t: Any) -> Any:
    """The same shop switching its air conditioning on from day 4: +10 A over three days, then it stays."""
    return amps_of(t) + 10 * np.clip((t - 4 * DAY) / (3 * DAY), 0.0, 1.0)


def healthy(t: Any, amps: Any) -> Any:
    return 60 + 4 * amps + 15 * np.sin(2 * np.pi * t / DAY)


def growing(c0: float, efold_days: float) -> Leakage:
    """Degrading insulation on top: c0 mA at t = 0, growing by e every ``efold_days``."""
    return lambda t, amps: healthy(t, amps) + c0 * np.exp(t / (efold_days * DAY))


def trend_run(leakage: Leakage, days: float, batch_s: float = 3600.0, load: Callable[[Any], Any] = amps_of,
              seed: int = 7) -> list[tuple[str, int, float, dict[str, Any]]]:
    """Days of readings through the engine in batches; the changes of leakage_trend."""
    rng = np.random.default_rng(seed)
    table, slots = device("residual_ma", "current_a")
    det = Detector(table)
    ts = np.arange(0.0, days * DAY, 300.0)
    amps = load(ts) + rng.uniform(-0.5, 0.5, ts.shape)
    leak = leakage(ts, amps) + rng.uniform(-3.0, 3.0, ts.shape)
    out = []
    for start in np.arange(0.0, ts[-1] + 1, batch_s):
        m = (ts >= start) & (ts < start + batch_s)
        findings = detect(det, {slots["residual_ma"]: list(zip(ts[m], leak[m], strict=True)),
                                slots["current_a"]: list(zip(ts[m], amps[m], strict=True))}, now=float(ts[m][-1]))
        out += [(c.cause, c.level, c.ts, c.detail) for c in findings.changes if c.cause == "leakage_trend"]
    return out


def crossing(leakage: Leakage) -> float:
    """When the leakage (without noise) first reaches the 300 mA alarm level."""
    ts = np.arange(0.0, 30 * DAY, 60.0)
    return float(ts[np.argmax(leakage(ts, amps_of(ts)) >= 300.0)])


@pytest.mark.parametrize(("leakage", "load", "days"), rows(
    ("a healthy daily cycle following the load, 10 days", healthy, amps_of, 10.0),
    ("the load grows over three days (air conditioning) and leakage with it", healthy, busier, 12.0),
    ("growth still under 15 mA (5 % of the alarm level) after 7.5 days", growing(1.0, 3.0), amps_of, 7.5),
    ("fast growth, but under four days of history", growing(40.0, 2.0), amps_of, 3.9),
))
def test_leakage_trend_raises_nothing(leakage: Leakage, load: Callable[[Any], Any], days: float) -> None:
    assert trend_run(leakage, days, load=load) == []


@pytest.mark.parametrize(("c0", "efold_days"), [(2.0, 3.0), (5.0, 3.0), (10.0, 3.0)])
def test_leakage_growing_by_e_every_3_days_warns_days_ahead(c0: float, efold_days: float) -> None:
    leakage = growing(c0, efold_days)
    cross = crossing(leakage)
    changes = trend_run(leakage, cross / DAY)
    assert [(cause, level) for cause, level, _, _ in changes] == [("leakage_trend", 1)]
    _, _, raised_at, detail = changes[0]
    assert raised_at >= 4 * DAY, "four daily cycles of history first"
    assert cross - raised_at >= 3 * DAY
    # The projection comes from a grid of growth rates (0.3 per day stands for 1/3) and a daily peak that fades
    # by e per day: it lands within a day of the real crossing, not always before it.
    assert abs(detail["projected_at"] - cross) <= DAY


@pytest.mark.parametrize(("stamps", "judged"), rows(
    ("the first row is judged, then every 10 minutes", [0, 60, 300, 600, 660, 1200], [0, 600, 1200]),
    ("a late batch is judged at once", [0, 3600], [0, 3600]),
    ("599 s after the last judgement is not yet due", [0, 599, 1198], [0, 1198]),
))
def test_leakage_trend_is_judged_every_10_minutes(stamps: list[float], judged: list[float]) -> None:
    table, slots = device("residual_ma")
    slot = np.array([slots["residual_ma"]])
    got = []
    for t in stamps:
        at, level, _ = trend.leakage_trend(table, d.Rows(slot, np.array([float(t)]), np.array([150.0])),
                                           np.array([0.0]))
        table.state["last_ts"][slot] = t
        assert level.tolist() == [0] * len(at)
        got += [t] * len(at)
    assert got == judged


@pytest.mark.parametrize(("batch_a", "batch_b", "within_s"), rows(
    ("1-hour and 6-hour batches agree exactly", 3600.0, 6 * 3600.0, 0.0),
    ("1-hour and 4-hour batches agree exactly", 3600.0, 4 * 3600.0, 0.0),
    # Finer batches are judged more often: the raise may come earlier, by less than one slice.
    ("10-minute batches raise within one slice of hourly ones", 600.0, 3600.0, SLICE_S),
))
def test_leakage_trend_does_not_depend_on_batching(batch_a: float, batch_b: float, within_s: float) -> None:
    leakage = growing(5.0, 3.0)
    a = trend_run(leakage, 6.0, batch_a)
    b = trend_run(leakage, 6.0, batch_b)
    assert [(cause, level) for cause, level, _, _ in a] == [(cause, level) for cause, level, _, _ in b]
    assert len(a) == 1
    assert 0 <= b[0][2] - a[0][2] <= within_s
    if within_s == 0:
        assert a[0][3]["projected_at"] == pytest.approx(b[0][3]["projected_at"], rel=1e-9)
