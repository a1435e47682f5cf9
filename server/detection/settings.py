"""Channel settings: defaults from the standards and the ranges they allow.

Every setting of a channel is resolved here, so the API, commissioning and the detectors agree on one
table. A value out of range is refused with the setting named and the allowed range shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from server.errors import InvalidInput

__all__ = ["CHANNEL_KEY_PATTERN", "SETTING_NAMES", "Range", "out_of_range", "public", "quantity_of", "resolve_settings",
           "unit_of"]

# Without an end anchor: schemas append one that does not match before a final newline.
# Several of one quantity on a device: phases (_l1.._l3), terminals (temp_c_1..4), loops of a multi-loop residual
# monitor (residual_ma_1..16, e.g. Acrel AIM-R100's 12), reverse energy of a meter.
CHANNEL_KEY_PATTERN = (r"^(current_a(_l[123])?|residual_ma(_([1-9]|1[0-6]))?|temp_c(_[1-4])?|voltage_v(_l[123])?"
                       r"|power_w(_l[123])?|energy_kwh(_reverse)?|arc)")
_FAMILY = re.compile(r"^(current_a|temp_c|residual_ma|voltage_v|power_w|energy_kwh)(_.*)?$")

SETTING_NAMES = ("enabled", "alarm", "prealarm", "delay_s", "hysteresis", "rated_a", "ambient_c")

# A rated current is needed for overload detection. When neither the channel nor the device says, assume a
# 32 A miniature circuit breaker, the most common rating for final circuits in shops and homes.
DEFAULT_RATED_A = 32.0


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    lo_open: bool = False  # the bound itself is not allowed
    hi_open: bool = False

    def contains(self, value: float) -> bool:
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def describe(self, unit: str) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{_fmt(self.lo)}, {_fmt(self.hi)}{right} {unit}".rstrip()


@dataclass(frozen=True)
class Setting:
    """One setting: its default and range may depend on settings resolved before it (``ctx``)."""

    default: Callable[[Mapping[str, float]], float]
    allowed: Callable[[Mapping[str, float]], Range]
    unit: str
    source: str
    # A code for the source, so a client can say it in the user's language (pwa installer.basis.*).
    basis: str = ""


@dataclass(frozen=True)
class Quantity:
    unit: str
    settings: dict[str, Setting]  # resolved in this order


# Minimum time a level must hold before it alarms: 5 s keeps single spikes from alarming (ARCHITECTURE
# "Detection"); installers may set 0–60 s.
_DELAY = Setting(lambda c: 5.0, lambda c: Range(0, 60), "s", "minimum duration before alarm, 0–60 s", "delay")

QUANTITIES: dict[str, Quantity] = {
    "residual_ma": Quantity("mA", {
        # GB 50116-2013 §9.2.3: residual-current alarm set at 300–500 mA (natural leakage is 100–200 mA);
        # GB 14287.2 detectors are adjustable over 20–1000 mA.
        "alarm": Setting(lambda c: 300.0, lambda c: Range(20, 1000), "mA", "GB 50116-2013 §9.2.3, GB 14287.2",
                         "residual_standard"),
        # Pre-alarm at 80 % of the alarm level.
        "prealarm": Setting(lambda c: round(0.8 * c["alarm"], 1), lambda c: Range(0, c["alarm"], True, True), "mA",
                            "below the alarm level", "below_alarm"),
        "delay_s": _DELAY,
        # Hysteresis: 5 % of the alarm level by default, at most 20 %, so a value hovering at the level
        # gives one alarm, not many.
        "hysteresis": Setting(lambda c: round(0.05 * c["alarm"], 1), lambda c: Range(0, 0.2 * c["alarm"]), "mA",
                              "at most 20 % of the alarm level", "hysteresis_alarm"),
    }),
    "temp_c": Quantity("°C", {
        # GB 14287.3 temperature detectors are set within 55–140 °C; 70 °C is the PVC conductor limit.
        "alarm": Setting(lambda c: 70.0, lambda c: Range(55, 140), "°C", "GB 14287.3; PVC conductor limit 70 °C",
                         "temperature_standard"),
        # Pre-alarm 10 °C below the alarm level (60 °C for PVC cable).
        "prealarm": Setting(lambda c: c["alarm"] - 10.0, lambda c: Range(0, c["alarm"], True, True), "°C",
                            "below the alarm level", "below_alarm"),
        "delay_s": _DELAY,
        "hysteresis": Setting(lambda c: 2.0, lambda c: Range(0, 10), "°C", "0–10 °C", "hysteresis_fixed"),
        # Ambient temperature of the panel, the baseline for hot-joint detection.
        "ambient_c": Setting(lambda c: 25.0, lambda c: Range(-40, 60), "°C", "panel ambient", "ambient"),
    }),
    "current_a": Quantity("A", {
        # Breaker ratings 1–630 A (moulded-case breakers top out at 630 A in common practice).
        "rated_a": Setting(lambda c: c["_device_rated_a"], lambda c: Range(1, 630), "A", "rated current In",
                           "rated_current"),
        # Overload alarm at In sustained (thermal I²t state reaches 1.0): the breaker itself only trips above
        # 1.13 In (GB/T 10963.1 conventional non-tripping current), so this warns before it trips.
        "alarm": Setting(lambda c: c["rated_a"], lambda c: Range(0.8 * c["rated_a"], 1.45 * c["rated_a"]), "A",
                         "0.8–1.45 × In (GB/T 10963.1 conventional tripping current 1.45 In)", "rated_multiple"),
        # Pre-alarm at 0.9 In sustained (ARCHITECTURE "Detection").
        "prealarm": Setting(lambda c: round(0.9 * c["alarm"], 2), lambda c: Range(0, c["alarm"], True, True), "A",
                            "below the alarm level", "below_alarm"),
        "delay_s": _DELAY,
        "hysteresis": Setting(lambda c: round(0.05 * c["rated_a"], 2), lambda c: Range(0, 0.2 * c["rated_a"]), "A",
                              "at most 20 % of In", "hysteresis_rated"),
    }),
    "voltage_v": Quantity("V", {
        # GB/T 12325-2008 §4.3: 220 V single-phase supply may deviate +7 % / −10 %; alarm at +10 %.
        "alarm": Setting(lambda c: 242.0, lambda c: Range(230, 300), "V", "GB/T 12325-2008 §4.3",
                         "voltage_standard"),
        "prealarm": Setting(lambda c: 235.4, lambda c: Range(220, c["alarm"], False, True), "V", "+7 % of 220 V",
                            "voltage_prealarm"),
        "delay_s": _DELAY,
        "hysteresis": Setting(lambda c: 2.0, lambda c: Range(0, 10), "V", "0–10 V", "hysteresis_fixed"),
    }),
    "arc": Quantity("half-cycles/s", {
        # GB 14287.4: alarm at ≥ 14 arc half-cycles within 1 s; GB 31252-2014 §4.3: ≤ 9 in 1 s must never
        # alarm, hence the 10–30 range.
        "alarm": Setting(lambda c: 14.0, lambda c: Range(10, 30), "half-cycles/s",
                         "GB 14287.4; GB 31252-2014 §4.3", "arc_standard"),
    }),
    "power_w": Quantity("W", {}),
    "energy_kwh": Quantity("kWh", {}),
}


def quantity_of(key: str) -> str:
    """``current_a_l2`` → ``current_a``; ``temp_c_3`` → ``temp_c``; ``residual_ma_7`` → ``residual_ma``; other keys are
    their own quantity."""
    match = _FAMILY.match(key)
    return match.group(1) if match else key


def unit_of(key: str) -> str:
    return QUANTITIES[quantity_of(key)].unit


def resolve_settings(
    key: str,
    given: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    device_rated_a: float | None = None,
    field: str = "settings",
) -> dict[str, Any]:
    """Merge ``given`` over ``current`` (or the defaults) and check every value against its range.

    Settings not given keep their current value if they still fit; dependent defaults (a pre-alarm at 80 %
    of the alarm) follow a changed alarm only when the pre-alarm was never set explicitly.
    """
    quantity = QUANTITIES[quantity_of(key)]
    previous = dict(current or {})
    explicit: set[str] = set(previous.pop("_explicit", []))
    for name, value in given.items():
        about = {"channel": key, "setting": name}
        if name not in SETTING_NAMES:
            raise InvalidInput(f"{field}.{name}", f"unknown setting; known settings are {', '.join(SETTING_NAMES)}",
                               {"code": "unknown_setting", **about})
        if name == "enabled":
            if not isinstance(value, bool):
                raise InvalidInput(f"{field}.enabled", "must be true or false", {"code": "not_boolean", **about})
            continue
        if name not in quantity.settings:
            applies = ", ".join(["enabled", *quantity.settings]) or "enabled"
            raise InvalidInput(f"{field}.{name}", f"does not apply to a {key} channel (settings: {applies})",
                               {"code": "not_applicable", **about})
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise InvalidInput(f"{field}.{name}", "must be a finite number", {"code": "not_number", **about})
        explicit.add(name)

    enabled = given.get("enabled", previous.get("enabled", True))
    resolved: dict[str, Any] = {"enabled": enabled}
    ctx: dict[str, float] = {"_device_rated_a": device_rated_a if device_rated_a else DEFAULT_RATED_A}
    for name, setting in quantity.settings.items():
        if name in given:
            value = float(given[name])
        elif name in explicit and name in previous:
            value = float(previous[name])
        else:
            value = setting.default(ctx)
        allowed = setting.allowed(ctx)
        if not allowed.contains(value):
            raise InvalidInput(
                f"{field}.{name}",
                f"{_fmt(value)} is outside the allowed range {allowed.describe(setting.unit)} ({setting.source})",
                out_of_range(key, name, value, allowed, setting.unit, setting.basis, setting.source),
            )
        ctx[name] = value
        resolved[name] = value
    if explicit:
        resolved["_explicit"] = sorted(explicit)
    return resolved


def out_of_range(channel: str, setting: str, value: float, allowed: Range, unit: str, basis: str,
                 source: str) -> dict[str, Any]:
    """The ``extra`` of a value out of its range: enough for a client to say it in the user's language."""
    return {"code": "out_of_range", "channel": channel, "setting": setting, "value": value,
            "min": round(allowed.lo, 6), "max": round(allowed.hi, 6), "min_open": allowed.lo_open,
            "max_open": allowed.hi_open, "unit": unit, "basis": basis, "source": source}


def public(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as clients see them (without bookkeeping keys)."""
    return {k: v for k, v in settings.items() if not k.startswith("_")}


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _fmt(value: float) -> str:
    return f"{value:g}"
