"""The instantaneous detectors as tables (description, samples, what a user would see): thresholds with their
minimum duration and hysteresis at any cadence, the overload I²t state of samples that are instants, sensor faults.

No server, no database (tests/detector_tables.py builds the channels). The fitted detectors are in
tests/test_detectors_fitted.py, the engine's batches, late samples, arcs and the alarm book in
tests/test_detection_engine.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from server.detection import detectors as d

from .detector_tables import (
    DAY,
    RATED_A,
    device,
    every,
    feed,
    hold,
    rows,
    run_levels,
    sensor_of,
)

# ---------------------------------------------------------------------------------------------------- thresholds
# Defaults: residual current pre-alarm 240 mA, alarm 300 mA, hysteresis 15 mA; temperature 60/70 °C, 2 K; voltage
# 235.4/242 V, 2 V; all with a minimum duration of 5 s.

THRESHOLD_CASES = rows(
    ("a single 900 mA sample among 150 mA never alarms", "residual_ma", {}, every(1, [150, 150, 900, 150, 150]), []),
    ("420 mA for 4 s is too short", "residual_ma", {}, every(1, [150, *[420] * 5, 150]), []),
    ("420 mA held 5 s alarms, and clears below the level", "residual_ma", {}, every(1, [150, *[420] * 6, 150]),
     [(6, 2), (7, 0)]),
    ("260 mA held pre-alarms, 330 mA escalates", "residual_ma", {}, every(1, [*[260] * 7, *[330] * 7]),
     [(5, 1), (12, 2)]),
    ("hovering at 296/308 mA keeps one alarm (hysteresis)", "residual_ma", {},
     every(1, [*[310] * 6, *[296, 308] * 10]), [(5, 2)]),
    ("below alarm − hysteresis the alarm drops to a pre-alarm", "residual_ma", {}, every(1, [*[310] * 6, 284]),
     [(5, 2), (6, 1)]),
    ("5-min cadence: one high sample does not alarm", "residual_ma", {}, every(300, [150, 420, 150]), []),
    ("5-min cadence: two in a row do", "residual_ma", {}, every(300, [150, 420, 420, 150]), [(600, 2), (900, 0)]),
    ("high samples 1000 s apart (over 15 min) make no run", "residual_ma", {},
     [(0, 150), (300, 420), (1300, 420), (1600, 150)], []),
    ("high samples 900 s apart do", "residual_ma", {}, [(0, 150), (300, 420), (1200, 420)], [(1200, 2)]),
    ("a gap restarts the run: held again 5 s after it", "residual_ma", {},
     [(0, 420), (1000, 420), (1004, 420), (1005, 420)], [(1005, 2)]),
    ("a minimum duration set to 0 alarms on one sample", "residual_ma", {"delay_s": 0},
     every(1, [150, 420, 150]), [(1, 2), (2, 0)]),
    ("a 500 mA alarm setting: 420 mA is a pre-alarm", "residual_ma", {"alarm": 500},
     every(1, [*[420] * 6]), [(5, 1)]),
    ("overtemperature: one 90 °C sample never alarms", "temp_c", {}, every(1, [45, 90, 45, 45]), []),
    ("overtemperature: 64 °C held pre-alarms, 76 °C alarms", "temp_c", {}, every(1, [*[64] * 6, *[76] * 6]),
     [(5, 1), (11, 2)]),
    ("overtemperature: 69 °C after an alarm keeps it (2 K hysteresis)", "temp_c", {},
     every(1, [*[72] * 6, 69, 68.5, 67.9]), [(5, 2), (8, 1)]),
    ("overvoltage: one 260 V sample never alarms", "voltage_v", {}, every(1, [221, 260, 221, 221]), []),
    ("overvoltage: 238 V held pre-alarms", "voltage_v", {}, every(1, [221, *[238] * 6]), [(6, 1)]),
    ("overvoltage: 251 V held alarms", "voltage_v", {}, every(1, [221, *[251] * 6, 221]), [(6, 2), (7, 0)]),
    ("overvoltage at a 5-min cadence: two samples", "voltage_v", {}, every(300, [221, 251, 251]), [(600, 2)]),
)


@pytest.mark.parametrize("batch", [None, 1], ids=["one batch", "one sample per batch"])
@pytest.mark.parametrize(("key", "settings", "samples", "expected"), THRESHOLD_CASES)
def test_threshold(key: str, settings: dict[str, float], samples: list[tuple[float, float]],
                   expected: list[tuple[float, int]], batch: int | None) -> None:
    table, slots = device(key, settings={key: settings})
    assert run_levels(table, d.threshold, slots[key], samples, batch) == expected


def test_threshold_judges_channels_of_one_batch_apart() -> None:
    table, slots = device("residual_ma", "temp_c")
    r, t = slots["residual_ma"], slots["temp_c"]
    # A residual channel ending high must not carry its run into the temperature channel after it.
    part = d.Rows(np.array([r] * 6 + [t] * 2, dtype=np.int64), np.array([0, 1, 2, 3, 4, 5, 6, 7], dtype=float),
                  np.array([420] * 6 + [76] * 2, dtype=float))
    assert d.threshold(table, part).tolist() == [0, 0, 0, 0, 0, 2, 0, 0]


# ---------------------------------------------------------------------------------------------------- overload
# θ is (I/In)² through a first-order lag of τ = 10 min; pre-alarm at θ ≥ 0.81 (0.9 In), alarm at θ ≥ 1 (In).

# GB/T 10963.1: a breaker carrying 1.45 In trips within 1 h (from the hot state), possibly much sooner. A warning
# that comes after the breaker has tripped is no warning, so the alarm must come well inside that hour.
WARN_WITHIN_MIN = 20.0


def overload_run(values: Sequence[float], step: float, warm: float = 0.5 * RATED_A,
                 warm_s: float = 2 * 3600.0) -> tuple[Any, Any, Any]:
    """Two hours at ``warm`` amps (θ settles), then ``values`` ``step`` seconds apart from t = 0.

    Returns (ts, levels, θ) of the second part; batches of at most an hour, as the engine slices them."""
    table, slots = device("current_a")
    slot = slots["current_a"]
    ts = np.arange(-warm_s, 0.0, step)
    for start in np.arange(-warm_s, 0.0, 3600.0):
        part = ts[(ts >= start) & (ts < start + 3600.0)]
        feed(table, d.overload, slot, part, np.full(part.shape, warm))
    ts = np.arange(len(values)) * step
    out_levels, out_theta = [], []
    for start in np.arange(0.0, ts[-1] + 1, 3600.0):
        m = (ts >= start) & (ts < start + 3600.0)
        level, theta = feed(table, d.overload, slot, ts[m], np.asarray(values, dtype=float)[m])
        out_levels.append(level)
        out_theta.append(theta)
    return ts, np.concatenate(out_levels), np.concatenate(out_theta)


@pytest.mark.parametrize(("multiple", "count", "expected_level"), rows(
    ("one sample at 1.5 In", 1.5, 1, 0),
    ("one sample at 2 In", 2.0, 1, 0),
    ("one sample at 3 In", 3.0, 1, 0),
    ("two samples in a row at 1.5 In", 1.5, 2, 0),
    ("two samples in a row at 2 In", 2.0, 2, 0),
    ("two samples in a row at 3 In", 3.0, 2, 0),
    ("three in a row are the load: 2 In", 2.0, 3, 2),
    ("three in a row are the load: 3 In", 3.0, 3, 2),
))
def test_overload_one_or_two_high_samples_at_5_min_are_instants(multiple: float, count: int,
                                                                 expected_level: int) -> None:
    normal = [0.5 * RATED_A] * 6
    _, level, theta = overload_run([*normal, *[multiple * RATED_A] * count, *normal], 300.0)
    _, _, quiet = overload_run([*normal, *[0.5 * RATED_A] * count, *normal], 300.0)
    assert level.max() == expected_level
    if expected_level == 0:
        # What a sample vouches for is its own second: (1 − e^(−1/600))·9 ≈ 0.015 for 3 In.
        assert np.abs(theta - quiet).max() < 0.03


@pytest.mark.parametrize(("multiple", "step", "pre_within_min", "alarm_within_min"), rows(
    ("1.3 In every second", 1.3, 1.0, 7, 10),
    ("1.3 In every minute", 1.3, 60.0, 8, 10),
    ("1.3 In every 5 minutes", 1.3, 300.0, 10, 15),
    ("1.45 In every second", 1.45, 1.0, 5, 8),
    ("1.45 In every minute", 1.45, 60.0, 6, 8),
    ("1.45 In every 5 minutes", 1.45, 300.0, 10, 15),
    ("1.13 In (the breaker holds it for an hour) every 5 minutes", 1.13, 300.0, 15, 20),
))
def test_overload_warns_before_the_breaker_trips(multiple: float, step: float, pre_within_min: float,
                                                 alarm_within_min: float) -> None:
    ts, level, _ = overload_run([multiple * RATED_A] * int(3600 / step), step)
    pre_at = ts[np.argmax(level >= 1)] / 60
    alarm_at = ts[np.argmax(level >= 2)] / 60
    assert level.max() == 2
    assert 0 < pre_at < alarm_at
    assert pre_at <= pre_within_min
    assert alarm_at <= alarm_within_min <= WARN_WITHIN_MIN


@pytest.mark.parametrize(("multiple", "expected_level"), rows(
    ("0.85 In for 4 h: θ settles at 0.72, below the pre-alarm", 0.85, 0),
    ("0.95 In for 4 h: pre-alarm, never alarm", 0.95, 1),
))
def test_overload_below_rated_current(multiple: float, expected_level: int) -> None:
    _, level, _ = overload_run([multiple * RATED_A] * 48, 300.0)
    assert level.max() == expected_level


@pytest.mark.parametrize(("before", "during"), rows(
    ("0.8 In throughout", 0.8, 0.8),
    ("1.2 In throughout", 1.2, 1.2),
    ("0.5 In, then 1.2 In for the hour", 0.5, 1.2),
    ("1.2 In, then 0.5 In for the hour", 1.2, 0.5),
))
@pytest.mark.parametrize("step", [60.0, 300.0, 900.0])
def test_overload_the_same_load_at_any_cadence_ends_at_the_same_theta(before: float, during: float,
                                                                      step: float) -> None:
    def theta_after_an_hour(step: float) -> float:
        _, _, theta = overload_run([during * RATED_A] * int(3600 / step + 1), step, warm=before * RATED_A)
        return float(theta[-1])

    assert theta_after_an_hour(step) == pytest.approx(theta_after_an_hour(1.0), rel=0.01)


@pytest.mark.parametrize(("multiple", "short", "heats"), rows(
    ("9.9 In is an overload sample, not a short circuit", 9.9, 0, True),
    ("10 In is a short circuit", 10.0, 2, False),
    ("30 In is a short circuit", 30.0, 2, False),
))
def test_short_circuit_alarms_and_does_not_heat_theta(multiple: float, short: int, heats: bool) -> None:
    table, slots = device("current_a")
    slot = slots["current_a"]
    ts = np.arange(0.0, 1200.0, 60.0)
    values = np.full(ts.shape, 0.5 * RATED_A)
    values[10] = multiple * RATED_A
    rows_ = d.Rows(np.full(ts.shape, slot, dtype=np.int64), ts, values)
    assert d.short_circuit(table, rows_).tolist() == [0] * 10 + [short] + [0] * 9
    _, theta = d.overload(table, rows_)
    assert bool(theta[10] > theta[9] + 0.1) is heats


@pytest.mark.parametrize("silence", [1800.0, 3600.0, 3 * 3600.0])
def test_overload_credits_nothing_for_a_silence_beyond_15_min(silence: float) -> None:
    table, slots = device("current_a")
    slot = slots["current_a"]
    ts = np.arange(0.0, 3600.0, 60.0)
    x = 1.2**2
    _, theta = feed(table, d.overload, slot, ts, np.full(ts.shape, 1.2 * RATED_A))
    before = float(theta[-1])
    _, after = feed(table, d.overload, slot, [ts[-1] + silence], [1.2 * RATED_A])
    tau = d.OVERLOAD_TAU_S
    # The sample after the silence vouches for its own second only: nobody saw the silence.
    expected = before * math.exp(-silence / tau) + x * (1 - math.exp(-d.SAMPLE_SPAN_S / tau))
    assert float(after[0]) == pytest.approx(expected, rel=1e-9)


def test_overload_state_carries_over_batches_as_one_batch() -> None:
    ts = np.arange(0.0, 3600.0, 60.0)
    values = np.where((ts // 600) % 2 == 0, 1.4 * RATED_A, 0.6 * RATED_A)
    whole, slots = device("current_a")
    _, theta_whole = feed(whole, d.overload, slots["current_a"], ts, values)
    split, _ = device("current_a")
    theta_split = np.concatenate([feed(split, d.overload, 0, ts[i : i + 7], values[i : i + 7])[1]
                                  for i in range(0, ts.shape[0], 7)])
    np.testing.assert_allclose(theta_split, theta_whole, rtol=1e-9)


# ---------------------------------------------------------------------------------------------------- sensor


@pytest.mark.parametrize(("key", "samples", "expected"), rows(
    ("one 850 °C sample is a corrupted frame, not a fault", "temp_c", every(60, [30, 850, 31]), []),
    ("two 850 °C samples in a row are a fault", "temp_c", every(60, [30, 850, 850, 31]), [(120, 3), (180, 0)]),
    ("−50 °C twice is a fault", "temp_c", every(60, [30, -50, -50]), [(120, 3)]),
    ("850 °C for 4 s at 1 s is not yet one", "temp_c", every(1, [30, *[850] * 5, 30]), []),
    ("850 °C for 5 s at 1 s is", "temp_c", every(1, [30, *[850] * 6, 30]), [(6, 3), (7, 0)]),
    ("out of range twice, but over 15 min apart", "temp_c", [(0, 30), (60, 850), (1060, 850)], []),
    ("residual 6000 mA twice", "residual_ma", every(60, [150, 6000, 6000]), [(120, 3)]),
    ("current of 25 kA twice", "current_a", every(60, [10, 25_000, 25_000]), [(120, 3)]),
    ("voltage stuck at 220.4 V for 59 min", "voltage_v", [(0, 221.0), *hold(220.4, 60, 60 + 3540, 60)], []),
    ("voltage stuck at 220.4 V for an hour", "voltage_v", [(0, 221.0), *hold(220.4, 60, 60 + 3600, 60)],
     [(3660, 3)]),
    ("a stuck voltage that moves again is fine", "voltage_v",
     [*hold(220.4, 0, 3600, 60), (3660, 221.3)], [(3600, 3), (3660, 0)]),
    ("temperature stuck 11 h 55 min", "temp_c", hold(31.5, 0, 11 * 3600 + 3300, 300), []),
    ("temperature stuck 12 h", "temp_c", hold(31.5, 0, 12 * 3600, 300), [(12 * 3600, 3)]),
    ("residual current stuck at 150 mA for a day", "residual_ma", hold(150, 0, DAY, 300), [(DAY, 3)]),
    ("residual current 0 for two days is a healthy circuit", "residual_ma", hold(0, 0, 2 * DAY, 300), []),
    ("current 0 A for three days is an unloaded circuit", "current_a", hold(0, 0, 3 * DAY, 300), []),
))
@pytest.mark.parametrize("batch", [None, 7], ids=["one batch", "batches of 7"])
def test_sensor(key: str, samples: list[tuple[float, float]], expected: list[tuple[float, int]],
                batch: int | None) -> None:
    table, slots = device(key)
    assert run_levels(table, sensor_of, slots[key], samples, batch) == expected
