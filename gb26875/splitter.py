"""A streaming splitter: feed it bytes as they arrive, get back every complete frame in them.

It survives frames split anywhere, several frames in one read, and garbage before, between or inside them: it
looks for ``@@``, reads the data length, and takes the frame when its ``##`` is where the length says. A candidate
whose length is over 1024 or whose end is not ``##`` was not a frame start: the splitter skips one byte and looks
again (so a real frame after a stray ``@@`` is still found). A frame with a bad checksum is reported as
``Rejected`` (its sender gets no confirmation) and skipped whole. It never raises, and it holds at most one
frame's worth of bytes (``MAX_FRAME``) between calls.
"""

from __future__ import annotations

import msgspec

from .errors import Code, GB26875Error
from .frame import END, HEADER, MAX_DATA, START, Frame, decode

__all__ = ["Rejected", "Splitter"]


class Rejected(msgspec.Struct, frozen=True):
    """Bytes that looked like a frame and were not one: the error code, its message, the bytes."""

    code: Code
    message: str
    raw: bytes


class Splitter:
    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = 0  # garbage bytes dropped so far

    @property
    def pending(self) -> int:
        """Bytes held for a frame not complete yet (≤ MAX_FRAME after every feed)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame | Rejected]:
        self._buf += data
        out: list[Frame | Rejected] = []
        while True:
            start = self._buf.find(START)
            if start < 0:
                keep = 1 if self._buf[-1:] == START[:1] else 0
                self._drop(len(self._buf) - keep)
                return out
            self._drop(start)
            if len(self._buf) < HEADER:
                return out
            length = int.from_bytes(self._buf[24:26], "little")
            if length > MAX_DATA:
                out.append(Rejected("length", f"data length {length} is over {MAX_DATA}", bytes(self._buf[:HEADER])))
                self._drop(1)
                continue
            total = HEADER + length + 3
            if len(self._buf) < total:
                return out
            if self._buf[total - 2:total] != END:
                self._drop(1)
                continue
            raw = bytes(self._buf[:total])
            try:
                out.append(decode(raw))
                del self._buf[:total]
            except GB26875Error as exc:
                out.append(Rejected(exc.code, str(exc), raw))
                del self._buf[:total]

    def _drop(self, count: int) -> None:
        if count > 0:
            self.skipped += count
            del self._buf[:count]

