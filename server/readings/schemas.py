"""The response shape of a channel's readings."""

from __future__ import annotations

from msgspec import Struct

__all__ = ["Readings"]

class Readings(Struct):
    ts: list[float]
    value: list[float]
