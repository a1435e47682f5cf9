"""One GB/T 26875.3 frame: ``@@``, 25 control-unit bytes, the application data unit, a sum byte, ``##``.

Integers are little-endian; the checksum is the low 8 bits of the sum of the control unit and the data unit.
``decode`` takes exactly one complete frame; a data unit that does not follow the standard is kept as ``Opaque``
(the frame itself is still good and gets confirmed or denied by whoever receives it).
"""

from __future__ import annotations

import msgspec

from .errors import GB26875Error
from .units import Opaque, TimeLabel, Unit, UserDefined, decode_unit, encode_unit

__all__ = [
    "CONFIRM", "CONFIRM_WAIT_S", "CONTROL", "DENY", "END", "HEADER", "MAX_DATA", "MAX_FRAME", "REQUEST", "RESENDS",
    "RESPONSE", "SEND", "START", "Frame", "checksum", "decode", "encode",
]

START = b"@@"
END = b"##"
HEADER = 27  # start (2) + control unit (25)
MAX_DATA = 1024
MAX_FRAME = HEADER + MAX_DATA + 3  # + checksum (1) + end (2)

CONTROL, SEND, CONFIRM, REQUEST, RESPONSE, DENY = 1, 2, 3, 4, 5, 6

# The exchange (GB/T 26875.3-2011 §6.5.4–6.5.5): a sender waits at most this long for the confirmation of a frame, and
# sends it again, the same bytes with the same serial, at most this many times.
CONFIRM_WAIT_S = 10.0
RESENDS = 3


class Frame(msgspec.Struct, frozen=True, kw_only=True):
    """A decoded frame. ``source``/``destination`` are the 6 address bytes as they stand on the wire;
    ``unit`` is None when the data unit is empty (confirm, deny)."""

    serial: int
    version: tuple[int, int]
    time: TimeLabel
    source: bytes
    destination: bytes
    command: int
    unit: Unit | UserDefined | Opaque | None = None

    def answer(self, command: int, time: TimeLabel, unit: Unit | UserDefined | Opaque | None = None) -> Frame:
        """The reply to this frame (confirm, deny or response): same serial, addresses swapped."""
        return Frame(serial=self.serial, version=self.version, time=time, source=self.destination,
                     destination=self.source, command=command, unit=unit)


def checksum(body: bytes) -> int:
    return sum(body) & 0xFF


def _u8(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise GB26875Error("value", f"{name} {value} is not a byte (0–255)")
    return value


def encode(frame: Frame) -> bytes:
    """The bytes of ``frame``; raises GB26875Error("value") for a field that does not fit."""
    data = b"" if frame.unit is None else encode_unit(frame.unit)
    if len(data) > MAX_DATA:
        raise GB26875Error("length", f"the data unit is {len(data)} bytes; at most {MAX_DATA}")
    if not 0 <= frame.serial <= 0xFFFF:
        raise GB26875Error("value", f"serial {frame.serial} is not 0–65535")
    for name, addr in (("source", frame.source), ("destination", frame.destination)):
        if len(addr) != 6:
            raise GB26875Error("value", f"{name} address is {len(addr)} bytes; it must be 6")
    control = (frame.serial.to_bytes(2, "little")
               + bytes(_u8("version", v) for v in frame.version)
               + frame.time.to_bytes() + frame.source + frame.destination
               + len(data).to_bytes(2, "little") + bytes([_u8("command", frame.command)]))
    body = control + data
    return START + body + bytes([checksum(body)]) + END


def decode(raw: bytes) -> Frame:
    """Exactly one complete frame → Frame; raises GB26875Error (framing, length, incomplete, checksum)."""
    if not raw.startswith(START[: len(raw)]) or (len(raw) >= 2 and not raw.startswith(START)):
        raise GB26875Error("framing", f"a frame starts with 4040 (@@), not {raw[:2].hex()}")
    if len(raw) < HEADER:
        raise GB26875Error("incomplete", f"{len(raw)} bytes; a frame has at least {HEADER + 3}")
    length = int.from_bytes(raw[24:26], "little")
    if length > MAX_DATA:
        raise GB26875Error("length", f"data length {length} is over {MAX_DATA}")
    total = HEADER + length + 3
    if len(raw) < total:
        raise GB26875Error("incomplete", f"{len(raw)} bytes; the data length {length} needs {total}")
    if len(raw) > total:
        raise GB26875Error("length", f"{len(raw)} bytes; the data length {length} gives {total}")
    if raw[-2:] != END:
        raise GB26875Error("framing", f"a frame ends with 2323 (##), not {raw[-2:].hex()}")
    body = raw[2:-3]
    if checksum(body) != raw[-3]:
        raise GB26875Error("checksum", f"sum byte {raw[-3]:02x}; the bytes sum to {checksum(body):02x}")
    data = body[25:]
    return Frame(serial=int.from_bytes(body[0:2], "little"), version=(body[2], body[3]),
                 time=TimeLabel.from_bytes(body[4:10]), source=bytes(body[10:16]),
                 destination=bytes(body[16:22]), command=body[24], unit=decode_unit(data) if data else None)
