"""The detectors: each takes the rows of one batch slice and answers a wanted alarm level per row.

Levels: 0 none, 1 pre-alarm, 2 alarm, 3 fault. Every detector reads and updates the per-slot state in
``ChannelTable.state``; none of them does I/O. The engine turns changes of the wanted level into alarm
transitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .kernels import Bool, Float, Int, ffill, first_order, held, run_since, schmitt, segment_ends, segment_starts
from .table import CAUSES, QUANTITY_CODES, ChannelTable

__all__ = [
    "ARC_QUIET_S", "Rows", "arc", "hot_joint", "leakage_trend", "out_of_range", "overload", "sensor",
    "short_circuit", "threshold",
]

Level = NDArray[np.int8]
Q = QUANTITY_CODES

# Overload: the I²t state is a first-order thermal model of the circuit with this time constant. PVC-insulated
# cables of final circuits (1.5–10 mm²) heat with time constants of roughly 5–15 minutes; 10 minutes sits in
# that range and warns within minutes at 1.45 In, the conventional tripping current of GB/T 10963.1.
OVERLOAD_TAU_S = 600.0
# Short circuit: a current of 10 In or more is the instantaneous-trip region of a type C breaker
# (GB/T 10963.1 Table 7: type C trips instantaneously between 5 and 10 In).
SHORT_CIRCUIT_MULTIPLE = 10.0

# Values no healthy sensor reports: the measuring range of the detector standards with margin. Outside it, the
# sensor (not the circuit) is at fault. 50 Hz mains has 100 half-cycles per second, so more arcs are impossible.
PHYSICAL_RANGE = {
    Q["residual_ma"]: (0.0, 5000.0),   # GB 14287.2 detectors measure up to 1000 mA; 5 A is beyond any of them
    Q["temp_c"]: (-40.0, 200.0),       # GB 14287.3 sensors work from -40 °C; 200 °C is beyond their range
    Q["voltage_v"]: (0.0, 500.0),
    Q["current_a"]: (0.0, 20_000.0),   # 630 A × 30: beyond any breaker's short-circuit measuring range
    Q["arc"]: (0.0, 100.0),            # half-cycles per second at 50 Hz
}
# Stuck sensor: the exact same value for this long. Mains voltage and a loaded terminal's temperature always
# move; a residual current that never changes by 1 mA for a day has a dead transformer. Current is left out:
# an unloaded circuit reads 0 A for days.
STUCK_S = {Q["voltage_v"]: 3600.0, Q["temp_c"]: 12 * 3600.0, Q["residual_ma"]: 24 * 3600.0}

# Hot joint (poor contact): terminal temperature = ambient + K·θ, fitted per channel with a weighted
# regression on the thermal state θ of the same device's current. An excess over the fit that the load does not
# explain is the signature of a loose or oxidised terminal (DL/T 664 judges joints by their temperature rise
# relative to comparable parts under the same load). Pre-alarm at 10 K, alarm at 20 K of excess, held for
# 10 minutes because the terminal lags the load.
HOT_JOINT_PREALARM_K = 10.0
HOT_JOINT_ALARM_K = 20.0
HOT_JOINT_HYSTERESIS_K = 2.0
HOT_JOINT_DELAY_S = 600.0
# Prior: a terminal at rated current runs about 40 K above ambient (GB/T 10963.1 allows a 60 K rise at the
# terminals); worth an hour of one-a-minute samples before the channel's own data takes over.
HOT_JOINT_PRIOR_K = 40.0
HOT_JOINT_PRIOR_WEIGHT = 60.0
HOT_JOINT_LEARN_S = 3 * 86400.0   # forgetting time of the fit: follows seasons, not a fault developing in hours
HOT_JOINT_MIN_THETA = 0.05        # learn only under some load

# Leakage trend: a weighted regression over days of level + slope·t + a daily cycle (sin, cos of the time of
# day). Natural leakage follows the daily load (GB 50116 notes 100–200 mA), so the daily cycle is modelled
# rather than mistaken for a rise. It warns (pre-alarm) when the daily peak is projected to reach the alarm level
# within a week, and clears when the projection moves beyond two weeks.
TREND_WINDOW_S = 3 * 86400.0      # forgetting time of the regression
TREND_MIN_HISTORY_S = 2 * 86400.0  # two daily cycles before a slope means anything
TREND_RAISE_S = 7 * 86400.0
TREND_CLEAR_S = 14 * 86400.0
TREND_MIN_LEVEL_FRACTION = 1 / 3  # below a third of the alarm level a rise is not yet worth a warning
TREND_EVAL_S = 600.0
_OMEGA = 2 * np.pi / 86400.0
_PAIRS = [(i, j) for i in range(4) for j in range(i, 4)]  # upper triangle of the 4×4 normal matrix

_TREND = CAUSES.index("leakage_trend")

# Fault arc: an arc alarm holds until no window reached the alarm count for this long.
ARC_QUIET_S = 300.0


@dataclass
class Rows:
    """Rows of a batch slice sorted by (slot, ts)."""

    slot: Int
    ts: Float
    value: Float

    def __post_init__(self) -> None:
        self.seg = segment_starts(self.slot)
        self.end = segment_ends(self.seg)

    def take(self, mask: Bool) -> Rows:
        return Rows(self.slot[mask], self.ts[mask], self.value[mask])

    def __len__(self) -> int:
        return int(self.slot.shape[0])


def _trigger(table: ChannelTable, rows: Rows, signal: Float, on_at: Float, off_below: Float, delay: Float,
             prefix: str) -> Bool:
    st = table.state
    slot = rows.slot
    on = schmitt(signal, on_at, off_below, rows.seg, st[f"{prefix}on"][slot])
    since = run_since(on, rows.ts, rows.seg, st[f"{prefix}on"][slot], st[f"{prefix}since"][slot])
    ends = slot[rows.end]
    st[f"{prefix}on"][ends] = on[rows.end]
    st[f"{prefix}since"][ends] = since[rows.end]
    return held(on, since, rows.ts, delay)


def _levels(pre: Bool, alarm: Bool) -> Level:
    return np.where(alarm, 2, np.where(pre, 1, 0)).astype(np.int8)


def threshold(table: ChannelTable, rows: Rows) -> Level:
    """Pre-alarm and alarm levels with hysteresis and a minimum duration (residual, temperature, voltage)."""
    s = {k: v[rows.slot] for k, v in table.settings.items()}
    hyst = np.nan_to_num(s["hysteresis"])
    delay = np.nan_to_num(s["delay_s"])
    pre = _trigger(table, rows, rows.value, s["prealarm"], s["prealarm"] - hyst, delay, "pre_")
    alarm = _trigger(table, rows, rows.value, s["alarm"], s["alarm"] - hyst, delay, "al_")
    return _levels(pre, alarm)


def overload(table: ChannelTable, rows: Rows) -> tuple[Level, Float]:
    """The I²t thermal state against the rated current; pre-alarm and alarm when it reaches their levels."""
    s = {k: v[rows.slot] for k, v in table.settings.items()}
    rated = s["rated_a"]
    st = table.state
    # A short circuit trips the breaker within milliseconds (instantaneous release), so its current does not
    # persist over the sample interval: it is left out of the thermal state and alarms as short_circuit.
    x = np.where(rows.value < SHORT_CIRCUIT_MULTIPLE * rated, (rows.value / rated) ** 2, 0.0)
    theta = first_order(x, rows.ts, rows.seg, st["theta"][rows.slot], st["last_ts"][rows.slot],
                        np.full(len(rows), OVERLOAD_TAU_S))
    st["theta"][rows.slot[rows.end]] = theta[rows.end]
    hyst = np.nan_to_num(s["hysteresis"])
    zero = np.zeros(len(rows))
    pre = _trigger(table, rows, theta, (s["prealarm"] / rated) ** 2, ((s["prealarm"] - hyst) / rated) ** 2, zero,
                   "pre_")
    alarm = _trigger(table, rows, theta, (s["alarm"] / rated) ** 2, ((s["alarm"] - hyst) / rated) ** 2, zero, "al_")
    return _levels(pre, alarm), theta


def short_circuit(table: ChannelTable, rows: Rows) -> Level:
    rated = table.settings["rated_a"][rows.slot]
    return np.where(rows.value >= SHORT_CIRCUIT_MULTIPLE * rated, 2, 0).astype(np.int8)


def out_of_range(table: ChannelTable, rows: Rows) -> Bool:
    lo = np.full(len(rows), -np.inf)
    hi = np.full(len(rows), np.inf)
    qty = table.qty[rows.slot]
    for code, (low, high) in PHYSICAL_RANGE.items():
        mask = qty == code
        lo[mask] = low
        hi[mask] = high
    result: Bool = (rows.value < lo) | (rows.value > hi)
    return result


def sensor(table: ChannelTable, rows: Rows, bad: Bool) -> Level:
    """Fault when a value is out of the physical range or has not changed for the quantity's stuck time."""
    st = table.state
    limit = np.full(len(rows), np.inf)
    qty = table.qty[rows.slot]
    for code, seconds in STUCK_S.items():
        limit[qty == code] = seconds
    prev = np.empty(len(rows))
    if len(rows):
        prev[1:] = rows.value[:-1]
    prev[rows.seg] = st["last_value"][rows.slot[rows.seg]]
    same = (rows.value == prev) & ~bad
    carried = st["stuck_since"][rows.slot]
    marked = ~same | rows.seg
    start = np.where(same & rows.seg & ~np.isnan(carried), carried, rows.ts)
    since = ffill(marked, start).astype(np.float64)
    stuck = same & (rows.ts - since >= limit) & ~((qty == Q["residual_ma"]) & (rows.value == 0))
    st["stuck_since"][rows.slot[rows.end]] = since[rows.end]
    return np.where(bad | stuck, 3, 0).astype(np.int8)


def hot_joint(table: ChannelTable, rows: Rows) -> tuple[Level, Float]:
    """Temperature excess over ambient + K·θ (θ from the device's current channel); returns levels and excess."""
    st = table.state
    slot = rows.slot
    theta = st["theta"][table.partner[slot]]
    ambient = np.nan_to_num(table.settings["ambient_c"][slot], nan=25.0)
    w0 = HOT_JOINT_PRIOR_WEIGHT
    w = st["hj_w"][slot] + 2 * w0
    x = st["hj_x"][slot] + w0
    xx = st["hj_xx"][slot] + w0
    y = st["hj_y"][slot] + w0 * (2 * ambient + HOT_JOINT_PRIOR_K)
    xy = st["hj_xy"][slot] + w0 * (ambient + HOT_JOINT_PRIOR_K)
    k = (w * xy - x * y) / (w * xx - x * x)
    a = (y - k * x) / w
    excess = rows.value - (a + k * theta)
    n = len(rows)
    pre = _trigger(table, rows, excess, np.full(n, HOT_JOINT_PREALARM_K),
                   np.full(n, HOT_JOINT_PREALARM_K - HOT_JOINT_HYSTERESIS_K), np.full(n, HOT_JOINT_DELAY_S), "hj_pre_")
    alarm = _trigger(table, rows, excess, np.full(n, HOT_JOINT_ALARM_K),
                     np.full(n, HOT_JOINT_ALARM_K - HOT_JOINT_HYSTERESIS_K), np.full(n, HOT_JOINT_DELAY_S), "hj_al_")
    # Learn from healthy rows under load only, so a developing fault is not learned away.
    learn = (excess < HOT_JOINT_PREALARM_K) & (theta >= HOT_JOINT_MIN_THETA)
    ends = slot[rows.end]
    gap = np.nan_to_num(rows.ts[rows.end] - st["last_ts"][ends], nan=0.0)
    decay = np.exp(-np.maximum(gap, 0.0) / HOT_JOINT_LEARN_S)
    seg = np.cumsum(rows.seg) - 1
    segments = ends.shape[0]
    for name, values in (("hj_w", np.ones(n)), ("hj_x", theta), ("hj_xx", theta * theta), ("hj_y", rows.value),
                         ("hj_xy", theta * rows.value)):
        added = np.bincount(seg[learn], weights=values[learn], minlength=segments)
        st[name][ends] = st[name][ends] * decay + added
    return _levels(pre, alarm), excess


def leakage_trend(table: ChannelTable, rows: Rows) -> tuple[Rows, Level, Float]:
    """Regression of residual current on [1, days, sin, cos] with exponential forgetting, per channel.

    Evaluated at each channel's last row of the slice. Returns those rows, their wanted level and the
    projected time at which the daily peak reaches the alarm level.
    """
    st = table.state
    slot = rows.slot
    ends = slot[rows.end]
    t_end = rows.ts[rows.end]
    first = np.where(np.isnan(st["tr_first"][ends]), rows.ts[rows.seg], st["tr_first"][ends])
    st["tr_first"][ends] = first
    first_row = first[np.cumsum(rows.seg) - 1]
    # Forget the carried sums over the time since the last slice; weight this slice's rows by their age.
    decay = np.exp(-np.nan_to_num(t_end - st["tr_last"][ends], nan=0.0) / TREND_WINDOW_S)
    st["tr_last"][ends] = t_end
    age = t_end[np.cumsum(rows.seg) - 1] - rows.ts
    w = np.exp(-age / TREND_WINDOW_S)
    features = np.stack([np.ones(len(rows)), (rows.ts - first_row) / 86400.0, np.sin(_OMEGA * rows.ts),
                         np.cos(_OMEGA * rows.ts)])
    seg = np.cumsum(rows.seg) - 1
    segments = ends.shape[0]
    for n, (i, j) in enumerate(_PAIRS):
        added = np.bincount(seg, weights=w * features[i] * features[j], minlength=segments)
        st[f"tr_m{n}"][ends] = st[f"tr_m{n}"][ends] * decay + added
    for i in range(4):
        added = np.bincount(seg, weights=w * features[i] * rows.value, minlength=segments)
        st[f"tr_b{i}"][ends] = st[f"tr_b{i}"][ends] * decay + added
    # The sums move every slice; the fit is only solved every TREND_EVAL_S per channel (a trend over days
    # does not change in seconds).
    due = np.isnan(st["tr_eval"][ends]) | (t_end - st["tr_eval"][ends] >= TREND_EVAL_S)
    last_rows = rows.take(rows.end).take(due)
    ends, t_end, first = ends[due], t_end[due], first[due]
    st["tr_eval"][ends] = t_end
    m = np.empty((ends.shape[0], 4, 4))
    for n, (i, j) in enumerate(_PAIRS):
        m[:, i, j] = m[:, j, i] = st[f"tr_m{n}"][ends]
    b = np.stack([st[f"tr_b{i}"][ends] for i in range(4)], axis=1)
    m += np.eye(4) * (1e-6 * m[:, :1, :1] + 1e-12)  # a touch of ridge keeps short histories solvable
    coef = np.linalg.solve(m, b[..., None])[..., 0]
    days_now = (t_end - first) / 86400.0
    level_now = coef[:, 0] + coef[:, 1] * days_now
    peak_now = level_now + np.hypot(coef[:, 2], coef[:, 3])
    slope = coef[:, 1] / 86400.0  # per second
    alarm = table.settings["alarm"][ends]
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where(slope > 0, (alarm - peak_now) / slope, np.inf)
    history = t_end - first
    active = table.desired[_TREND, ends] > 0
    ready = (history >= TREND_MIN_HISTORY_S) & (level_now >= TREND_MIN_LEVEL_FRACTION * alarm) & (eta > 0)
    raise_ = ready & (eta <= TREND_RAISE_S)
    keep = active & (slope > 0) & (eta <= TREND_CLEAR_S)
    level = np.where(raise_ | keep, 1, 0).astype(np.int8)
    return last_rows, level, t_end + eta


def arc(table: ChannelTable, rows: Rows) -> Level:
    """Alarm at a window count at or above the channel's alarm setting; held until quiet for ARC_QUIET_S."""
    st = table.state
    slot = rows.slot
    hit = rows.value >= table.settings["alarm"][slot]
    marked = hit | rows.seg
    last = ffill(marked, np.where(hit, rows.ts, st["al_since"][slot])).astype(np.float64)
    st["al_since"][slot[rows.end]] = last[rows.end]
    with np.errstate(invalid="ignore"):
        return np.where(rows.ts - last < ARC_QUIET_S, 2, 0).astype(np.int8)
