"""The one error of the codec: a frame or unit that does not decode, with a short code saying which rule broke."""

from __future__ import annotations

from typing import Literal

__all__ = ["CODES", "Code", "GB26875Error"]

Code = Literal["framing", "length", "incomplete", "checksum", "unit", "value"]
CODES: tuple[Code, ...] = ("framing", "length", "incomplete", "checksum", "unit", "value")


class GB26875Error(ValueError):
    """``code``: framing (no ``@@`` start or ``##`` end), length (data length over 1024 or not the bytes present),
    incomplete (fewer bytes than a frame), checksum (the sum byte disagrees), unit (an application data unit that
    does not follow the standard), value (a field out of range when encoding)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: Code = code
