"""Discovery: who is advertising nearby, how strong, and which model each most likely is."""

from __future__ import annotations

import msgspec

from .link import Backends, discover
from .profiles import guess

__all__ = ["Found", "scan"]


class Found(msgspec.Struct, frozen=True):
    address: str
    name: str
    rssi: int
    model: str | None  # the profile guessed from the advertised name; None when no model matches


async def scan(backends: Backends, seconds: float) -> list[Found]:
    """Devices heard within ``seconds``, strongest signal first."""
    found = []
    for adv in await discover(backends, seconds):
        profile = guess(adv.name)
        found.append(Found(adv.address, adv.name, adv.rssi, profile.model if profile else None))
    return found
