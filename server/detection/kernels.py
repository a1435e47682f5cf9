"""Vectorised building blocks for the detectors: pure functions over numpy arrays, no I/O.

A batch is laid out as rows sorted by (slot, ts), where a slot is one channel (or one device for events).
``seg_start`` marks the first row of each slot's run of rows. State carried in from the previous batch is
given per row (already gathered with ``carried[slot]``) and only read at segment starts.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "as_of",
    "ffill",
    "first_order",
    "gaps",
    "held",
    "previous",
    "run_since",
    "sampled_drive",
    "schmitt",
    "segment_ends",
    "segment_starts",
    "window_sums",
]

Bool = NDArray[np.bool_]
Float = NDArray[np.float64]
Int = NDArray[np.int64]
G = TypeVar("G", bound=np.generic)


def segment_starts(slot: Int) -> Bool:
    starts = np.empty(slot.shape[0], dtype=np.bool_)
    if slot.shape[0]:
        starts[0] = True
        np.not_equal(slot[1:], slot[:-1], out=starts[1:])
    return starts


def segment_ends(seg_start: Bool) -> Bool:
    ends = np.empty_like(seg_start)
    if seg_start.shape[0]:
        ends[:-1] = seg_start[1:]
        ends[-1] = True
    return ends


def ffill(marked: Bool, values: NDArray[np.generic]) -> NDArray[np.generic]:
    """Each row takes the value of the nearest marked row at or before it.

    Every segment start must be marked, so nothing is carried across segments.
    """
    idx = np.where(marked, np.arange(marked.shape[0]), 0)
    np.maximum.accumulate(idx, out=idx)
    return values[idx]


def schmitt(value: Float, on_at: Float, off_below: Float, seg_start: Bool, carried_on: Bool) -> Bool:
    """A trigger with hysteresis: on at ``value >= on_at``, off at ``value < off_below``, else unchanged."""
    up = value >= on_at
    down = value < off_below
    marked = up | down | seg_start
    state = np.where(up, True, np.where(down, False, carried_on))
    result: Bool = ffill(marked, state).astype(np.bool_)
    return result


def previous(values: NDArray[G], seg_start: Bool, carried: NDArray[G]) -> NDArray[G]:
    """Each row's previous value in its slot: the row before, or the value carried in at a segment start."""
    prev = np.empty_like(values)
    if values.shape[0]:
        prev[1:] = values[:-1]
    prev[seg_start] = carried[seg_start]
    return prev


def gaps(ts: Float, seg_start: Bool, carried_ts: Float) -> Float:
    """Seconds since the previous sample of the same slot (NaN before a slot's first sample ever)."""
    result: Float = ts - previous(ts, seg_start, carried_ts)
    return result


def run_since(on: Bool, ts: Float, seg_start: Bool, carried_on: Bool, carried_since: Float,
              broken: Bool | None = None) -> Float:
    """For rows where ``on`` holds, the time the current run of ``on`` began (NaN elsewhere).

    ``broken`` marks rows after a gap too long to say anything about: a run that spans it starts again there.
    """
    prev_on = previous(on, seg_start, carried_on)
    begins = on & ~prev_on if broken is None else on & (~prev_on | broken)
    marked = begins | seg_start
    start = np.where(begins, ts, np.where(on & seg_start, carried_since, np.nan))
    since: Float = ffill(marked, start).astype(np.float64)
    since[~on] = np.nan
    return since


def held(on: Bool, since: Float, ts: Float, delay: Float) -> Bool:
    """``on`` has held for at least ``delay`` seconds (the minimum duration before an alarm)."""
    with np.errstate(invalid="ignore"):
        result: Bool = on & ((ts - since) >= delay)
    return result


def first_order(
    drive: Float, ts: Float, seg_start: Bool, carried: Float, carried_ts: Float, tau: Float
) -> Float:
    """A first-order lag per segment: ``y_k = a·y_{k-1} + drive_k`` with ``a = exp(-Δt/τ)``.

    ``drive_k`` is what row k adds over the interval before it (for an input x held over the whole interval it
    is ``(1-a)·x``; callers decide what a sample says about the time before it). Where nothing is carried
    (NaN), the first row starts cold (``y = 0``): a channel's first sample says nothing about how long the load
    has been on. Callers keep a segment's time span within a few τ (the engine slices batches by time), so the
    growth factor ``exp(Δt/τ)`` of the closed form stays small.
    """
    n = drive.shape[0]
    if n == 0:
        return np.empty(0)
    first_idx = np.flatnonzero(seg_start)
    t_first = ffill(seg_start, ts).astype(np.float64)
    g = np.exp((ts - t_first) / tau)
    terms = drive * g
    # First row of each segment: carried value decayed over the gap, plus its own drive.
    c0 = carried[first_idx]
    with np.errstate(invalid="ignore"):
        a0 = np.exp(-(ts[first_idx] - carried_ts[first_idx]) / tau[first_idx])
    fresh = np.isnan(c0) | np.isnan(a0)
    y0 = np.where(fresh, 0.0, c0 * a0 + drive[first_idx])
    terms[first_idx] = np.nan_to_num(y0)
    total = np.cumsum(terms)
    before = np.zeros(n)
    before[first_idx] = total[first_idx] - terms[first_idx]
    base = ffill(seg_start, before).astype(np.float64)
    result: Float = (total - base) / g
    return result


def sampled_drive(x: Float, agreed: Float, gap: Float, tau: float, span: float, max_gap: float) -> Float:
    """The drive of ``first_order`` for samples that are instants, not interval means.

    A sample vouches for its own instant (the ``span`` seconds the device measured over); the interval before
    it is credited with ``agreed`` (what the samples around it agree on) when it is no longer than ``max_gap``,
    and with nothing when it is (a longer silence says nothing about the load).
    """
    d = np.nan_to_num(gap, nan=0.0)
    own = np.minimum(d, span)
    vouched = np.where(d > max_gap, 0.0, np.maximum(d - own, 0.0))
    a_own = np.exp(-own / tau)
    result: Float = a_own * (1.0 - np.exp(-vouched / tau)) * np.nan_to_num(agreed) + (1.0 - a_own) * x
    return result


def as_of(slot: Int, ts: Float, values: Float, q_slot: Int, q_ts: Float, otherwise: Float) -> Float:
    """For each query (slot, time), the value of the last row of that slot at or before the time, else the
    query's ``otherwise`` (what the slot held before these rows). ``slot``/``ts`` are sorted by (slot, ts)."""
    if slot.shape[0] == 0 or q_slot.shape[0] == 0:
        return otherwise
    t0 = min(float(ts.min()), float(q_ts.min()))
    span = max(float(ts.max()), float(q_ts.max())) - t0 + 1.0
    key = slot * span + (ts - t0)
    idx = np.searchsorted(key, q_slot * span + (q_ts - t0), side="right") - 1
    at = np.maximum(idx, 0)
    found = (idx >= 0) & (slot[at] == q_slot)
    result: Float = np.where(found, values[at], otherwise)
    return result


def window_sums(key: Float, counts: Float, width: float) -> Float:
    """Sum of ``counts`` over the window ``(key - width, key]`` for every row.

    ``key`` is sorted ascending and already separates segments by more than ``width``.
    """
    total = np.cumsum(counts)
    first = np.searchsorted(key, key - width, side="right")
    before = np.where(first > 0, total[np.maximum(first - 1, 0)], 0.0)
    result: Float = total - before
    return result
