"""Leakage trend: insulation that degrades over days, warned of before the leakage reaches the alarm level.

Natural leakage follows the connected load and the daily cycle (GB 50116 notes 100–200 mA on a healthy circuit;
humid nights add to it). Degrading insulation adds a part that grows by a steady factor per day, on top. So each
residual channel keeps a weighted regression of its 5-minute means on

    leakage ≈ a + b·I/In + c·exp(r·(t − now)) + two harmonics of the day

for a few growth rates r at once, with exponential forgetting over TREND_WINDOW_S. The rate that fits best gives
the growing part now (c), and the time at which the recent daily peak reaches the alarm level if the growth goes
on: ``ln(1 + (alarm − peak) / c) / r``. A pre-alarm needs all of: enough history, a growing part worth a warning,
growth that explains some of what the load and the daily cycle do not, a projection within TREND_RAISE_S, and all
that holding for TREND_HOLD_S.

The sums are kept anchored at the channel's newest bucket, so the exponential features stay within (0, 1].
Pure: arrays in, levels out; the per-channel sums live in ``ChannelTable.trend``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from server.detection.detectors import MAX_GAP_S, Rows
from server.detection.kernels import Float, ffill, previous, segment_ends, segment_starts
from server.detection.table import CAUSES, SHARED_SUMS, TREND_RATES, TREND_SUMS, ChannelTable

__all__ = ["TREND_CLEAR_S", "TREND_RAISE_S", "leakage_trend"]

Level = NDArray[np.int8]

TREND_WINDOW_S = 4 * 86400.0       # forgetting time of the regression
TREND_MIN_HISTORY_S = 4 * 86400.0  # four daily cycles before growth means anything
# Warn when the alarm level is projected within 10 days. On exponential growth the projection runs up to a day late
# (the rate is the nearest of TREND_RATES, and the fit lags the newest days), and degrading insulation crosses the
# alarm level first on a humid night, ahead of the trend: 10 days keep the warning three days ahead (the fleet
# simulation, docs/detection.md), where 7 days would not.
TREND_RAISE_S = 10 * 86400.0
TREND_CLEAR_S = 14 * 86400.0       # and stop warning when the projection moves beyond two weeks
TREND_HOLD_S = 12 * 3600.0         # the projection must stay within the horizon for 12 hours
TREND_MIN_EXTRA_FRACTION = 0.05    # a growing part under 5 % of the alarm level is not worth a warning yet
TREND_MIN_GAIN = 0.05              # growth must explain 5 % of what the load and the daily cycle leave unexplained
TREND_EVAL_S = 600.0               # the sums move every batch; the fit is solved every 10 minutes
BUCKET_S = 300.0
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
    """Carry each channel's recent daily peak (``tr_hi``, as of the channel's last sample) over the rows."""
    st = table.state
    prev = previous(value, seg, st["tr_prev"][slot])
    both = np.fmin(prev, value)
    t0 = ffill(seg, ts).astype(np.float64)
    carried = np.nan_to_num(st["tr_hi"][slot] * np.exp(-(t0 - st["last_ts"][slot]) / PEAK_MEMORY_S))
    scaled = np.nan_to_num(both) * np.exp((ts - t0) / PEAK_MEMORY_S)
    scaled[seg] = np.maximum(scaled[seg], carried[seg])
    # A running maximum per segment: offset each segment above the previous ones so one accumulate does all.
    offset = (np.cumsum(seg) - 1) * (float(scaled.max(initial=0.0)) + 1.0)
    running = np.maximum.accumulate(scaled + offset) - offset
    ends = slot[end]
    st["tr_hi"][ends] = (running * np.exp(-(ts - t0) / PEAK_MEMORY_S))[end]
    st["tr_prev"][ends] = value[end]


def _column_rates() -> Float:
    """Per column of the sums, how fast it fades as the anchor moves (per second): forgetting, plus the growth
    feature's own decay for columns that hold it once (r) or twice (2r)."""
    rates = [1.0 / TREND_WINDOW_S] * len(SHARED_SUMS)
    for rate in TREND_RATES:
        own = rate / 86400.0
        rates += [1.0 / TREND_WINDOW_S + own] * _BASE + [1.0 / TREND_WINDOW_S + 2 * own, 1.0 / TREND_WINDOW_S + own]
    return np.array(rates)


_FADE = _column_rates()
_COLUMN = {name: i for i, name in enumerate(TREND_SUMS)}
_I, _J = (np.array(index) for index in zip(*_PAIRS, strict=True))
_RATES = np.array(TREND_RATES) / 86400.0


def _buckets(table: ChannelTable, slot: NDArray[np.int64], seg: NDArray[np.bool_], ts: Float, value: Float,
             load: Float, span: Float) -> tuple[NDArray[np.int64], Float, Float, Float, Float]:
    """Samples folded into BUCKET_S means per channel (a trend over days needs no finer grain, and a channel read
    every second then costs the regression no more than one read every 5 minutes). Returns the buckets that closed,
    sorted by (slot, time): slot, mean time, mean value, mean load and the time they stand for; the open bucket of
    each channel is carried in its state."""
    st = table.state
    bucket = np.floor(ts / BUCKET_S)
    new = seg.copy()
    new[1:] |= bucket[1:] != bucket[:-1]
    starts = np.flatnonzero(new)
    sums = np.add.reduceat(np.stack([span, span * ts, span * value, span * load], 1), starts, axis=0)
    g_slot, g_bucket, g_first = slot[starts], bucket[starts], seg[starts]
    carried = np.stack([st["tr_bw"], st["tr_bt"], st["tr_bv"], st["tr_bl"]], 1)[g_slot]
    open_bucket = st["tr_bk"][g_slot]
    merge = g_first & (open_bucket == g_bucket)
    sums[merge] += carried[merge]
    closed = g_first & ~np.isnan(open_bucket) & (open_bucket != g_bucket) & (carried[:, 0] > 0)
    last = segment_ends(g_first)
    st["tr_bk"][g_slot[last]] = g_bucket[last]
    for i, name in enumerate(("tr_bw", "tr_bt", "tr_bv", "tr_bl")):
        st[name][g_slot[last]] = sums[last, i]
    # What closed: a carried bucket the batch moved past, then every group but each channel's last.
    out_slot = np.concatenate([g_slot[closed], g_slot[~last]])
    out = np.concatenate([carried[closed], sums[~last]])
    order = np.lexsort((out[:, 1] / np.maximum(out[:, 0], 1e-9), out_slot))
    out_slot, out = out_slot[order], out[order]
    good = out[:, 0] > 0
    out_slot, out = out_slot[good], out[good]
    w = out[:, 0]
    return out_slot, out[:, 1] / w, out[:, 2] / w, out[:, 3] / w, w


def _accumulate(table: ChannelTable, slot: NDArray[np.int64], ts: Float, value: Float, load: Float,
                weight: Float) -> None:
    """Fold closed buckets (sorted by slot, time) into each channel's sums, re-anchored at its newest bucket."""
    if not slot.shape[0]:
        return
    st = table.state
    seg = segment_starts(slot)
    end = segment_ends(seg)
    ends = slot[end]
    t_end = ts[end]
    group = np.cumsum(seg) - 1
    # Move the anchor from the previous newest time to this one: forget, and rescale the exponential features.
    moved = np.maximum(np.nan_to_num(t_end - st["tr_last"][ends], nan=0.0), 0.0)
    st["tr_last"][ends] = t_end
    age = t_end[group] - ts
    w = np.exp(-age / TREND_WINDOW_S) * weight
    f = np.stack(_base(ts, load), 1)
    g = np.exp(-age[:, None] * _RATES[None, :])
    n = ts.shape[0]
    per_rate = np.concatenate([g[:, :, None] * f[:, None, :], (g * g)[:, :, None], (g * value[:, None])[:, :, None]],
                              axis=2).reshape(n, -1)
    columns = np.concatenate([f[:, _I] * f[:, _J], f * value[:, None], (value * value)[:, None], per_rate], axis=1)
    sums = np.add.reduceat(columns * w[:, None], np.flatnonzero(seg), axis=0)
    table.trend[ends] = table.trend[ends] * np.exp(-moved[:, None] * _FADE[None, :]) + sums


def _solve(m: Float, b: Float) -> tuple[Float, Float]:
    """Least squares from normal equations (a touch of ridge keeps short histories solvable): (coef, b·coef)."""
    n = m.shape[-1]
    ridged = m + np.eye(n) * (1e-9 * m[:, :1, :1] + 1e-12)
    coef: Float = np.asarray(np.linalg.solve(ridged, b[..., None])[..., 0], dtype=np.float64)
    explained: Float = np.einsum("ij,ij->i", coef, b)
    return coef, explained


def leakage_trend(table: ChannelTable, rows: Rows, load: Float) -> tuple[NDArray[np.int64], Level, Float]:
    """Update the sums with the rows and judge each channel due for evaluation. ``load`` is the device's current
    at each row's time as a fraction of the rated current (0 when the device has none).

    Returns the indices (into the rows) of the evaluated channels' last rows, their wanted level (0 or 1) and
    the projected time at which the daily peak reaches the alarm level (inf when it does not grow).
    """
    st = table.state
    ends = rows.slot[rows.end]
    t_end = rows.ts[rows.end]
    first = np.where(np.isnan(st["tr_first"][ends]), rows.ts[rows.seg], st["tr_first"][ends])
    st["tr_first"][ends] = first
    _peak(table, rows.slot, rows.seg, rows.end, rows.ts, rows.value)
    span = np.minimum(np.nan_to_num(rows.gaps(table), nan=0.0), MAX_GAP_S)
    _accumulate(table, *_buckets(table, rows.slot, rows.seg, rows.ts, rows.value, load, span))
    due = np.isnan(st["tr_eval"][ends]) | (t_end - st["tr_eval"][ends] >= TREND_EVAL_S)
    last_rows = np.flatnonzero(rows.end)[due]
    ends, t_end, first = ends[due], t_end[due], first[due]
    st["tr_eval"][ends] = t_end
    if not ends.shape[0]:
        return last_rows, np.zeros(0, dtype=np.int8), np.zeros(0)

    block = table.trend[ends]

    def get(name: str) -> Float:
        values: Float = block[:, _COLUMN[name]] if name in _COLUMN else st[name][ends]
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
