"""Readings for the demo city until the Bluetooth simulator feeds it (issue 4): a few physical stories.

Every 10 s each demo device reports through the same ingest function as HTTP. Stories chosen so that a
pre-alarm and an alarm appear within minutes: the socket circuit of the market stall leaks more and more,
a terminal in the care home's board heats up, and the hotel's arc detector sees bursts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import uuid

from .context import Context
from .ingest.pipeline import Access
from .ingest.wire import Event, ParsedBatch, Sample
from .services.ingest import ingest

__all__ = ["run"]

log = logging.getLogger("andian.demo")

INTERVAL_S = 10.0
CYCLE_S = 1800.0  # every story replays every half hour


def _sawtooth(t: float, rise_s: float, hold_s: float) -> float:
    """0 → 1 over rise_s, held for hold_s, then 0 until the cycle restarts."""
    phase = t % CYCLE_S
    if phase < rise_s:
        return phase / rise_s
    return 1.0 if phase < rise_s + hold_s else 0.0


def readings(t: float, rng: random.Random) -> dict[str, dict[str, float]]:
    """Values per device serial and channel key, ``t`` seconds after the feed started."""
    load = 0.5 + 0.3 * math.sin(2 * math.pi * t / 3600)
    leak = _sawtooth(t, 270, 600)   # 180 → 340 mA: pre-alarm after ~2 min, alarm after ~4 min
    heat = _sawtooth(t, 360, 600)   # 42 → 66 °C: pre-alarm after ~5 min
    breaker = {"voltage_v": 221 + rng.uniform(-2, 2), "power_w": 0.0, "energy_kwh": 0.0}
    stall_light = {**breaker, "current_a": 16 * 0.4 * load + rng.uniform(0, 0.2),
                   "residual_ma": 110 + rng.uniform(-8, 8), "temp_c": 32 + rng.uniform(-0.3, 0.3)}
    stall_socket = {**breaker, "current_a": 32 * load + rng.uniform(0, 0.5),
                    "residual_ma": 180 + 160 * leak + rng.uniform(-4, 4), "temp_c": 38 + rng.uniform(-0.3, 0.3),
                    "arc": 0.0}
    for key in ("power_w", "energy_kwh"):
        stall_light[key] = stall_light["current_a"] * stall_light["voltage_v"] if key == "power_w" else t / 3600
        stall_socket[key] = stall_socket["current_a"] * stall_socket["voltage_v"] if key == "power_w" else t / 1800
    board = {"residual_ma": 95 + rng.uniform(-5, 5), "temp_c_1": 35 + rng.uniform(-0.3, 0.3),
             "temp_c_2": 42 + 24 * heat + rng.uniform(-0.3, 0.3), "temp_c_3": 34 + rng.uniform(-0.3, 0.3),
             "temp_c_4": 33 + rng.uniform(-0.3, 0.3)}
    return {
        "AD-BRK-0001": stall_light, "AD-BRK-0002": stall_socket, "AD-CMB-0101": board,
        "AD-ARC-0102": {"arc": 0.0, "current_a": 6 + rng.uniform(0, 0.5)},
        "AD-ARC-0201": {"arc": 0.0, "current_a": 9 + rng.uniform(0, 0.5)},
        "AD-BRK-0401": {**breaker, "current_a": 28 + rng.uniform(-1, 1), "residual_ma": 140 + rng.uniform(-5, 5),
                        "temp_c": 41 + rng.uniform(-0.3, 0.3), "power_w": 6200.0, "energy_kwh": t / 600},
        "AD-CMB-0501": {"residual_ma": 160 + rng.uniform(-6, 6), "temp_c_1": 30.0 + rng.uniform(-0.3, 0.3),
                        "temp_c_2": 31 + rng.uniform(-0.3, 0.3), "temp_c_3": 30 + rng.uniform(-0.3, 0.3),
                        "temp_c_4": 29 + rng.uniform(-0.3, 0.3)},
    }


def arc_events(t: float) -> list[tuple[str, float, int]]:
    """A burst of 16 arc half-cycles in the hotel every 7 minutes (the alarm clears after 5 quiet minutes)."""
    if t % 420 < INTERVAL_S and t > 60:
        return [("AD-ARC-0201", i * 0.05, 1) for i in range(16)]
    return []


async def run(ctx: Context) -> None:
    rng = random.Random(2026)
    start = ctx.clock()
    while True:
        now = ctx.clock()
        t = now - start
        samples = [Sample(serial, key, now, round(value, 2)) for serial, values in readings(t, rng).items()
                   for key, value in values.items()]
        events = [Event(serial, "arc", now - 1 + dt, count) for serial, dt, count in arc_events(t)]
        batch = ParsedBatch(f"demo-{uuid.uuid4()}", samples, list(range(len(samples))), events,
                            list(range(len(events))))
        try:
            result = await ingest(ctx, Access(), batch)
            if result.rejected:
                log.warning("demo feed: %d rejected, first: %s", len(result.rejected), result.rejected[0].error)
        except Exception:  # keep feeding; the log says why a round failed
            log.exception("demo feed round failed")
        await asyncio.sleep(INTERVAL_S)
