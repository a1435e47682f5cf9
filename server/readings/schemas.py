"""The response shape of a channel's readings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.accounts.principal import Role
from server.detection.settings import CHANNEL_KEY_PATTERN, SETTING_NAMES

__all__ = ["Readings"]

class Readings(Struct):
    ts: list[float]
    value: list[float]
