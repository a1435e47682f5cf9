"""The health check's wire shape."""

from __future__ import annotations

from msgspec import Struct

__all__ = ["Health"]

class Health(Struct):
    status: str
    version: str
    time: float
    site_box: bool
