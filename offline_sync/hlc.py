"""A hybrid logical clock (Kulkarni et al., 2014): physical milliseconds plus a counter, so that every event a
device makes, online or not, is ordered after everything it has seen, and clocks that drift still agree.

On the wire an HLC is a string that sorts as the clock does (API.md "Sync"): ``{wall_ms:013d}-{counter:04x}-{node}``
— 13 decimal digits of Unix milliseconds, 4 hex digits of counter, the client id. Ties between nodes break by
node id, so two stamps are never equal unless they are the same event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HLC", "MAX_COUNTER", "Clock", "ClockError", "parse"]

MAX_COUNTER = 0xFFFF
_FORMAT = re.compile(r"^(\d{13})-([0-9a-f]{4})-([A-Za-z0-9_-]{1,64})$")


class ClockError(ValueError):
    """A malformed stamp, or a counter that would overflow (more than 65 535 events in one millisecond)."""


@dataclass(frozen=True, order=True)
class HLC:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:04x}-{self.node}"


def parse(text: str) -> HLC:
    found = _FORMAT.match(text)
    if found is None:
        raise ClockError(f"{text!r} is not an HLC; it looks like 1763856000123-0000-c7f3a1")
    return HLC(int(found.group(1)), int(found.group(2), 16), found.group(3))


class Clock:
    """One node's clock: ``tick`` for a local event, ``receive`` when a remote stamp is seen."""

    def __init__(self, node: str, last: HLC | None = None) -> None:
        self.node = node
        self.last = last or HLC(0, 0, node)

    def tick(self, physical_ms: int) -> HLC:
        wall = max(self.last.wall_ms, physical_ms)
        counter = self.last.counter + 1 if wall == self.last.wall_ms else 0
        return self._set(wall, counter)

    def receive(self, remote: HLC, physical_ms: int) -> HLC:
        wall = max(self.last.wall_ms, remote.wall_ms, physical_ms)
        if wall == self.last.wall_ms == remote.wall_ms:
            counter = max(self.last.counter, remote.counter) + 1
        elif wall == self.last.wall_ms:
            counter = self.last.counter + 1
        elif wall == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        return self._set(wall, counter)

    def _set(self, wall: int, counter: int) -> HLC:
        if counter > MAX_COUNTER:
            raise ClockError("more than 65 535 events in one millisecond; the clock cannot order them")
        self.last = HLC(wall, counter, self.node)
        return self.last
