"""The detection kernels as tables of small arrays with hand-worked answers: segments, gaps, runs, triggers,
the first-order lag and the drive of a sampled load, lookups as of a time, window sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from server.detection import kernels as k

from .detector_tables import (
    NAN,
    rows,
)

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
