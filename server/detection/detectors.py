"""The detectors: each takes the rows of one batch slice and answers a wanted alarm level per row.

Levels: 0 none, 1 pre-alarm, 2 alarm, 3 fault. Every detector reads and updates the per-slot state in
``ChannelTable.state``; none of them does I/O. The engine turns changes of the wanted level into alarm
transitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from server.detection.kernels import (
    Bool,
    Float,
    Int,
    ffill,
    first_order,
    gaps,
    held,
    previous,
    run_since,
    sampled_drive,
    schmitt,
    segment_ends,
    segment_starts,
)
from server.detection.table import QUANTITY_CODES, ChannelTable

__all__ = [
    "ARC_QUIET_S", "Rows", "arc", "hot_joint", "out_of_range", "overload", "sensor",
    "short_circuit", "threshold",
]

Level = NDArray[np.int8]
Q = QUANTITY_CODES

# Overload: the I²t state is a first-order thermal model of the circuit with this time constant. PVC-insulated
# cables of final circuits (1.5–10 mm²) heat with time constants of roughly 5–15 minutes; 10 minutes sits in
# that range and warns within minutes at 1.45 In, the conventional tripping current of GB/T 10963.1.
OVERLOAD_TAU_S = 600.0
# What one sample says about the time before it. A reading is the RMS of about a second (meters and detectors
# refresh their registers once a second); devices report every second over Bluetooth but every 1–15 minutes
# over 4G, NB-IoT and many RS-485 hosts. A sample vouches for its own second; the interval before it only for
# what both its ends agree on; and a silence longer than the slowest cadence (15 minutes) for nothing at all.
SAMPLE_SPAN_S = 1.0
MAX_GAP_S = 900.0
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
# An out-of-range value must hold this long to be a sensor fault (as alarms must hold their minimum duration).
SENSOR_CONFIRM_S = 5.0
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
HOT_JOINT_PRIOR_WEIGHT = 3600.0
HOT_JOINT_LEARN_S = 3 * 86400.0   # forgetting time of the fit: follows seasons, not a fault developing in hours
HOT_JOINT_LEARN_BELOW_K = 10.0
HOT_JOINT_MIN_THETA = 0.05        # learn only under some load
HOT_JOINT_PEER_PREALARM_K = 4.0
HOT_JOINT_PEER_ALARM_K = 15.0
HOT_JOINT_PEER_LEARN_BELOW_K = 2.0
HOT_JOINT_PEER_LEARN_S = 7 * 86400.0
HOT_JOINT_LEARNING_S = 86400.0

# Fault arc: an arc alarm holds until no window reached the alarm count for this long.
ARC_QUIET_S = 300.0


@dataclass
class Rows:
    """Rows of a batch slice sorted by (slot, ts)."""

    slot: Int
    ts: Float
    value: Float
    # Seconds since each row's previous sample of its channel (NaN before a channel's first), when known.
    gap: Float | None = None

    def __post_init__(self) -> None:
        self.seg = segment_starts(self.slot)
        self.end = segment_ends(self.seg)

    def take(self, mask: Bool) -> Rows:
        return Rows(self.slot[mask], self.ts[mask], self.value[mask], None if self.gap is None else self.gap[mask])

    def gaps(self, table: ChannelTable) -> Float:
        if self.gap is None:
            self.gap = gaps(self.ts, self.seg, table.state["last_ts"][self.slot])
        return self.gap

    def __len__(self) -> int:
        return int(self.slot.shape[0])


def _trigger(table: ChannelTable, rows: Rows, signal: Float, on_at: Float, off_below: Float, delay: Float,
             prefix: str) -> Bool:
    st = table.state
    slot = rows.slot
    on = schmitt(signal, on_at, off_below, rows.seg, st[f"{prefix}on"][slot])
    # Two samples further apart than MAX_GAP_S do not make a run: nobody saw the time between them.
    broken = rows.gaps(table) > MAX_GAP_S
    since = run_since(on, rows.ts, rows.seg, st[f"{prefix}on"][slot], st[f"{prefix}since"][slot], broken)
    ends = slot[rows.end]
    st[f"{prefix}on"][ends] = on[rows.end]
    st[f"{prefix}since"][ends] = since[rows.end]
    return held(on, since, rows.ts, delay)


def _levels(pre: Bool, alarm: Bool) -> Level:
    return np.where(alarm, 2, np.where(pre, 1, 0)).astype(np.int8)


def threshold(table: ChannelTable, rows: Rows) -> Level:
    """Pre-alarm and alarm levels with hysteresis and a minimum duration (residual, temperature, voltage)."""
    s = {k: table.settings[k][rows.slot] for k in ("alarm", "prealarm", "hysteresis", "delay_s")}
    hyst = np.nan_to_num(s["hysteresis"])
    delay = np.nan_to_num(s["delay_s"])
    pre = _trigger(table, rows, rows.value, s["prealarm"], s["prealarm"] - hyst, delay, "pre_")
    alarm = _trigger(table, rows, rows.value, s["alarm"], s["alarm"] - hyst, delay, "al_")
    return _levels(pre, alarm)


def overload(table: ChannelTable, rows: Rows) -> tuple[Level, Float]:
    """The I²t thermal state against the rated current; pre-alarm and alarm when it reaches their levels."""
    s = {k: table.settings[k][rows.slot] for k in ("alarm", "prealarm", "hysteresis", "rated_a")}
    rated = s["rated_a"]
    st = table.state
    # A short circuit trips the breaker within milliseconds (instantaneous release), so its current does not
    # persist over the sample interval: it is left out of the thermal state and alarms as short_circuit.
    x = np.where(rows.value < SHORT_CIRCUIT_MULTIPLE * rated, (rows.value / rated) ** 2, 0.0)
    carried_ts = st["last_ts"][rows.slot]
    gap = rows.gaps(table)
    # The interval before a sample is credited with the lowest of the last three samples: one or two high samples
    # may each have caught a motor starting (a few seconds at 1.5–3 In); three running are the load.
    # Samples before a silence longer than MAX_GAP_S agree on nothing after it.
    x1 = np.where(gap > MAX_GAP_S, 0.0, previous(x, rows.seg, st["ov_x"][rows.slot]))
    x2 = previous(x1, rows.seg, st["ov_x2"][rows.slot])
    agreed = np.fmin(np.fmin(x, x1), x2)
    drive = sampled_drive(x, agreed, gap, OVERLOAD_TAU_S, SAMPLE_SPAN_S, MAX_GAP_S)
    theta = first_order(drive, rows.ts, rows.seg, st["theta"][rows.slot], carried_ts,
                        np.full(len(rows), OVERLOAD_TAU_S))
    ends = rows.slot[rows.end]
    st["theta"][ends] = theta[rows.end]
    st["ov_x"][ends] = x[rows.end]
    st["ov_x2"][ends] = x1[rows.end]
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
    same = (rows.value == previous(rows.value, rows.seg, st["last_value"][rows.slot])) & ~bad
    carried = st["stuck_since"][rows.slot]
    marked = ~same | rows.seg
    start = np.where(same & rows.seg & ~np.isnan(carried), carried, rows.ts)
    since = ffill(marked, start).astype(np.float64)
    stuck = same & (rows.ts - since >= limit) & ~((qty == Q["residual_ma"]) & (rows.value == 0))
    ends = rows.slot[rows.end]
    st["stuck_since"][ends] = since[rows.end]
    # One corrupted frame is not a broken sensor: out of range counts when it holds for SENSOR_CONFIRM_S (at a
    # sparse cadence, when the next sample is out of range too).
    if bad.any() or st["oor_on"][ends].any():
        broken = rows.gaps(table) > MAX_GAP_S
        bad_since = run_since(bad, rows.ts, rows.seg, st["oor_on"][rows.slot], st["oor_since"][rows.slot], broken)
        st["oor_on"][ends] = bad[rows.end]
        st["oor_since"][ends] = bad_since[rows.end]
        confirmed = held(bad, bad_since, rows.ts, np.full(len(rows), SENSOR_CONFIRM_S))
    else:
        confirmed = bad
    return np.where(confirmed | stuck, 3, 0).astype(np.int8)


def _line(st: dict[str, Float], prefix: str, slot: Int, at0: Float, rise: float) -> tuple[Float, Float]:
    """Intercept and slope of a weighted line y = a + k·θ from a fit's sums, with the prior (``at0`` at θ = 0,
    ``at0 + rise`` at θ = 1) folded in."""
    w0 = HOT_JOINT_PRIOR_WEIGHT
    w = st[f"{prefix}w"][slot] + 2 * w0
    x = st[f"{prefix}x"][slot] + w0
    xx = st[f"{prefix}xx"][slot] + w0
    y = st[f"{prefix}y"][slot] + w0 * (2 * at0 + rise)
    xy = st[f"{prefix}xy"][slot] + w0 * (at0 + rise)
    k = (w * xy - x * y) / (w * xx - x * x)
    return (y - k * x) / w, k


def _learn(st: dict[str, Float], prefix: str, rows: Rows, mask: Bool, x: Float, y: Float, span: Float,
           forget_s: float) -> None:
    """Add the masked rows to a fit's weighted sums (each weighted by ``span``), forgetting the old ones."""
    slot = rows.slot
    ends = slot[rows.end]
    gap = np.nan_to_num(rows.ts[rows.end] - st["last_ts"][ends], nan=0.0)
    decay = np.exp(-np.maximum(gap, 0.0) / forget_s)
    seg = np.cumsum(rows.seg) - 1
    segments = ends.shape[0]
    for name, values in (("w", span), ("x", span * x), ("xx", span * x * x), ("y", span * y), ("xy", span * x * y)):
        added = np.bincount(seg[mask], weights=values[mask], minlength=segments)
        st[f"{prefix}{name}"][ends] = st[f"{prefix}{name}"][ends] * decay + added


def hot_joint(table: ChannelTable, rows: Rows, theta: Float, peer: Float) -> tuple[Level, Float]:
    """A terminal warmer than its load explains. ``theta`` is the thermal state of the device's load at each row's
    time; ``peer`` the temperature of another terminal of the same device at that time (NaN without one).

    Without a peer the terminal is judged against its own healthy line ``ambient + K·θ`` (10 K pre-alarm, 20 K
    alarm); ambient changes (weather, sun on the panel) limit how small an excess can be told apart. With a peer
    (the N terminal beside the L, the phases of a three-phase board: same load, same air) the difference between
    the two cancels the ambient, so DL/T 664's comparison with the corresponding point under the same load applies:
    a difference 4 K above its healthy line is a pre-alarm, 15 K an alarm. Returns levels and the excess.
    """
    st = table.state
    slot = rows.slot
    n = len(rows)
    ambient = np.nan_to_num(table.settings["ambient_c"][slot], nan=25.0)
    a, k = _line(st, "hj_", slot, ambient, HOT_JOINT_PRIOR_K)
    alone = rows.value - (a + k * theta)
    diff = rows.value - peer
    b, m = _line(st, "hp_", slot, np.zeros(n), 0.0)
    beside = diff - (b + m * theta)
    paired = ~np.isnan(peer)
    # The difference to a peer is judged only once its line has learned from a day under load (two healthy terminals
    # can differ by several kelvin); until then it learns from every row. Alone, the prior is a fair start.
    beside_ready = st["hp_ready"][slot] | (st["hp_w"][slot] >= HOT_JOINT_LEARNING_S)
    st["hp_ready"][slot] = beside_ready  # once ready, for good: the weight only hovers around a day of data
    excess = np.where(paired, np.where(beside_ready, beside, 0.0), alone)
    pre_at = np.where(paired, HOT_JOINT_PEER_PREALARM_K, HOT_JOINT_PREALARM_K)
    alarm_at = np.where(paired, HOT_JOINT_PEER_ALARM_K, HOT_JOINT_ALARM_K)
    delay = np.full(n, HOT_JOINT_DELAY_S)
    pre = _trigger(table, rows, excess, pre_at, pre_at - HOT_JOINT_HYSTERESIS_K, delay, "hj_pre_")
    alarm = _trigger(table, rows, excess, alarm_at, alarm_at - HOT_JOINT_HYSTERESIS_K, delay, "hj_al_")
    # Learn from healthy rows only, so a developing fault is not learned away; each sample weighs the time it
    # stands for, so a channel read every second and one read every 5 minutes learn at the same pace.
    span = np.minimum(np.nan_to_num(rows.gaps(table), nan=0.0), MAX_GAP_S)
    loaded = theta >= HOT_JOINT_MIN_THETA
    _learn(st, "hj_", rows, loaded & (alone < HOT_JOINT_LEARN_BELOW_K), theta, rows.value, span, HOT_JOINT_LEARN_S)
    _learn(st, "hp_", rows, loaded & paired & ((beside < HOT_JOINT_PEER_LEARN_BELOW_K) | ~beside_ready), theta,
           np.nan_to_num(diff), span, HOT_JOINT_PEER_LEARN_S)
    return _levels(pre, alarm), excess


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
