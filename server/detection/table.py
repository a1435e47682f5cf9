"""Every known channel as one slot in a set of numpy arrays: settings and detector state side by side.

Struct-of-arrays so that one batch, whatever channels it touches, is detected with whole-array
operations. The detector state of a slot can be exported as a list of floats and restored from one, which
is how it is checkpointed in SQLite (``detector_state``) and survives a restart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.detection.settings import quantity_of

__all__ = [
    "CAUSES", "QUANTITY_CODES", "RATE_SUMS", "SHARED_SUMS", "STATE_FIELDS", "TREND_RATES", "TREND_SUMS", "ChannelInfo",
    "ChannelTable",
]

QUANTITY_CODES = {"current_a": 0, "residual_ma": 1, "temp_c": 2, "voltage_v": 3, "arc": 4, "power_w": 5,
                  "energy_kwh": 6}

# Causes a channel's detectors can raise; the order is the index into ``ChannelTable.desired``.
CAUSES = ("overload", "leakage", "overtemp", "arc", "short_circuit", "hot_joint", "leakage_trend", "voltage",
          "sensor")

# Settings as arrays (NaN where a setting does not apply to the quantity).
SETTING_FIELDS = ("alarm", "prealarm", "hysteresis", "delay_s", "rated_a", "ambient_c")

# Growth rates (per day) the leakage trend fits at once: e-folding times of about 1.8 to 6.7 days.
TREND_RATES = (0.15, 0.22, 0.3, 0.4, 0.55)
# Its sums over six features (1, load, sin ωt, cos ωt, sin 2ωt, cos 2ωt): 21 products, 6 with the value, the value
# squared; and per rate, the growth feature with each of them, itself and the value.
SHARED_SUMS = (*(f"tr_p{n}" for n in range(21)), *(f"tr_v{i}" for i in range(6)), "tr_vv")
RATE_SUMS = (*(f"tr_g{i}_" for i in range(6)), "tr_gg", "tr_gv")
# Kept side by side in one block (``ChannelTable.trend``, a column each) so a batch updates them in a few array
# operations; ``state`` holds a view of each column under its name.
TREND_SUMS = (*SHARED_SUMS, *(f"{name}{k}" for k in range(len(TREND_RATES)) for name in RATE_SUMS))

# Detector state per slot, checkpointed as a list of floats in this order. Append only.
STATE_FIELDS = (
    "last_ts", "last_value",
    # main threshold trigger (pre-alarm and alarm levels, with the start of the current run)
    "pre_on", "pre_since", "al_on", "al_since",
    # hot-joint trigger on the temperature excess
    "hj_pre_on", "hj_pre_since", "hj_al_on", "hj_al_since",
    # I²t thermal state of a current channel (per unit of rated current squared)
    "theta",
    # the value has not changed since
    "stuck_since",
    # leakage trend: when it was first seen, last anchored and last judged (tr_m*, tr_b*: retired sums)
    "tr_first", "tr_last", "tr_eval", *(f"tr_m{i}" for i in range(10)), *(f"tr_b{i}" for i in range(4)),
    # hot joint: weighted regression of temperature on the thermal state
    "hj_w", "hj_x", "hj_xx", "hj_y", "hj_xy",
    # overload: the last two samples' (I/In)², for what the interval before a sample is credited with
    "ov_x", "ov_x2",
    # hot joint: the line of the difference to a peer terminal against θ (weighted sums as hj_*)
    "hp_w", "hp_x", "hp_xx", "hp_y", "hp_xy",
    # sensor: an out-of-range run and when it began
    "oor_on", "oor_since",
    # leakage trend: since when the projection has stayed within the warning horizon
    "tr_since", "tr_hi", "tr_prev",
    # leakage trend: the open 5-minute bucket (its number, and weighted sums of time, value and load)
    "tr_bk", "tr_bw", "tr_bt", "tr_bv", "tr_bl",
    # hot joint: the peer's line has learned its first day
    "hp_ready",
    # leakage trend: the regression's sums (see trend.py), shared and per growth rate
    *TREND_SUMS,
)
_NAN_FIELDS = {"last_ts", "last_value", "pre_since", "al_since", "hj_pre_since", "hj_al_since", "theta",
               "stuck_since", "tr_first", "tr_last", "tr_eval", "ov_x", "ov_x2", "oor_since", "tr_since", "tr_hi",
               "tr_prev", "tr_bk"}
_TREND = frozenset(TREND_SUMS)
_BOOL_FIELDS = {"pre_on", "al_on", "hj_pre_on", "hj_al_on", "oor_on", "hp_ready"}


class ChannelInfo:
    """What the engine needs to know about a channel besides its arrays."""

    __slots__ = ("channel_id", "device_id", "key", "site_id")

    def __init__(self, channel_id: int, device_id: int, site_id: int, key: str) -> None:
        self.channel_id = channel_id
        self.device_id = device_id
        self.site_id = site_id
        self.key = key


class ChannelTable:
    def __init__(self, capacity: int = 64) -> None:
        self.size = 0
        self.capacity = capacity
        self.info: list[ChannelInfo] = []
        self.slot_of: dict[int, int] = {}
        self.channel_id = np.zeros(capacity, dtype=np.int64)
        self.device_id = np.zeros(capacity, dtype=np.int64)
        self.site_id = np.zeros(capacity, dtype=np.int64)
        self.dirty = np.zeros(capacity, dtype=np.bool_)  # state changed since the last checkpoint
        self.qty = np.full(capacity, -1, dtype=np.int8)
        self.enabled = np.zeros(capacity, dtype=np.bool_)
        self.partner = np.full(capacity, -1, dtype=np.int64)  # temp channel → its device's current channel
        self.peer = np.full(capacity, -1, dtype=np.int64)  # temp channel → another temp channel of its device
        self.settings: dict[str, NDArray[np.float64]] = {f: np.full(capacity, np.nan) for f in SETTING_FIELDS}
        self.trend = np.zeros((capacity, len(TREND_SUMS)))
        self.state: dict[str, NDArray[Any]] = {f: self._blank(f, capacity) for f in STATE_FIELDS if f not in _TREND}
        self._trend_views()
        self.desired = np.zeros((len(CAUSES), capacity), dtype=np.int8)

    def _trend_views(self) -> None:
        for i, name in enumerate(TREND_SUMS):
            self.state[name] = self.trend[:, i]

    @staticmethod
    def _blank(name: str, capacity: int) -> NDArray[Any]:
        if name in _BOOL_FIELDS:
            return np.zeros(capacity, dtype=np.bool_)
        return np.full(capacity, np.nan if name in _NAN_FIELDS else 0.0)

    def _grow(self) -> None:
        new = self.capacity * 2

        def grown(arr: NDArray[Any], fill: Any) -> NDArray[Any]:
            out = np.full((*arr.shape[:-1], new), fill, dtype=arr.dtype)
            out[..., : self.capacity] = arr
            return out

        self.channel_id = grown(self.channel_id, 0)
        self.device_id = grown(self.device_id, 0)
        self.site_id = grown(self.site_id, 0)
        self.dirty = grown(self.dirty, False)
        self.qty = grown(self.qty, -1)
        self.enabled = grown(self.enabled, False)
        self.partner = grown(self.partner, -1)
        self.peer = grown(self.peer, -1)
        self.settings = {k: grown(v, np.nan) for k, v in self.settings.items()}
        self.state = {k: grown(v, self._blank(k, 1)[0]) for k, v in self.state.items() if k not in _TREND}
        trend = np.zeros((new, len(TREND_SUMS)))
        trend[: self.capacity] = self.trend
        self.trend = trend
        self._trend_views()
        self.desired = grown(self.desired, 0)
        self.capacity = new

    def add(self, info: ChannelInfo, settings: Mapping[str, Any]) -> int:
        """Register a channel (or refresh its settings) and return its slot."""
        slot = self.slot_of.get(info.channel_id)
        if slot is None:
            if self.size == self.capacity:
                self._grow()
            slot = self.size
            self.size += 1
            self.info.append(info)
            self.slot_of[info.channel_id] = slot
        else:
            self.info[slot] = info
        self.channel_id[slot] = info.channel_id
        self.device_id[slot] = info.device_id
        self.site_id[slot] = info.site_id
        self.qty[slot] = QUANTITY_CODES.get(quantity_of(info.key), -1)
        self.enabled[slot] = bool(settings.get("enabled", True))
        for name in SETTING_FIELDS:
            value = settings.get(name)
            self.settings[name][slot] = float(value) if isinstance(value, int | float) else np.nan
        return slot

    def add_device(self, device_id: int, site_id: int,
                   channels: list[tuple[int, str, Mapping[str, Any]]]) -> dict[str, int]:
        """Register a device's channels (id, key, settings); answers channel key → slot. A terminal temperature and
        the residual current are judged against the load of the same device (hot joint, leakage); several terminals
        of one device (L and N, or the phases) are compared with each other, each with the next."""
        slots = {key: self.add(ChannelInfo(channel_id, device_id, site_id, key), settings)
                 for channel_id, key, settings in channels}
        current = next((slots[k] for k in sorted(slots) if quantity_of(k) == "current_a"), -1)
        terminals = [slots[k] for k in sorted(slots) if quantity_of(k) == "temp_c"]
        for key, slot in slots.items():
            self.partner[slot] = current if quantity_of(key) in ("temp_c", "residual_ma") else -1
            self.peer[slot] = -1
        if len(terminals) > 1:
            for i, slot in enumerate(terminals):
                self.peer[slot] = terminals[(i + 1) % len(terminals)]
        return slots

    def reset(self, slots: NDArray[np.int64]) -> None:
        """Forget what these channels were judged to be (as if just registered): another worker judged them."""
        for name, values in self.state.items():
            if name not in _TREND:
                values[slots] = self._blank(name, 1)[0]
        self.trend[slots] = 0.0
        self.desired[:, slots] = 0
        self.dirty[slots] = False

    def export(self, slot: int) -> list[float]:
        return [float(self.state[name][slot]) for name in STATE_FIELDS]

    def restore_many(self, saved: dict[int, list[float]]) -> None:
        """``restore`` for many channels (by channel id) at once, a column per state field (10⁵ channels taken over
        in a move). Checkpoints of one length (the usual case) become one matrix; no Python object per channel."""
        slots = np.fromiter((self.slot_of.get(c, -1) for c in saved), dtype=np.int64, count=len(saved))
        states = list(saved.values())
        if not bool((slots >= 0).all()):  # channels removed since their checkpoint
            keep = np.flatnonzero(slots >= 0)
            slots, states = slots[keep], [states[i] for i in keep.tolist()]
        lengths = np.fromiter(map(len, states), dtype=np.int64, count=len(states))
        for length in np.unique(lengths).tolist():
            rows = np.flatnonzero(lengths == length)
            same = states if rows.shape[0] == len(states) else [states[i] for i in rows.tolist()]
            matrix = np.array(same, dtype=np.float64).reshape(rows.shape[0], length)
            at = slots[rows]
            for column, name in enumerate(STATE_FIELDS[:length]):
                values = matrix[:, column]
                self.state[name][at] = values.astype(np.bool_) if name in _BOOL_FIELDS else values

    def restore(self, slot: int, values: list[float]) -> None:
        for name, value in zip(STATE_FIELDS, values, strict=False):
            self.state[name][slot] = bool(value) if name in _BOOL_FIELDS else (
                value if not (isinstance(value, float) and math.isnan(value)) else np.nan)
