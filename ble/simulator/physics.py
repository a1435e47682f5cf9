"""What a simulated device measures: physical stories over time, per channel key. Pure apart from a seeded RNG.

A scenario is a named story (``normal``, ``overload``, ``leakage``, ``hot_terminal``, ``arc``, ``link_drop``)
played on a repeating cycle so a demo keeps showing it. The device's own state matters too: a tripped
breaker carries no current, and the self-test function injects a test residual current for a few seconds.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

__all__ = ["SCENARIOS", "Physics", "Story"]

SCENARIOS = ("normal", "overload", "leakage", "hot_terminal", "arc", "link_drop")

# Natural leakage of a healthy final circuit is 100–200 mA (GB 50116-2013 §9.2.3 commentary).
_BASE_LEAK_MA = 120.0
# A residual-current detector's test function drives a current above the usual 300 mA alarm level.
SELF_TEST_MA = 420.0
_AMBIENT_C = 28.0
# Terminal temperature rise at rated current: ~25 K above ambient for a sound joint.
_RISE_AT_RATED_K = 25.0


@dataclass(frozen=True)
class Story:
    """Timing of one scenario. ``cycle_s`` repeats it; the demo uses a half-hour cycle and a one-hour "day"."""

    scenario: str = "normal"
    cycle_s: float = 1800.0
    day_s: float = 86_400.0
    onset_s: float = 0.0  # nothing unusual before this many seconds into each cycle
    rise_s: float = 270.0  # leakage and heating ramp up over this long ...
    hold_s: float = 600.0  # ... and hold the peak this long
    arc_every_s: float = 420.0  # an arc burst every so often
    arc_half_cycles: int = 16  # per burst second (≥ 14 in one second is an alarm, GB 14287.4)
    drop_every_s: float = 300.0  # the radio link drops this often ...
    drop_for_s: float = 60.0  # ... for this long
    # degrading insulation: this much leakage on top at the start, growing by e^rate a day
    leak_extra_ma: float = 0.0
    leak_growth_per_day: float = 0.0


@dataclass
class Physics:
    story: Story
    started: float
    rated_a: float = 32.0
    seed: int = 0
    closed: bool = True
    test_until: float = 0.0
    energy_kwh: float = 0.0
    _last: float | None = None
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def _phase(self, t: float) -> float:
        return (t - self.started) % self.story.cycle_s

    def _ramp(self, t: float) -> float:
        """0 → 1 over ``rise_s`` after the onset, held for ``hold_s``, then 0 until the next cycle."""
        phase = self._phase(t) - self.story.onset_s
        if phase < 0:
            return 0.0
        if phase < self.story.rise_s:
            return phase / self.story.rise_s
        return 1.0 if phase < self.story.rise_s + self.story.hold_s else 0.0

    def load(self, t: float) -> float:
        """Fraction of rated current: a daily curve, or 1.6 In during the overload story's ramp."""
        if not self.closed:
            return 0.0
        day = 0.45 + 0.25 * math.sin(2 * math.pi * (t - self.started) / self.story.day_s)
        if self.story.scenario == "overload" and self._ramp(t) > 0:
            day = 1.6
        return max(0.0, day + self._rng.uniform(-0.02, 0.02))

    def testing(self, t: float) -> bool:
        return t < self.test_until

    def values(self, t: float, keys: list[str]) -> dict[str, float]:
        load = self.load(t)
        current = load * self.rated_a
        voltage = 221.0 + self._rng.uniform(-2, 2)
        leak = _BASE_LEAK_MA + self._rng.uniform(-5, 5)
        if self.story.scenario == "leakage":
            leak += 260.0 * self._ramp(t)  # to ~380 mA: pre-alarm at 240 mA, alarm at 300 mA
        if self.story.leak_extra_ma:  # degrading insulation, beside whatever else the story does
            leak += self.story.leak_extra_ma * math.exp(self.story.leak_growth_per_day * (t - self.started) / 86_400)
        if not self.closed:
            leak = 0.0
        if self.testing(t):
            leak = SELF_TEST_MA
        terminal = _AMBIENT_C + _RISE_AT_RATED_K * load**2 + self._rng.uniform(-0.2, 0.2)
        if self.story.scenario == "hot_terminal":
            terminal += 40.0 * self._ramp(t)  # a loose joint: far above what the load explains
        power = current * voltage * 0.95
        if self._last is not None and t > self._last:
            self.energy_kwh += power * (t - self._last) / 3.6e6
        self._last = t
        out: dict[str, float] = {}
        for key in keys:
            if key.startswith("current_a"):
                phase_share = {"current_a_l2": 0.9, "current_a_l3": 0.8}.get(key, 1.0)
                out[key] = current * phase_share
            elif key == "voltage_v":
                out[key] = voltage
            elif key == "residual_ma":
                out[key] = leak
            elif key in ("temp_c", "temp_c_2"):
                out[key] = terminal  # the watched terminal: where a loose joint shows
            elif key.startswith("temp_c"):
                out[key] = _AMBIENT_C + 0.3 * _RISE_AT_RATED_K * load**2 + self._rng.uniform(-0.2, 0.2)
            elif key == "power_w":
                out[key] = power
            elif key == "energy_kwh":
                out[key] = self.energy_kwh
        return out

    def arc_half_cycles(self, t: float) -> int:
        """Arc half-cycles in the one-second window ending at ``t`` (a burst lasts one second)."""
        if self.story.scenario != "arc" or not self.closed:
            return 0
        phase = self._phase(t) - self.story.onset_s
        return self.story.arc_half_cycles if phase >= 0 and phase % self.story.arc_every_s < 1.0 else 0

    def link_down(self, t: float) -> bool:
        if self.story.scenario != "link_drop":
            return False
        phase = self._phase(t) - self.story.onset_s
        return phase >= 0 and phase % self.story.drop_every_s >= self.story.drop_every_s - self.story.drop_for_s
