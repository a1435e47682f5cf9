"""What the pure detector tests share: a ChannelTable wired as server/ingest/registry.py wires it, samples as
(ts, value) tables, and ways to drive one detector or the whole engine and read back what a user would see."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from server.detection import detectors as d
from server.detection.engine import Detector, Findings
from server.detection.settings import resolve_settings
from server.detection.table import ChannelInfo, ChannelTable

DAY = 86400.0
NAN = math.nan
RATED_A = 32.0  # the default rated current (a 32 A miniature circuit breaker)


def rows(*names_and_values: Any) -> list[Any]:
    """Table rows as ``pytest.param`` with the description (each row's first item) as the test id."""
    return [pytest.param(*row[1:], id=row[0]) for row in names_and_values]


def device(*keys: str, settings: dict[str, dict[str, Any]] | None = None,
           rated_a: float = RATED_A) -> tuple[ChannelTable, dict[str, int]]:
    """One device's channels in a fresh table with resolved settings, partner and peer wired as the registry does."""
    settings = settings or {}
    table = ChannelTable(capacity=2)  # small, so that adding channels grows it
    slots = {}
    for i, key in enumerate(keys):
        info = ChannelInfo(channel_id=100 + i, device_id=1, site_id=1, key=key)
        slots[key] = table.add(info, resolve_settings(key, settings.get(key, {}), device_rated_a=rated_a))
    current = next((slots[key] for key in sorted(slots) if key.startswith("current_a")), -1)
    terminals = [slots[key] for key in sorted(slots) if key.startswith("temp_c")]
    for key, slot in slots.items():
        table.partner[slot] = current if key.startswith(("temp_c", "residual_ma")) else -1
    if len(terminals) > 1:
        for i, slot in enumerate(terminals):
            table.peer[slot] = terminals[(i + 1) % len(terminals)]
    return table, slots


def every(step: float, values: Sequence[float], start: float = 0.0) -> list[tuple[float, float]]:
    """Samples ``step`` seconds apart: [(ts, value), ...]."""
    return [(start + i * step, float(v)) for i, v in enumerate(values)]


def hold(value: float, start: float, stop: float, step: float) -> list[tuple[float, float]]:
    """The same value from ``start`` to ``stop`` (inclusive), ``step`` seconds apart."""
    return [(float(t), value) for t in np.arange(start, stop + step / 2, step)]


def feed(table: ChannelTable, detector: Callable[..., Any], slot: int, ts: Any, values: Any, *extra: Any) -> Any:
    """Run one detector over one channel's batch, then move the channel's clock as ``Detector`` does after a pass."""
    ts = np.asarray(ts, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    out = detector(table, d.Rows(np.full(ts.shape, slot, dtype=np.int64), ts, values), *extra)
    table.state["last_ts"][slot] = ts[-1]
    table.state["last_value"][slot] = values[-1]
    return out


def transitions(ts: Any, levels: Any, start: int = 0) -> list[tuple[float, int]]:
    """Where the wanted level changes: [(ts, level), ...]."""
    out, prev = [], start
    for t, level in zip(np.asarray(ts).tolist(), np.asarray(levels).tolist(), strict=True):
        if level != prev:
            out.append((t, level))
            prev = level
    return out


def run_levels(table: ChannelTable, detector: Callable[..., Any], slot: int, samples: list[tuple[float, float]],
               batch: int | None = None) -> list[tuple[float, int]]:
    """Level changes of one detector over samples sent in batches of ``batch`` samples (all at once by default)."""
    batch = batch or len(samples)
    ts, levels = [], []
    for i in range(0, len(samples), batch):
        part = samples[i : i + batch]
        ts += [t for t, _ in part]
        levels += feed(table, detector, slot, [t for t, _ in part], [v for _, v in part]).tolist()
    return transitions(ts, levels)


def sensor_of(table: ChannelTable, part: d.Rows) -> Any:
    return d.sensor(table, part, d.out_of_range(table, part))


def detect(det: Detector, samples: dict[int, list[tuple[float, float]]], now: float | None = None,
           arcs: Sequence[tuple[int, float, float]] = ()) -> Findings:
    """One batch through the engine: samples per slot, and arc events as (slot, ts, half-cycles)."""
    slot = np.array([s for s, part in samples.items() for _ in part], dtype=np.int64)
    ts = np.array([t for part in samples.values() for t, _ in part], dtype=np.float64)
    value = np.array([v for part in samples.values() for _, v in part], dtype=np.float64)
    arc = {}
    if arcs:
        arc = {"arc_slot": np.array([a[0] for a in arcs], dtype=np.int64),
               "arc_ts": np.array([a[1] for a in arcs], dtype=np.float64),
               "arc_count": np.array([a[2] for a in arcs], dtype=np.float64)}
    return det.detect(slot, ts, value, now=now, **arc)


def seen(findings: Findings, cause: str | None = None) -> list[tuple[str, int, float]]:
    return [(c.cause, c.level, c.ts) for c in findings.changes if cause is None or c.cause == cause]
