"""The API's shapes for a GB/T 26875.3 gateway (status, mapping, events, commands), and the mapping's rules."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.detection.settings import CHANNEL_KEY_PATTERN
from server.errors import InvalidInput

__all__ = ["CommandIn", "CommandOut", "EventOut", "LastFrame", "MappingIn", "MappingRow", "Status", "check_mapping"]

_KEY = re.compile(CHANNEL_KEY_PATTERN + r"\Z")


class MappingRow(Struct, forbid_unknown_fields=True):
    """A user-defined analogue type (128–255; the standard ones are fixed) → a channel, value = raw × scale."""

    analogue_type: Annotated[int, Meta(description="128–255")]
    channel: Annotated[str, Meta(max_length=32, description="a channel key, e.g. residual_ma")]
    scale: Annotated[float, Meta(description="value = raw × scale")] = 1.0


class MappingIn(Struct, forbid_unknown_fields=True):
    mapping: Annotated[list[MappingRow], Meta(max_length=128)]


class LastFrame(Struct):
    command: int
    type: int | None
    serial: int
    hex: str


class Counters(Struct):
    frames: int = 0
    confirms: int = 0
    denials: int = 0
    rejected: int = 0
    events: int = 0
    takeovers: int = 0


class CommandOut(Struct):
    id: int
    kind: Literal["duty_check", "sync_clock", "initialise"]
    serial: int
    sent_at: float
    state: Literal["sent", "confirmed", "denied", "answered", "no_answer"]
    answered_at: float | None
    attempts: int = 1


class Status(Struct):
    gateway_id: int
    address: str
    connected: bool
    peer: str | None
    connected_at: float | None
    last_frame_at: float | None
    last_frame: LastFrame | None
    counters: Counters
    mapping: list[MappingRow]
    commands: list[CommandOut]


class EventOut(Struct):
    id: int
    received_at: float
    device_time: str | None  # the frame's time label as the box wrote it (its local time)
    command: int
    type: int | None
    serial: int
    summary: dict[str, Any]
    raw: str  # the frame's bytes, hex


class CommandIn(Struct, forbid_unknown_fields=True):
    kind: Literal["duty_check", "sync_clock", "initialise"]
    timeout_min: Annotated[int, Meta(ge=1, le=255, description="duty_check: minutes the box has to answer")] = 10
    confirm: bool = False


def check_mapping(rows: list[MappingRow]) -> list[tuple[int, str, float]]:
    """The rows as stored; 400 naming ``mapping[i].analogue_type`` or ``mapping[i].channel``."""
    seen: dict[int, int] = {}
    out = []
    for i, row in enumerate(rows):
        if not 128 <= row.analogue_type <= 255:
            raise InvalidInput(f"mapping[{i}].analogue_type", f"{row.analogue_type} is a standard analogue type or "
                               "none: only user-defined types 128–255 are mapped (3, 8 and 9 are read as "
                               "temperature, voltage and current by the standard)")
        if row.analogue_type in seen:
            raise InvalidInput(f"mapping[{i}].analogue_type", f"type {row.analogue_type} is mapped twice (also "
                               f"mapping[{seen[row.analogue_type]}]); keep one row per type")
        if not _KEY.match(row.channel) or row.channel == "arc":
            raise InvalidInput(f"mapping[{i}].channel", f"{row.channel!r} is not a channel key of a measured value; "
                               "use e.g. residual_ma, residual_ma_1…16, temp_c, temp_c_1…4, current_a, voltage_v")
        if not (row.scale == row.scale and abs(row.scale) < 1e9) or row.scale == 0:
            raise InvalidInput(f"mapping[{i}].scale", "scale must be a finite number other than 0 (value = raw × "
                               "scale, e.g. 0.1 for tenths)")
        seen[row.analogue_type] = i
        out.append((row.analogue_type, row.channel, row.scale))
    return out
