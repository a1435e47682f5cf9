"""Arc reports: the notification a fault-arc detector sends after every second in which it saw arcing.

Payload (little-endian, 5 bytes): ``u16 sequence`` (wraps at 65536, to spot lost or repeated reports),
``u16 half-cycles`` (arc half-cycles counted in that one-second window, GB 14287.4 counts half-cycles),
``u8 flags`` (bit 0: the count comes from the device's own test pulse, not from the circuit).
"""

from __future__ import annotations

import struct

import msgspec

__all__ = ["ARC_REPORT_SIZE", "ArcReport", "encode_arc", "parse_arc"]

_FORMAT = struct.Struct("<HHB")
ARC_REPORT_SIZE = _FORMAT.size
_TEST = 0x01


class ArcReport(msgspec.Struct, frozen=True):
    sequence: int
    half_cycles: int
    test: bool = False


def parse_arc(payload: bytes) -> ArcReport:
    if len(payload) != ARC_REPORT_SIZE:
        raise ValueError(f"arc report must be {ARC_REPORT_SIZE} bytes, got {len(payload)}")
    sequence, half_cycles, flags = _FORMAT.unpack(payload)
    return ArcReport(sequence, half_cycles, bool(flags & _TEST))


def encode_arc(report: ArcReport) -> bytes:
    return _FORMAT.pack(report.sequence & 0xFFFF, report.half_cycles, _TEST if report.test else 0)
