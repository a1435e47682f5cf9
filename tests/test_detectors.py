"""The detectors as pure functions: numpy arrays in, wanted levels out, as tables of (description, inputs, expected).

No server, no database: a ChannelTable holds one device's channels, wired as server/ingest/registry.py wires
them (a terminal temperature and the residual current take the device's current as their partner; several
terminals each take the next as their peer). Detectors are driven either one at a time with ``d.Rows`` or through
``Detector.detect``, whose ``Findings.changes`` say what a user would see: (cause, level, ts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from server.detection import detectors as d
from server.detection import kernels as k
from server.detection import trend
from server.detection.book import Active, AlarmBook, Decision
from server.detection.engine import SLICE_S, Detector, Findings
from server.detection.settings import resolve_settings
from server.detection.table import ChannelInfo, ChannelTable

DAY = 86400.0
NAN = math.nan
RATED_A = 32.0  # the default rated current (a 32 A miniature circuit breaker)


# ---------------------------------------------------------------------------------------------------- helpers


def rows(*names_and_values: Any) -> list[Any]:
    """Table rows as ``pytest.param`` with the description (each row's first item) as the test id."""
    return [pytest.param(*row[1:], id=row[0]) for row in names_and_values]


def device(*keys: str, settings: dict[str, dict[str, Any]] | None = None,
           rated_a: float = RATED_A) -> tuple[ChannelTable, dict[str, int]]:
    """One device's channels in a fresh table with resolved settings, partner and peer wired as the registry does."""
    settings = settings or {}
    table = ChannelTable(capacity=2)  # small, so that adding channels grows it
    slots = {}
    for i, key in enumerate(keys):
        info = ChannelInfo(channel_id=100 + i, device_id=1, site_id=1, key=key)
        slots[key] = table.add(info, resolve_settings(key, settings.get(key, {}), device_rated_a=rated_a))
    current = next((slots[key] for key in sorted(slots) if key.startswith("current_a")), -1)
    terminals = [slots[key] for key in sorted(slots) if key.startswith("temp_c")]
    for key, slot in slots.items():
        table.partner[slot] = current if key.startswith(("temp_c", "residual_ma")) else -1
    if len(terminals) > 1:
        for i, slot in enumerate(terminals):
            table.peer[slot] = terminals[(i + 1) % len(terminals)]
    return table, slots


def every(step: float, values: Sequence[float], start: float = 0.0) -> list[tuple[float, float]]:
    """Samples ``step`` seconds apart: [(ts, value), ...]."""
    return [(start + i * step, float(v)) for i, v in enumerate(values)]


def hold(value: float, start: float, stop: float, step: float) -> list[tuple[float, float]]:
    """The same value from ``start`` to ``stop`` (inclusive), ``step`` seconds apart."""
    return [(float(t), value) for t in np.arange(start, stop + step / 2, step)]


def feed(table: ChannelTable, detector: Callable[..., Any], slot: int, ts: Any, values: Any, *extra: Any) -> Any:
    """Run one detector over one channel's batch, then move the channel's clock as ``Detector`` does after a pass."""
    ts = np.asarray(ts, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    out = detector(table, d.Rows(np.full(ts.shape, slot, dtype=np.int64), ts, values), *extra)
    table.state["last_ts"][slot] = ts[-1]
    table.state["last_value"][slot] = values[-1]
    return out


def transitions(ts: Any, levels: Any, start: int = 0) -> list[tuple[float, int]]:
    """Where the wanted level changes: [(ts, level), ...]."""
    out, prev = [], start
    for t, level in zip(np.asarray(ts).tolist(), np.asarray(levels).tolist(), strict=True):
        if level != prev:
            out.append((t, level))
            prev = level
    return out


def run_levels(table: ChannelTable, detector: Callable[..., Any], slot: int, samples: list[tuple[float, float]],
               batch: int | None = None) -> list[tuple[float, int]]:
    """Level changes of one detector over samples sent in batches of ``batch`` samples (all at once by default)."""
    batch = batch or len(samples)
    ts, levels = [], []
    for i in range(0, len(samples), batch):
        part = samples[i : i + batch]
        ts += [t for t, _ in part]
        levels += feed(table, detector, slot, [t for t, _ in part], [v for _, v in part]).tolist()
    return transitions(ts, levels)


def sensor_of(table: ChannelTable, part: d.Rows) -> Any:
    return d.sensor(table, part, d.out_of_range(table, part))


def detect(det: Detector, samples: dict[int, list[tuple[float, float]]], now: float | None = None,
           arcs: Sequence[tuple[int, float, float]] = ()) -> Findings:
    """One batch through the engine: samples per slot, and arc events as (slot, ts, half-cycles)."""
    slot = np.array([s for s, part in samples.items() for _ in part], dtype=np.int64)
    ts = np.array([t for part in samples.values() for t, _ in part], dtype=np.float64)
    value = np.array([v for part in samples.values() for _, v in part], dtype=np.float64)
    arc = {}
    if arcs:
        arc = {"arc_slot": np.array([a[0] for a in arcs], dtype=np.int64),
               "arc_ts": np.array([a[1] for a in arcs], dtype=np.float64),
               "arc_count": np.array([a[2] for a in arcs], dtype=np.float64)}
    return det.detect(slot, ts, value, now=now, **arc)


def seen(findings: Findings, cause: str | None = None) -> list[tuple[str, int, float]]:
    return [(c.cause, c.level, c.ts) for c in findings.changes if cause is None or c.cause == cause]


# ---------------------------------------------------------------------------------------------------- kernels


def test_gaps_are_seconds_since_the_previous_sample_of_the_same_slot() -> None:
    ts = np.array([10.0, 20.0, 35.0, 5.0, 7.0])
    seg = k.segment_starts(np.array([0, 0, 0, 1, 1]))
    carried = np.array([NAN, NAN, NAN, 1.0, 1.0])  # slot 0 never seen, slot 1 last seen at t = 1
    np.testing.assert_array_equal(k.gaps(ts, seg, carried), [NAN, 10.0, 15.0, 4.0, 2.0])


def test_previous_takes_the_row_before_or_the_carried_value_at_a_segment_start() -> None:
    seg = k.segment_starts(np.array([3, 3, 3, 7, 7]))
    carried = np.array([9.0, 0.0, 0.0, 8.0, 0.0])
    np.testing.assert_array_equal(k.previous(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), seg, carried), [9, 1, 2, 8, 4])


def test_segments_start_where_the_slot_changes_and_end_before_the_next_start() -> None:
    seg = k.segment_starts(np.array([0, 0, 2, 2, 2, 5]))
    assert seg.tolist() == [True, False, True, False, False, True]
    assert k.segment_ends(seg).tolist() == [False, True, False, False, True, True]


@pytest.mark.parametrize(("marked", "expected"), rows(
    ("every row marked", [1, 1, 1, 1, 1], [1, 2, 3, 4, 5]),
    ("gaps take the marked row before", [1, 0, 1, 0, 0], [1, 1, 3, 3, 3]),
    ("only the first", [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]),
))
def test_ffill(marked: list[int], expected: list[int]) -> None:
    np.testing.assert_array_equal(k.ffill(np.array(marked, dtype=bool), np.array([1, 2, 3, 4, 5])), expected)


ON, OFF = True, False


@pytest.mark.parametrize(("on", "carried_on", "carried_since", "broken", "expected"), rows(
    ("a run starts where on begins", [OFF, ON, ON, OFF, ON], OFF, NAN, None, [NAN, 1, 1, NAN, 4]),
    ("a run carried in keeps its start", [ON, ON, OFF, ON, ON], ON, -5.0, None, [-5, -5, NAN, 3, 3]),
    ("a carried run that is over is not continued", [ON, ON, ON, ON, ON], OFF, -5.0, None, [0, 0, 0, 0, 0]),
    ("broken restarts the run after a gap", [OFF, ON, ON, ON, ON], OFF, NAN, [0, 0, 1, 0, 0], [NAN, 1, 2, 2, 2]),
    ("broken restarts even a carried run", [ON, ON, ON, ON, ON], ON, -5.0, [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]),
    ("broken where on is off changes nothing", [ON, OFF, ON, ON, ON], OFF, NAN, [0, 1, 0, 0, 0], [0, NAN, 2, 2, 2]),
))
def test_run_since(on: list[bool], carried_on: bool, carried_since: float, broken: list[int] | None,
                   expected: list[float]) -> None:
    n = len(on)
    since = k.run_since(np.array(on), np.arange(n, dtype=float), k.segment_starts(np.zeros(n, dtype=np.int64)),
                        np.full(n, carried_on), np.full(n, carried_since),
                        None if broken is None else np.array(broken, dtype=bool))
    np.testing.assert_array_equal(since, expected)


def test_run_since_keeps_segments_apart() -> None:
    on = np.array([ON, ON, ON, ON])
    seg = k.segment_starts(np.array([0, 0, 1, 1]))
    since = k.run_since(on, np.array([10.0, 11.0, 10.5, 12.0]), seg, np.array([ON, ON, OFF, OFF]),
                        np.array([3.0, 3.0, NAN, NAN]))
    np.testing.assert_array_equal(since, [3.0, 3.0, 10.5, 10.5])


@pytest.mark.parametrize(("on", "since", "ts", "delay", "expected"), rows(
    ("held exactly the delay", ON, 0.0, 5.0, 5.0, True),
    ("a moment short of it", ON, 0.0, 4.999, 5.0, False),
    ("off is never held", OFF, 0.0, 100.0, 5.0, False),
    ("no run (NaN since)", ON, NAN, 100.0, 5.0, False),
    ("a zero delay holds at once", ON, 7.0, 7.0, 0.0, True),
))
def test_held(on: bool, since: float, ts: float, delay: float, expected: bool) -> None:
    assert k.held(np.array([on]), np.array([since]), np.array([ts]), np.array([delay])).tolist() == [expected]


@pytest.mark.parametrize(("values", "carried_on", "expected"), rows(
    ("on at the level, off below the lower one", [0, 5, 3, 1, 6], OFF, [OFF, ON, ON, OFF, ON]),
    ("between the levels keeps the carried state", [3, 4, 2, 1.9, 3], ON, [ON, ON, ON, OFF, OFF]),
    ("between the levels stays off when off", [3, 4, 4.99, 2, 3], OFF, [OFF, OFF, OFF, OFF, OFF]),
))
def test_schmitt(values: list[float], carried_on: bool, expected: list[bool]) -> None:
    n = len(values)
    on = k.schmitt(np.array(values, dtype=float), np.full(n, 5.0), np.full(n, 2.0),
                   k.segment_starts(np.zeros(n, dtype=np.int64)), np.full(n, carried_on))
    assert on.tolist() == expected


def test_schmitt_takes_each_segments_own_carried_state() -> None:
    on = k.schmitt(np.array([3.0, 3.0, 3.0, 3.0]), np.full(4, 5.0), np.full(4, 2.0),
                   k.segment_starts(np.array([0, 0, 1, 1])), np.array([ON, ON, OFF, OFF]))
    assert on.tolist() == [ON, ON, OFF, OFF]


# τ = 1/ln 2 makes the decay over one second exactly one half.
HALF = 1.0 / math.log(2.0)


@pytest.mark.parametrize(("ts", "drive", "carried", "carried_ts", "expected"), rows(
    ("starts cold without a carried value", [0, 1, 2, 3], [1, 1, 1, 1], NAN, NAN, [0, 1, 1.5, 1.75]),
    ("a carried value decays over the gap", [0, 1, 2], [1, 0, 0], 2.0, -1.0, [2, 1, 0.5]),
    ("a longer first gap decays more", [0, 1], [0, 0], 8.0, -2.0, [2, 1]),
    ("uneven steps", [0, 2, 3], [0, 1, 1], 4.0, 0.0, [4, 2, 2]),
))
def test_first_order(ts: list[float], drive: list[float], carried: float, carried_ts: float,
                     expected: list[float]) -> None:
    n = len(ts)
    y = k.first_order(np.array(drive, dtype=float), np.array(ts, dtype=float),
                      k.segment_starts(np.zeros(n, dtype=np.int64)), np.full(n, carried), np.full(n, carried_ts),
                      np.full(n, HALF))
    np.testing.assert_allclose(y, expected)


def test_first_order_keeps_segments_apart() -> None:
    y = k.first_order(np.array([0.0, 1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0, 1.0]),
                      k.segment_starts(np.array([0, 0, 1, 1])), np.array([4.0, 4.0, NAN, NAN]),
                      np.array([-1.0, -1.0, NAN, NAN]), np.full(4, HALF))
    np.testing.assert_allclose(y, [2.0, 2.0, 0.0, 0.0])


@pytest.mark.parametrize(("x", "agreed", "gap", "expected"), rows(
    # τ = 1/ln 2, a sample spans 1 s, at most 3 s of silence is credited.
    ("a first sample adds nothing (no gap)", 4.0, 4.0, NAN, 0.0),
    ("a one-second gap: the sample's own second only", 4.0, 0.0, 1.0, 0.5 * 4),
    ("the interval before is credited with the agreed value", 4.0, 2.0, 3.0, 0.5 * 0.75 * 2 + 0.5 * 4),
    ("nothing is agreed: only the own second", 4.0, 0.0, 3.0, 0.5 * 4),
    ("just past the limit: only the sample's own second", 4.0, 2.0, 3.0 + 1e-9, 0.5 * 4),
    ("a silence longer than the limit credits only the sample's own second", 4.0, 2.0, 1000.0, 0.5 * 4),
    ("a gap shorter than the span: that part of the span", 4.0, 2.0, 0.5, (1 - 0.5 ** 0.5) * 4),
))
def test_sampled_drive(x: float, agreed: float, gap: float, expected: float) -> None:
    drive = k.sampled_drive(np.array([x]), np.array([agreed]), np.array([gap]), HALF, 1.0, 3.0)
    np.testing.assert_allclose(drive, [expected])


@pytest.mark.parametrize(("q_slot", "q_ts", "expected"), rows(
    ("before the slot's first row: the carried value", 0, 5.0, -1.0),
    ("at a row's time: that row", 0, 10.0, 1.0),
    ("between rows: the one before", 0, 15.0, 1.0),
    ("after the last row: the last row", 0, 99.0, 2.0),
    ("another slot's rows are not taken", 1, 14.0, -2.0),
    ("the other slot at its row", 1, 15.0, 3.0),
    ("a slot without rows: its carried value", 2, 100.0, -3.0),
))
def test_as_of(q_slot: int, q_ts: float, expected: float) -> None:
    got = k.as_of(np.array([0, 0, 1]), np.array([10.0, 20.0, 15.0]), np.array([1.0, 2.0, 3.0]),
                  np.array([q_slot]), np.array([q_ts]), np.array([-1.0, -2.0, -3.0])[[q_slot]])
    assert got.tolist() == [expected]


@pytest.mark.parametrize(("key", "counts", "expected"), rows(
    ("each row sums the window (key − 1, key]", [0, 0.5, 1.0, 1.2, 5.0], [1, 2, 3, 4, 5], [1, 3, 5, 9, 5]),
    ("a row exactly one width later leaves the first out", [0, 1], [7, 7], [7, 7]),
    ("just inside the width adds", [0, 0.999], [7, 7], [7, 14]),
))
def test_window_sums(key: list[float], counts: list[float], expected: list[float]) -> None:
    got = k.window_sums(np.array(key, dtype=float), np.array(counts, dtype=float), 1.0)
    np.testing.assert_array_equal(got, expected)


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
