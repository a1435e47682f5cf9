"""The health check's wire shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.accounts.principal import Role
from server.detection.settings import CHANNEL_KEY_PATTERN, SETTING_NAMES

__all__ = ["Health"]

class Health(Struct):
    status: str
    version: str
    time: float
    site_box: bool
