"""Alarm instances: one per (device, channel, cause) while it lasts. Decides raise, escalate and clear.

Pure bookkeeping over the active instances; the alarm stage (``stage.py``) stores what it decides in the same
transaction as the readings that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["LEVEL_NAMES", "RANK", "Active", "AlarmBook", "Decision", "Key"]

LEVEL_NAMES = {1: "prealarm", 2: "alarm", 3: "fault"}
# A level as the detectors' wanted-level code (offline ranks with fault: neither is the circuit's own alarm).
RANK = {"prealarm": 1, "alarm": 2, "fault": 3, "offline": 3}

# (device id, channel id or 0 for device-level alarms, cause)
Key = tuple[int, int, str]


@dataclass
class Active:
    id: int
    site_id: int
    device_id: int
    channel_id: int | None
    cause: str
    level: str
    started_at: float
    peak: float | None
    threshold: float | None
    detail: dict[str, Any] = field(default_factory=dict)
    test: bool = False  # raised while the device was in self-test: shown as 自检, nobody is told


@dataclass(frozen=True)
class Decision:
    kind: Literal["raised", "escalated", "cleared"]
    level: str


class AlarmBook:
    def __init__(self) -> None:
        self.active: dict[Key, Active] = {}

    def decide(self, key: Key, wanted: int | str) -> Decision | None:
        """What a change of the wanted level means for the instance of ``key``.

        A level that drops but stays above zero keeps the instance at its worst level: one alarm per episode,
        cleared only when the value is back below the pre-alarm level (minus hysteresis).
        """
        level = wanted if isinstance(wanted, str) else LEVEL_NAMES.get(wanted)
        current = self.active.get(key)
        if level is None:
            return Decision("cleared", current.level) if current else None
        if current is None:
            return Decision("raised", level)
        if RANK[level] > RANK[current.level]:
            return Decision("escalated", level)
        return None

    def add(self, key: Key, alarm: Active) -> None:
        self.active[key] = alarm

    def remove(self, key: Key) -> Active | None:
        return self.active.pop(key, None)

    def of_cause(self, cause: str) -> list[Active]:
        return [a for a in self.active.values() if a.cause == cause]
