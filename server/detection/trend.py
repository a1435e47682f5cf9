"""Leakage trend: insulation that degrades over days, warned of before the leakage reaches the alarm level.

Natural leakage follows the daily load and the weather (GB 50116 notes 100–200 mA on a healthy circuit; humid
nights add to it). Degrading insulation adds a part that grows by a steady factor per day, on top. So each residual
channel keeps a weighted regression of its readings on

    leakage ≈ a + c·exp(r·(t − now)) + s·sin(ωt) + k·cos(ωt)

for a few growth rates r at once, with exponential forgetting over TREND_WINDOW_S. The rate that fits best gives
the growing part now (c), and the time at which the daily peak reaches the alarm level if the growth goes on:
``ln(1 + (alarm − peak) / c) / r``. A pre-alarm needs all of: enough history, a growing part worth a warning,
growth that explains much of what the daily cycle does not (weather does not grow for days on end), a projection
within TREND_RAISE_S, and all that holding for TREND_HOLD_S (a humid spell rises for a day or two, then stops).

The sums are kept anchored at the channel's latest time, so the exponential features stay within (0, 1].
Pure: arrays in, levels out; the per-channel sums live in ``ChannelTable.state``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .kernels import Float, ffill, gaps, previous
from .table import CAUSES, RATE_SUMS, SHARED_SUMS, TREND_RATES, ChannelTable

__all__ = ["TREND_CLEAR_S", "TREND_RAISE_S", "leakage_trend"]

Level = NDArray[np.int8]

TREND_WINDOW_S = 4 * 86400.0       # forgetting time of the regression
TREND_MIN_HISTORY_S = 4 * 86400.0  # four daily cycles before growth means anything
TREND_RAISE_S = 10 * 86400.0        # warn when the alarm level is projected within a week
TREND_CLEAR_S = 14 * 86400.0       # and stop warning when the projection moves beyond two weeks
TREND_HOLD_S = 12 * 3600.0         # the projection must stay within the week for a day
TREND_MIN_EXTRA_FRACTION = 0.05    # a growing part under 5 % of the alarm level is not worth a warning yet
TREND_MIN_GAIN = 0.05               # growth must explain half of what the daily cycle leaves unexplained
TREND_EVAL_S = 600.0               # the sums move every batch; the fit is solved every 10 minutes
# Samples further apart than this stand for this long at most (the slowest cadence devices report at).
MAX_SPAN_S = 900.0
_OMEGA = 2 * np.pi / 86400.0
_TREND = CAUSES.index("leakage_trend")
# What healthy leakage follows: the connected load (natural leakage grows with the appliances switched on) and the
# daily cycle, two harmonics (a shop's opening hours and humid nights are not one sine).
_BASE = 6  # 1, I/In, sin ωt, cos ωt, sin 2ωt, cos 2ωt
_PAIRS = [(i, j) for i in range(_BASE) for j in range(i, _BASE)]
# The recent daily peak, robust to single-sample glitches: the lower of two consecutive samples, decaying by e
# per day so that today's peak soon stands for the day.
PEAK_MEMORY_S = 86400.0


def _base(ts: Float, load: Float) -> list[Float]:
    return [np.ones_like(ts), load, np.sin(_OMEGA * ts), np.cos(_OMEGA * ts), np.sin(2 * _OMEGA * ts),
            np.cos(2 * _OMEGA * ts)]


def _peak(table: ChannelTable, slot: NDArray[np.int64], seg: NDArray[np.bool_], end: NDArray[np.bool_], ts: Float,
          value: Float) -> None:
    """Carry each channel's recent daily peak (``tr_hi`` as of ``tr_last``) over the rows."""
    st = table.state
    prev = previous(value, seg, st["tr_prev"][slot])
    both = np.fmin(prev, value)
    t0 = ffill(seg, ts).astype(np.float64)
    carried = np.nan_to_num(st["tr_hi"][slot] * np.exp(-(t0 - st["tr_last"][slot]) / PEAK_MEMORY_S))
    scaled = np.nan_to_num(both) * np.exp((ts - t0) / PEAK_MEMORY_S)
    scaled[seg] = np.maximum(scaled[seg], carried[seg])
    # A running maximum per segment: offset each segment above the previous ones so one accumulate does all.
    offset = (np.cumsum(seg) - 1) * (float(scaled.max(initial=0.0)) + 1.0)
    running = np.maximum.accumulate(scaled + offset) - offset
    ends = slot[end]
    st["tr_hi"][ends] = (running * np.exp(-(ts - t0) / PEAK_MEMORY_S))[end]
    st["tr_prev"][ends] = value[end]


def _accumulate(table: ChannelTable, slot: NDArray[np.int64], seg: NDArray[np.bool_], end: NDArray[np.bool_],
                ts: Float, value: Float, load: Float) -> Float:
    """Fold the rows into each channel's sums, re-anchored at its last row; returns the last rows' times."""
    st = table.state
    ends = slot[end]
    t_end = ts[end]
    group = np.cumsum(seg) - 1
    segments = ends.shape[0]
    # Move the anchor from the previous last time to this one: forget, and rescale the exponential features.
    _peak(table, slot, seg, end, ts, value)
    moved = np.maximum(np.nan_to_num(t_end - st["tr_last"][ends], nan=0.0), 0.0)
    decay = np.exp(-moved / TREND_WINDOW_S)
    for name in SHARED_SUMS:
        st[name][ends] *= decay
    for i, rate in enumerate(TREND_RATES):
        shrink = np.exp(-rate * moved / 86400.0)
        for name in RATE_SUMS:
            st[f"{name}{i}"][ends] *= decay * (shrink * shrink if name == "tr_gg" else shrink)
    st["tr_last"][ends] = t_end
    age = t_end[group] - ts
    span = np.minimum(np.nan_to_num(gaps(ts, seg, st["last_ts"][slot]), nan=0.0), MAX_SPAN_S)
    w = np.exp(-age / TREND_WINDOW_S) * span

    def add(name: str, values: Float) -> None:
        st[name][ends] += np.bincount(group, weights=w * values, minlength=segments)

    f = _base(ts, load)
    for n, (i, j) in enumerate(_PAIRS):
        add(f"tr_p{n}", f[i] * f[j])
    for i in range(_BASE):
        add(f"tr_v{i}", f[i] * value)
    add("tr_vv", value * value)
    for k, rate in enumerate(TREND_RATES):
        g = np.exp(-rate * age / 86400.0)
        for i in range(_BASE):
            add(f"tr_g{i}_{k}", g * f[i])
        add(f"tr_gg{k}", g * g)
        add(f"tr_gv{k}", g * value)
    return t_end


def _solve(m: Float, b: Float) -> tuple[Float, Float]:
    """Least squares from normal equations (a touch of ridge keeps short histories solvable): (coef, b·coef)."""
    n = m.shape[-1]
    ridged = m + np.eye(n) * (1e-9 * m[:, :1, :1] + 1e-12)
    coef: Float = np.asarray(np.linalg.solve(ridged, b[..., None])[..., 0], dtype=np.float64)
    explained: Float = np.einsum("ij,ij->i", coef, b)
    return coef, explained


def leakage_trend(table: ChannelTable, rows_slot: NDArray[np.int64], rows_seg: NDArray[np.bool_],
                  rows_end: NDArray[np.bool_], ts: Float, value: Float,
                  load: Float) -> tuple[NDArray[np.int64], Level, Float]:
    """Update the sums with rows sorted by (slot, ts) and judge each channel due for evaluation. ``load`` is the
    device's current at each row's time as a fraction of the rated current (0 when the device has none).

    Returns the indices (into the rows) of the evaluated channels' last rows, their wanted level (0 or 1) and
    the projected time at which the daily peak reaches the alarm level (inf when it does not grow).
    """
    st = table.state
    ends = rows_slot[rows_end]
    first = np.where(np.isnan(st["tr_first"][ends]), ts[rows_seg], st["tr_first"][ends])
    st["tr_first"][ends] = first
    t_end = _accumulate(table, rows_slot, rows_seg, rows_end, ts, value, load)
    due = np.isnan(st["tr_eval"][ends]) | (t_end - st["tr_eval"][ends] >= TREND_EVAL_S)
    last_rows = np.flatnonzero(rows_end)[due]
    ends, t_end, first = ends[due], t_end[due], first[due]
    st["tr_eval"][ends] = t_end
    if not ends.shape[0]:
        return last_rows, np.zeros(0, dtype=np.int8), np.zeros(0)

    def get(name: str) -> Float:
        values: Float = st[name][ends]
        return values

    count = ends.shape[0]
    base = np.empty((count, _BASE + 1, _BASE + 1))  # the daily cycle's normal matrix, with room for growth
    for n, (i, j) in enumerate(_PAIRS):
        base[:, i, j] = base[:, j, i] = get(f"tr_p{n}")
    vb = np.stack([get(f"tr_v{i}") for i in range(_BASE)], -1)
    vv = get("tr_vv")
    # Without growth: the daily cycle alone.
    _, explained = _solve(base[:, :_BASE, :_BASE], vb)
    sse_flat = np.maximum(vv - explained, 0.0)
    best_sse = np.full(count, np.inf)
    best = np.zeros((count, _BASE + 1))
    best_rate = np.zeros(count)
    for k, rate in enumerate(TREND_RATES):
        m = base.copy()
        for i in range(_BASE):
            m[:, i, _BASE] = m[:, _BASE, i] = get(f"tr_g{i}_{k}")
        m[:, _BASE, _BASE] = get(f"tr_gg{k}")
        coef, explained = _solve(m, np.concatenate([vb, get(f"tr_gv{k}")[:, None]], -1))
        sse = np.maximum(vv - explained, 0.0)
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        best[better] = coef[better]
        best_rate = np.where(better, rate, best_rate)
    extra = best[:, _BASE]  # the growing part now (its feature is 1 at the anchor)
    peak = get("tr_hi")
    alarm = table.settings["alarm"][ends]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(sse_flat > 0, 1.0 - best_sse / sse_flat, 0.0)
        days = np.log1p(np.maximum(alarm - peak, 0.0) / extra) / best_rate
    growing = (extra >= TREND_MIN_EXTRA_FRACTION * alarm) & (gain >= TREND_MIN_GAIN)
    eta = np.where(growing, days * 86400.0, np.inf)
    history = t_end - first
    candidate = (history >= TREND_MIN_HISTORY_S) & (eta <= TREND_RAISE_S)
    since = np.where(candidate, np.fmin(st["tr_since"][ends], t_end), np.nan)
    st["tr_since"][ends] = since
    active = table.desired[_TREND, ends] > 0
    raise_ = candidate & (t_end - since >= TREND_HOLD_S)
    keep = active & (extra > 0) & (eta <= TREND_CLEAR_S)
    level = np.where(raise_ | keep, 1, 0).astype(np.int8)
    return last_rows, level, t_end + eta
