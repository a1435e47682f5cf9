"""One scenario per alarm cause, negatives included, replayed through POST /api/v1/ingest on an injected clock.

Each row: the device's channels, the physical story as functions of time, and the alarm history a user must
see afterwards as (cause, level, cleared?) — an empty list means nothing may be raised.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from .conftest import Clock, World
from .replay import Series, Site

DAY = 86400.0


def daily(lo: float, hi: float, peak_hour: float = 14.0) -> Series:
    """A daily cycle between lo and hi, peaking at peak_hour."""
    return lambda t: lo + (hi - lo) * 0.5 * (1 + math.cos(2 * math.pi * (t / 3600 - peak_hour) / 24))


def noisy(f: Series, amplitude: float, seed: int = 7) -> Series:
    rng = random.Random(seed)
    return lambda t: f(t) + rng.uniform(-amplitude, amplitude)


def lagged_temperature(current: Series, rated: float, ambient: float = 25.0, k: float = 40.0,
                       tau: float = 600.0) -> Series:
    """A terminal that follows its load: ambient + k·θ with θ the first-order lag of (I/In)²."""
    state = {"t": None, "theta": 0.0}

    def temp(t: float) -> float:
        x = (current(t) / rated) ** 2
        if state["t"] is None:
            state["theta"] = x
        else:
            a = math.exp(-(t - state["t"]) / tau)
            state["theta"] = a * state["theta"] + (1 - a) * x
        state["t"] = t
        return ambient + k * state["theta"]

    return temp


@dataclass
class Scenario:
    name: str
    channels: list[str]
    phases: list[tuple[float, dict[str, Series]]]  # (seconds, series) played one after the other
    expect: list[tuple[str, str, bool]]  # (cause, level, cleared)
    every: float = 10.0
    batch_s: float = 600.0
    events: Callable[[Site], None] | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)


def _const(v: float) -> Series:
    return lambda t: v


def _alternate(a: float, b: float, every: float = 10.0) -> Series:
    return lambda t: a if round(t / every) % 2 else b


LOAD = noisy(daily(4.0, 24.0), 0.5)
SCENARIOS = [
    Scenario("normal day: natural leakage 100–200 mA, load-following temperature", [
        "residual_ma", "current_a", "temp_c", "voltage_v"], [
        (DAY, {"residual_ma": noisy(daily(100, 200), 5), "current_a": LOAD,
               "temp_c": lagged_temperature(LOAD, 32), "voltage_v": noisy(_const(221), 3)}),
    ], [], every=60, batch_s=3600),
    Scenario("six normal days raise no leakage trend (it may judge from the fourth)", ["residual_ma"], [
        (6 * DAY, {"residual_ma": noisy(daily(100, 200), 5)}),
    ], [], every=300, batch_s=6 * 3600),
    Scenario("a single-sample spike", ["residual_ma"], [
        (300, {"residual_ma": _const(150)}), (10, {"residual_ma": _const(900)}), (300, {"residual_ma": _const(150)}),
    ], []),
    Scenario("leakage held above 300 mA", ["residual_ma"], [
        (120, {"residual_ma": _const(150)}), (120, {"residual_ma": _const(420)}), (120, {"residual_ma": _const(150)}),
    ], [("leakage", "alarm", True)]),
    Scenario("leakage pre-alarm escalates to alarm in one instance", ["residual_ma"], [
        (120, {"residual_ma": _const(260)}), (120, {"residual_ma": _const(330)}),
    ], [("leakage", "alarm", False)]),
    Scenario("a value flapping around the alarm level gives one alarm", ["residual_ma"], [
        (60, {"residual_ma": _const(310)}), (1200, {"residual_ma": _alternate(296, 308)}),
    ], [("leakage", "alarm", False)]),
    Scenario("overtemperature", ["temp_c"], [
        (120, {"temp_c": _const(45)}), (120, {"temp_c": _const(64)}), (120, {"temp_c": _const(76)}),
        (120, {"temp_c": _const(40)}),
    ], [("overtemp", "alarm", True)]),
    Scenario("load below rated current never overloads", ["current_a"], [
        (4 * 3600, {"current_a": noisy(_const(27), 1)}),
    ], []),
    Scenario("sustained 1.3 In overloads: pre-alarm, then alarm", ["current_a"], [
        (600, {"current_a": _const(10)}), (3600, {"current_a": _const(41.6)}), (3600, {"current_a": _const(5)}),
    ], [("overload", "alarm", True)]),
    Scenario("short circuit", ["current_a"], [
        (60, {"current_a": _const(10)}), (10, {"current_a": _const(400)}), (60, {"current_a": _const(0)}),
    ], [("short_circuit", "alarm", True)]),
    Scenario("loose terminal heats with the load unchanged, still below the overtemperature levels", [
        "current_a", "temp_c"], [
        (6 * 3600, {"current_a": noisy(_const(16), 0.3), "temp_c": lagged_temperature(_const(16), 32)}),
        # the same load (half rated: 25 + 40 × 0.25 = 35 °C), and the terminal warming 10 °C an hour
        (8280, {"current_a": noisy(_const(16), 0.3), "temp_c": lambda t: 35.0 + (t - 6 * 3600) / 360}),
    ], [("hot_joint", "alarm", False)], every=60, batch_s=1800),
    Scenario("leakage growing by a third a day warns with a projection (the trend needs four days of history)", [
        "residual_ma"], [
        (7 * DAY, {"residual_ma": lambda t: 100 + 5 * math.exp(0.3 * t / DAY) + 20 * math.sin(2 * math.pi * t / DAY)}),
    ], [("leakage_trend", "prealarm", False)], every=300, batch_s=6 * 3600),
    Scenario("overvoltage", ["voltage_v"], [
        (60, {"voltage_v": _const(221)}), (120, {"voltage_v": _const(251)}),
    ], [("voltage", "alarm", False)]),
    Scenario("a sensor reading out of its range is a fault, not a fire", ["temp_c"], [
        (60, {"temp_c": _const(30)}), (60, {"temp_c": _const(850)}), (60, {"temp_c": _const(31)}),
    ], [("sensor", "fault", True)]),
    Scenario("a voltage that never moves is a stuck sensor", ["voltage_v"], [
        (600, {"voltage_v": noisy(_const(221), 2)}), (2 * 3600, {"voltage_v": _const(220.4)}),
    ], [("sensor", "fault", False)], every=60),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(client: TestClient[Any], clock: Clock, world: World, scenario: Scenario) -> None:
    site = Site(client, clock, world.headers("admin"), world.sites["site_market"], "SIM-1", scenario.channels,
                settings=scenario.settings)
    for seconds, series in scenario.phases:
        site.replay(series, seconds, every=scenario.every, batch_s=scenario.batch_s)
    seen = sorted((a["cause"], a["level"], a["cleared_at"] is not None) for a in site.alarms(world.headers("owner_1")))
    assert seen == sorted(scenario.expect)
