"""Request and response shapes of wired commissioning: bus scans, a live read, and writes of a device's own levels."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from server.detection.settings import CHANNEL_KEY_PATTERN
from server.fields import END, LINE

__all__ = ["BusScan", "BusScanIn", "FoundUnit", "LiveValues", "ThresholdsWrite", "ThresholdsWritten"]

Unit = Annotated[int, Meta(ge=1, le=247, description="a Modbus unit (slave) address")]


class BusScanIn(Struct, forbid_unknown_fields=True):
    link: Annotated[str, Meta(min_length=6, max_length=300, description=(
        "the bus, a wired link without unit: modbus-rtu:///dev/ttyUSB0 (with baud, parity, stop when not 9600 8N1), "
        "modbus-tcp://192.168.1.20:502 or modbus-rtu-tcp://192.168.1.21:4001")), LINE]
    first: Unit = 1
    last: Unit = 247


class FoundUnit(Struct):
    unit: int
    model: str | None  # the guess; None: pick one of the candidates
    candidates: list[str]  # wired models whose registers the unit answered
    known: Literal["here", "elsewhere"] | None  # a device of this site (or another) already has this bus and unit
    device_id: int | None  # only when known here


class BusScan(Struct):
    id: int
    site_id: int
    link: str
    first: int
    last: int
    state: Literal["running", "done", "cancelled", "failed"]
    done: int  # units tried so far
    total: int
    found: list[FoundUnit]
    error: str | None  # why it failed (the bus cannot be opened, or was lost)


class LiveValues(Struct):
    values: dict[str, float]  # channel → value
    faults: dict[str, str]  # channel → sensor fault (ct_open, ct_short, sensor): no value
    read_at: float


Level = Annotated[float, Meta(ge=0, le=1_000_000, description="in the channel's unit (mA for residual_ma)")]


class ThresholdsWrite(Struct, forbid_unknown_fields=True):
    channel: Annotated[str, Meta(pattern=CHANNEL_KEY_PATTERN + END)]
    alarm: Level | None = None
    prealarm: Level | None = None
    # The device's own settings change: nothing is written without it.
    confirm: Annotated[bool, Meta(description="true: yes, change the device's own settings")] = False


class ThresholdsWritten(Struct):
    channel: str
    before: dict[str, float]  # the device's levels before (setting → value)
    written: dict[str, float]
    read_back: dict[str, float]  # the device's levels after, read back
    matches: bool
