"""What andian sends to a city monitoring centre, as GB/T 26875.3 data units: pure translation, no I/O.

An alarm transition becomes a part running state (type 2) of the device's part; the newest readings become part
analogue values (type 3); andian's own state becomes a transmission device running state (type 21). The tables
below are the mapping that docs/gb26875.md ("Sending") states.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import msgspec

from gb26875 import DeviceState, PartAnalogue, PartState, TimeLabel, Unit

__all__ = [
    "ANALOGUE", "ARC_PART", "MAX_ANALOGUE", "MONITOR_PART", "PART_OF_CAUSE", "SENT_TRANSITIONS", "SYSTEM_ADDRESS",
    "SYSTEM_TYPE", "VERSION", "Latest", "Transition", "alarm_unit", "analogue_units", "description",
    "device_state_unit", "device_status", "part_status", "part_type",
]

VERSION = (1, 0)  # protocol main version 1 (GB/T 26875.3-2011 §8.1.2), user version 0

# System type 0 (通用, "general"): GB/T 26875.3-2011 has no electrical-fire system type, field devices that report
# electrical-fire monitoring use 0, and a centre needs no configuration to take it. andian is one system (address 1);
# its parts are told apart by their part address, the device id (stable for the device's life, a u32).
SYSTEM_TYPE = 0
SYSTEM_ADDRESS = 1

# Part types (GB/T 26875.3-2011 table of part types): 16 electrical-fire monitoring alarm unit (监控报警器),
# 17 residual-current detector (剩余电流式电气火灾监控探测器), 18 temperature detector (测温式电气火灾监控探测器).
MONITOR_PART, RESIDUAL_PART, TEMPERATURE_PART = 16, 17, 18
# No fault-arc part type exists in 2011: a user-defined one (128–255), documented for the centre (故障电弧探测器).
ARC_PART = 128
PART_OF_CAUSE = {"leakage": RESIDUAL_PART, "leakage_trend": RESIDUAL_PART, "overtemp": TEMPERATURE_PART,
                 "hot_joint": TEMPERATURE_PART, "arc": ARC_PART}

# Part status bits (u16, GB/T 26875.3-2011 §8.2.1.2): bit 0 normal operation (1; 0 is test), bit 1 fire alarm
# (火警), bit 2 fault (故障), bit 4 supervisory (监管). A pre-alarm (预警) is not a fire alarm: it goes up as
# supervisory, so the centre sees it without it counting as a fire.
NORMAL, FIRE, FAULT, SUPERVISORY = 1 << 0, 1 << 1, 1 << 2, 1 << 4
LEVEL_BITS = {"alarm": FIRE, "prealarm": SUPERVISORY, "fault": FAULT, "offline": FAULT}
SENT_TRANSITIONS = ("raised", "escalated", "cleared")  # acknowledgements are andian's own business

# Transmission device status bits (1 byte, §8.2.1.9): bit 0 normal, bit 1 fire alarm, bit 2 fault.
DEVICE_NORMAL, DEVICE_FIRE, DEVICE_FAULT = 1 << 0, 1 << 1, 1 << 2

# Channel → (part type, analogue type, scale to the wire's unit). Standard analogue types: 3 temperature (0.1 °C),
# 8 voltage (0.1 V), 9 current (0.1 A). Residual current in mA has no standard type (9 is too coarse for it):
# user-defined 128, in 1 mA.
ANALOGUE: dict[str, tuple[int, int, float]] = {
    "temp_c": (TEMPERATURE_PART, 3, 10.0),
    "voltage_v": (MONITOR_PART, 8, 10.0),
    "current_a": (MONITOR_PART, 9, 10.0),
    "residual_ma": (RESIDUAL_PART, 128, 1.0),
}
# Part analogue objects are 16 bytes (10 + time label); 63 fill the 1024-byte data unit (2 + 63 × 16 = 1010).
MAX_ANALOGUE = 63
MAX_PART_ADDRESS = 0xFFFF_FFFF  # a part address is a u32
DESCRIPTION_BYTES = 31  # a part's description: 31 bytes of GB 18030, NUL-padded


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """An alarm transition as the uplink reads it (storage's row)."""

    id: int
    ts: float
    transition: str
    level: str
    cause: str
    test: bool
    device_id: int
    device_name: str
    circuit: str = ""
    channel_label: str = ""
    site_name: str


class Latest(msgspec.Struct, frozen=True, kw_only=True):
    """A channel's newest reading."""

    key: str
    device_id: int
    ts: float
    value: float


def part_type(cause: str) -> int:
    return PART_OF_CAUSE.get(cause, MONITOR_PART)


def part_status(levels: Iterable[str]) -> int:
    """Normal operation, plus the bit of each level still active on the part."""
    status = NORMAL
    for level in levels:
        status |= LEVEL_BITS.get(level, 0)
    return status


def description(site: str, name: str) -> str:
    """``site name`` in at most 31 bytes of GB 18030, cut at a character boundary."""
    text = " ".join(part for part in (site.strip(), name.strip()) if part).replace("\0", " ")
    while len(text.encode("gb18030")) > DESCRIPTION_BYTES:
        text = text[:-1]
    return text.rstrip()


def alarm_unit(tr: Transition, others: Sequence[tuple[str, str]], tz: ZoneInfo) -> Unit | None:
    """The part state a transition sends, or None (test alarms, acknowledgements). ``others``: (cause, level) of
    the device's other live alarms, whose bits the part also carries when they map to the same part type."""
    if tr.test or tr.transition not in SENT_TRANSITIONS:
        return None
    kind = part_type(tr.cause)
    levels = [level for cause, level in others if part_type(cause) == kind]
    if tr.transition != "cleared":
        levels.append(tr.level)
    name = tr.circuit or tr.channel_label or tr.device_name
    state = PartState(sys_type=SYSTEM_TYPE, sys_addr=SYSTEM_ADDRESS, part_type=kind, part_addr=tr.device_id,
                      status=part_status(levels), desc=description(tr.site_name, name), ts=TimeLabel.at(tr.ts, tz))
    return Unit(2, (state,))


def _int16(value: float) -> int:
    return max(-32768, min(32767, round(value)))


def analogue_units(latest: Iterable[Latest], tz: ZoneInfo) -> list[Unit]:
    """The analogue values of one round, at most 63 to a unit; channels without a mapping are left out."""
    objects = []
    for reading in latest:
        if reading.key not in ANALOGUE or not 0 <= reading.device_id <= MAX_PART_ADDRESS:
            continue
        kind, analogue_type, scale = ANALOGUE[reading.key]
        objects.append(PartAnalogue(sys_type=SYSTEM_TYPE, sys_addr=SYSTEM_ADDRESS, part_type=kind,
                                    part_addr=reading.device_id, analogue_type=analogue_type,
                                    value=_int16(reading.value * scale), ts=TimeLabel.at(reading.ts, tz)))
    return [Unit(3, tuple(objects[i:i + MAX_ANALOGUE])) for i in range(0, len(objects), MAX_ANALOGUE)]


def device_status(levels: Iterable[str]) -> int:
    """andian's own running state: normal, fire alarm if any site has a live alarm, fault if any has a fault."""
    status = DEVICE_NORMAL
    for level in levels:
        if level == "alarm":
            status |= DEVICE_FIRE
        elif level in ("fault", "offline"):
            status |= DEVICE_FAULT
    return status


def device_state_unit(levels: Iterable[str], now: float, tz: ZoneInfo) -> Unit:
    return Unit(21, (DeviceState(status=device_status(levels), ts=TimeLabel.at(now, tz)),))
