"""Vectorised building blocks for the detectors: pure functions over numpy arrays, no I/O.

A batch is laid out as rows sorted by (slot, ts), where a slot is one channel (or one device for events).
``seg_start`` marks the first row of each slot's run of rows. State carried in from the previous batch is
given per row (already gathered with ``carried[slot]``) and only read at segment starts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ffill",
    "first_order",
    "held",
    "run_since",
    "schmitt",
    "segment_ends",
    "segment_starts",
    "window_sums",
]

Bool = NDArray[np.bool_]
Float = NDArray[np.float64]
Int = NDArray[np.int64]


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


def run_since(on: Bool, ts: Float, seg_start: Bool, carried_on: Bool, carried_since: Float) -> Float:
    """For rows where ``on`` holds, the time the current run of ``on`` began (NaN elsewhere)."""
    prev_on = np.empty_like(on)
    if on.shape[0]:
        prev_on[1:] = on[:-1]
    prev_on[seg_start] = carried_on[seg_start]
    begins = on & ~prev_on
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
    x: Float, ts: Float, seg_start: Bool, carried: Float, carried_ts: Float, tau: Float
) -> Float:
    """A first-order lag per segment: ``y_k = a·y_{k-1} + (1-a)·x_k`` with ``a = exp(-Δt/τ)``.

    Exact for irregular sampling. Where nothing is carried (NaN), the first row starts cold (``y = 0``): a
    channel's first sample says nothing about how long the load has been on. Callers keep a segment's time
    span within a few τ (the engine slices batches by time), so the growth factor ``exp(Δt/τ)`` of the
    closed form stays small.
    """
    n = x.shape[0]
    if n == 0:
        return np.empty(0)
    first_idx = np.flatnonzero(seg_start)
    t_first = ffill(seg_start, ts).astype(np.float64)
    g = np.exp((ts - t_first) / tau)
    prev_ts = np.empty_like(ts)
    prev_ts[1:] = ts[:-1]
    prev_ts[seg_start] = carried_ts[seg_start]
    with np.errstate(invalid="ignore"):
        a = np.exp(-(ts - prev_ts) / tau)
    terms = (1.0 - a) * x * g
    # First row of each segment: carried value decayed over the gap, plus the new sample.
    c0 = carried[first_idx]
    a0 = a[first_idx]
    fresh = np.isnan(c0) | np.isnan(a0)
    y0 = np.where(fresh, 0.0, c0 * a0 + (1.0 - a0) * x[first_idx])
    terms[first_idx] = np.nan_to_num(y0)
    total = np.cumsum(terms)
    before = np.zeros(n)
    before[first_idx] = total[first_idx] - terms[first_idx]
    base = ffill(seg_start, before).astype(np.float64)
    result: Float = (total - base) / g
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
