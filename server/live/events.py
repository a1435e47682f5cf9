"""What open site pages are told: a reading, an alarm transition, a breaker that moved, a hazard's change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["LiveEvent"]


@dataclass(frozen=True)
class LiveEvent:
    site_id: int
    event: str  # "reading" | "alarm" | "device" | "hazard"
    data: dict[str, Any]
