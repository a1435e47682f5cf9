"""A simulated fleet of shops read every 5 minutes, healthy and degrading, run through the detection engine.

Each site is one combined detector on a shop's final circuit: load current, residual current, the terminal
temperature at the breaker and the voltage, sampled as instants (what a 4G / NB-IoT device reports), not as
interval means. The physics:

- load: a base (fridges, lights) all day, shop hours with appliances switching on and off, busier and quieter
  days; motor starts (compressors, pumps) of a few seconds at 1.5–3 × the rated current that a sample catches
  now and then;
- natural leakage following the load (GB 50116: 100–200 mA on a healthy circuit), plus humid nights whose
  strength follows the weather (spells of several humid days);
- the terminal: ambient (daily cycle plus weather) plus a rise proportional to the thermal state of the load;
- single-sample glitches on every channel (a spike, a drop to zero, a corrupted frame out of range).

Degrading sites add one slow fault on top of the same healthy physics:

- ``insulation``: leakage creeping up exponentially (e-folding 2.5–4 days, so over about two weeks), more on
  humid nights, until it crosses the alarm level;
- ``terminal``: a loosening terminal whose contact resistance grows exponentially, heating with the square of
  the load, until the terminal crosses the temperature alarm level.

``run`` feeds the readings through ``server.detection`` in batches, as ingest does, and keeps every alarm
instance raised. ``python -m bench.fleet`` prints false alarms per site-year and lead times (docs/detection.md).
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from server.alarms.book import Active, AlarmBook
from server.detection.engine import Detector
from server.detection.settings import resolve_settings
from server.detection.table import ChannelInfo

__all__ = ["Fault", "FleetResult", "Raised", "SiteTruth", "generate", "run"]

DAY = 86400.0
Fault = Literal["healthy", "insulation", "terminal"]
CHANNELS = ("current_a", "residual_ma", "temp_c_1", "temp_c_2", "voltage_v")
Float = NDArray[np.float64]

# A sample catches a motor start with this probability: a compressor starting six times an hour with a
# 3-second inrush is caught by 6 × 3 / 3600 = 0.5 % of instantaneous samples.
MOTOR_CATCH = 0.005
# Single-sample glitches per sample per channel (corrupted frames, EMI): about one a week per channel at 5 min.
GLITCH = 0.0005
# Thermal time constant of the terminal and cable (the same order as the overload detector's).
TAU_S = 600.0
# A slow fault grows exponentially with an e-folding time in this range (days): over two weeks, 16–100-fold.
EFOLD_D = (2.5, 4.0)
LEAKAGE_ALARM_MA = 300.0
TEMP_ALARM_C = 70.0


@dataclass
class SiteTruth:
    site: int
    fault: Fault
    rated_a: float
    # First sample (not a glitch) at or above the alarm level of the degrading quantity; None when healthy or
    # when the fault did not get there within the run.
    crossed_at: float | None = None
    # The fault's e-folding time in days, and the healthy daily peak it grows on (mA or °C above ambient).
    efold_d: float = 0.0


@dataclass
class Raised:
    site: int
    cause: str
    level: str  # the level reached: an escalation of a pre-alarm counts once, at "alarm"
    ts: float
    first_level: str


@dataclass
class FleetResult:
    sites: list[SiteTruth]
    raised: list[Raised]
    samples: int
    seconds: float
    days: float
    faults: list[Raised] = field(default_factory=list)

    def of(self, fault: Fault) -> list[SiteTruth]:
        return [s for s in self.sites if s.fault == fault]

    def raised_at(self, site: int) -> list[Raised]:
        return [r for r in self.raised if r.site == site]

    def lead_h(self, site: SiteTruth, cause: str) -> float | None:
        """Hours between the first pre-alarm or alarm of ``cause`` and the crossing of the alarm level."""
        first = min((r.ts for r in self.raised if r.site == site.site and r.cause == cause), default=None)
        if first is None or site.crossed_at is None:
            return None
        return (site.crossed_at - first) / 3600.0


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> Float:
    """A day-to-day weather process: AR(1) with the given correlation and stationary deviation."""
    out = np.empty(n)
    out[0] = rng.normal(0, sd)
    step = sd * math.sqrt(1 - rho * rho)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + rng.normal(0, step)
    return out


def _night(hour: Float) -> Float:
    """Humid-night shape: 0 by day, rising after 20:00 to a peak about 04:00, gone by 09:00."""
    h = (hour - 4.0 + 12.0) % 24.0 - 12.0  # hours from 04:00 in [-12, 12)
    return np.clip(np.cos(np.pi * h / 13.0), 0.0, None) ** 2


def _lag(x: Float, dt: float, tau: float) -> Float:
    """First-order lag of a signal held between samples (exact for piecewise-constant input)."""
    a = math.exp(-dt / tau)
    out = np.empty_like(x)
    y = x[0]
    for i, v in enumerate(x):
        y = a * y + (1 - a) * v
        out[i] = y
    return out


def generate(site: int, fault: Fault, days: float, cadence_s: float, t0: float,
             rng: np.random.Generator) -> tuple[SiteTruth, dict[str, tuple[Float, Float]]]:
    """One site's readings: channel → (ts, value), and what is true about it."""
    n = int(days * DAY / cadence_s)
    ts = t0 + np.arange(n) * cadence_s + rng.uniform(0, cadence_s)
    hour = ((ts + 8 * 3600) % DAY) / 3600.0  # China Standard Time
    day = ((ts - t0) // DAY).astype(np.int64)
    ndays = int(day.max()) + 2
    rated = float(rng.choice([16.0, 20.0, 25.0, 32.0, 40.0]))

    # Load: base all day; shop hours with a level that varies by day; appliances switching in 15-minute steps.
    opens, closes = rng.uniform(7, 9.5), rng.uniform(19.5, 22)
    base = rng.uniform(0.03, 0.12)
    level = rng.uniform(0.25, 0.55) * np.clip(1 + _ar1(rng, ndays, 0.5, 0.12), 0.7, 1.3)[day]
    open_now = (hour >= opens) & (hour < closes)
    ramp = np.clip(np.minimum(hour - opens, closes - hour) / 1.0, 0, 1)
    steps = max(1, int(900 / cadence_s))
    switching = np.repeat(rng.uniform(-0.12, 0.12, n // steps + 1), steps)[:n]
    load = base + np.where(open_now, ramp * np.clip(level + switching, 0.05, None), 0.0)
    load = np.clip(load, 0.0, 0.85) * rated  # a healthy circuit stays below 0.85 In sustained
    heat = _lag((load / rated) ** 2, cadence_s, TAU_S)  # the terminal sees the held load, not the inrush
    current = load * (1 + rng.normal(0, 0.02, n))
    motor = rng.random(n) < MOTOR_CATCH
    current[motor] = np.maximum(current[motor], rated * rng.uniform(1.5, 3.0, int(motor.sum())))

    # Leakage: natural leakage follows the connected load (GB 50116: 100–200 mA on a healthy circuit), humid nights
    # add to it by the weather of the day (spells: day-to-day correlation 0.7).
    peak = rng.uniform(80, 180)
    floor = rng.uniform(0.15, 0.4) * peak
    typical = base + np.mean(level) + 0.0
    natural = floor + (peak - floor) * np.clip(load / rated / typical, 0, 1.15)
    humid_day = np.clip(0.5 + _ar1(rng, ndays, 0.7, 0.3), 0, 1)[day]
    humid = rng.uniform(10, 45) * humid_day * _night(hour)
    leakage = natural + humid

    swing = rng.uniform(2, 5) * np.clip(1 + rng.normal(0, 0.3, ndays), 0.3, 1.7)[day]  # sunny and cloudy days
    ambient = rng.uniform(14, 25) + _ar1(rng, ndays, 0.8, 2.5)[day] + swing * np.cos(2 * np.pi * (hour - 15) / 24)
    rise = rng.uniform(20, 35)
    temp = ambient + rise * heat
    # The N terminal beside the L one: the same load and air, its own contact (a healthy spread of ±20 %).
    neutral = ambient + rise * rng.uniform(0.8, 1.2) * heat + rng.normal(0, 0.3, n)

    truth = SiteTruth(site, fault, rated)
    if fault == "insulation":
        # Crosses the alarm level between day 14 and day 26; e-folding 2.5–4 days.
        truth.efold_d = rng.uniform(*EFOLD_D)
        rate = 1 / truth.efold_d / DAY
        cross = t0 + rng.uniform(14, min(26, days - 1)) * DAY
        extra = (LEAKAGE_ALARM_MA - 0.8 * peak) * np.exp(rate * (ts - cross)) * (1 + 0.6 * humid_day * _night(hour))
        leakage = leakage + extra
    elif fault == "terminal":
        truth.efold_d = rng.uniform(*EFOLD_D)
        rate = 1 / truth.efold_d / DAY
        cross = t0 + rng.uniform(14, min(26, days - 1)) * DAY
        busy = float(np.quantile(heat, 0.95))
        hot = 1.15 * (TEMP_ALARM_C - float(np.quantile(ambient, 0.8)) - rise * busy) / busy
        temp = temp + hot * np.exp(rate * (ts - cross)) * heat
    leakage = leakage * (1 + rng.normal(0, 0.03, n))
    temp = temp + rng.normal(0, 0.3, n)
    voltage = 222 + 4 * np.cos(2 * np.pi * (hour - 3) / 24) + rng.normal(0, 1.5, n)

    truth_values = {"residual_ma": leakage, "temp_c_1": temp}
    series = {"current_a": current, "residual_ma": leakage, "temp_c_1": temp, "temp_c_2": neutral,
              "voltage_v": voltage}
    for key, values in series.items():
        glitch = rng.random(n) < GLITCH
        glitch[1:] &= ~glitch[:-1]  # single samples: a glitch is one corrupted frame
        kind = rng.integers(0, 3, n)
        spike = {"current_a": rated * 2.5, "residual_ma": 900.0, "voltage_v": 260.0}.get(key, 95.0)
        spiked = glitch & (kind == 0)
        values[spiked] = spike * rng.uniform(0.6, 1.2, int(spiked.sum()))
        values[glitch & (kind == 1)] = 0.0
        values[glitch & (kind == 2)] = 65535.0  # a frame decoded as all ones: out of any range
        if key in truth_values:
            truth_values[key] = np.where(glitch, np.nan, values)
    if fault == "insulation":
        crossing = np.flatnonzero(truth_values["residual_ma"] >= LEAKAGE_ALARM_MA)
        truth.crossed_at = float(ts[crossing[0]]) if crossing.size else None
    elif fault == "terminal":
        crossing = np.flatnonzero(truth_values["temp_c_1"] >= TEMP_ALARM_C)
        truth.crossed_at = float(ts[crossing[0]]) if crossing.size else None
    return truth, {k: (ts, np.round(v, 2)) for k, v in series.items()}


def run(healthy: int = 50, insulation: int = 10, terminal: int = 10, days: float = 30.0, cadence_s: float = 300.0,
        batch_s: float = 3600.0, seed: int = 2026, t0: float = 1_767_225_600.0, probes: int = 2) -> FleetResult:
    """Simulate the fleet and detect on it in batches of ``batch_s`` (all sites together, as a cloud ingests).

    ``probes``: temperature probes per device, 2 (L and N terminals) or 1 (the L terminal only).
    """
    channels = CHANNELS if probes == 2 else tuple(k for k in CHANNELS if k != "temp_c_2")
    rng = np.random.default_rng(seed)
    detector = Detector()
    table = detector.table
    book = AlarmBook()
    sites: list[SiteTruth] = []
    slot_parts: list[Float] = []
    ts_parts: list[Float] = []
    value_parts: list[Float] = []
    kinds: list[Fault] = ["healthy"] * healthy + ["insulation"] * insulation + ["terminal"] * terminal
    for number, fault in enumerate(kinds, start=1):
        truth, series = generate(number, fault, days, cadence_s, t0, rng)
        sites.append(truth)
        slots = {}
        for key in channels:
            channel_id = number * 10 + len(slots) + 1
            slots[key] = table.add(ChannelInfo(channel_id, number, number, key),
                                   resolve_settings(key, {}, device_rated_a=truth.rated_a))
        terminals = [k for k in channels if k.startswith("temp_c")]
        table.partner[slots["residual_ma"]] = slots["current_a"]
        for i, key in enumerate(terminals):
            table.partner[slots[key]] = slots["current_a"]
            if len(terminals) > 1:
                table.peer[slots[key]] = slots[terminals[(i + 1) % len(terminals)]]
        for key, (ts, values) in series.items():
            if key not in slots:
                continue
            slot_parts.append(np.full(ts.shape[0], slots[key], dtype=np.float64))
            ts_parts.append(ts)
            value_parts.append(values)
    slot_all = np.concatenate(slot_parts).astype(np.int64)
    ts_all = np.concatenate(ts_parts)
    value_all = np.concatenate(value_parts)
    order = np.argsort(ts_all, kind="stable")
    slot_all, ts_all, value_all = slot_all[order], ts_all[order], value_all[order]

    raised: dict[tuple[int, int, str], Raised] = {}
    done: list[Raised] = []
    faults: list[Raised] = []
    started = time.perf_counter()
    edges = np.searchsorted(ts_all, np.arange(t0, t0 + days * DAY + batch_s, batch_s))
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        now = float(ts_all[hi - 1])
        findings = detector.detect(slot_all[lo:hi], ts_all[lo:hi], value_all[lo:hi], now=now)
        for change in findings.changes:
            info = table.info[change.slot]
            key = (info.device_id, info.channel_id, change.cause)
            decision = book.decide(key, change.level)
            if decision is None:
                continue
            if decision.kind == "raised":
                book.add(key, Active(0, info.site_id, info.device_id, info.channel_id, change.cause, decision.level,
                                     change.ts, change.value, None))
                item = Raised(info.site_id, change.cause, decision.level, change.ts, decision.level)
                if decision.level in ("fault", "offline"):
                    faults.append(item)
                else:
                    raised[key] = item
                    done.append(item)
            elif decision.kind == "escalated":
                book.active[key].level = decision.level
                if key in raised:
                    raised[key].level = decision.level
            else:
                book.remove(key)
                raised.pop(key, None)
    seconds = time.perf_counter() - started
    return FleetResult(sites, done, int(ts_all.shape[0]), seconds, days, faults)


def report(result: FleetResult) -> str:
    healthy = result.of("healthy")
    ids = {s.site for s in healthy}
    site_years = max(len(healthy) * result.days / 365.0, 1e-9)
    alarms = [r for r in result.raised if r.site in ids and r.level == "alarm"]
    pre = [r for r in result.raised if r.site in ids and r.level == "prealarm"]
    faults = [r for r in result.faults if r.site in ids]
    lines = [
        f"fleet: {len(result.sites)} sites × {result.days:g} days at 5 min: {result.samples:,} samples detected in "
        f"{result.seconds:.1f} s ({result.samples / result.seconds:,.0f} samples/s)",
        f"healthy: {len(healthy)} sites, {site_years:.2f} site-years: {len(alarms)} alarms "
        f"({len(alarms) / site_years:.2f}/site-year), {len(pre)} pre-alarms ({len(pre) / site_years:.2f}/site-year), "
        f"{len(faults)} sensor faults",
    ]
    counts: dict[tuple[str, str], list[int]] = {}
    for r in alarms + pre:
        counts.setdefault((r.level, r.cause), []).append(r.site)
    for (lvl, cause), where in sorted(counts.items()):
        lines.append(f"  {lvl} {cause}: {len(where)} at {len(set(where))} sites")
    for fault, cause in (("insulation", "leakage_trend"), ("terminal", "hot_joint")):
        leads = [result.lead_h(s, cause) for s in result.of(fault)]  # type: ignore[arg-type]
        shown = ", ".join("—" if v is None else f"{v:.0f}" for v in leads)
        got = [v for v in leads if v is not None]
        lines.append(f"{fault}: {cause} lead hours [{shown}]; min {min(got) if got else float('nan'):.0f} h")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--healthy", type=int, default=200)
    parser.add_argument("--insulation", type=int, default=20)
    parser.add_argument("--terminal", type=int, default=20)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--probes", type=int, choices=(1, 2), default=2,
                        help="temperature probes per device: 2 (L and N terminals) or 1")
    args = parser.parse_args()
    print(report(run(args.healthy, args.insulation, args.terminal, args.days, seed=args.seed, probes=args.probes)))


if __name__ == "__main__":
    main()
