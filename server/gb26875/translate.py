"""A received GB/T 26875.3 frame → what andian keeps of it (pure: no I/O, no clock of its own).

- part running states (type 2) of electrical-fire parts (16, 17, 18) → device-reported alarm ``states`` of the
  ingest (bit 1 火警 → ``alarm``, bit 2 故障 → ``fault``), never test alarms: real boxes leave bit 0 clear in a
  fire alarm (the public frames say 0x0002), so the raw status word goes into the alarm's detail instead;
- part analogue values (type 3): temperature (3), voltage (8), current (9) in tenths → ``samples``; user-defined
  analogue types (128–255) through the gateway's mapping; any other (or unmapped) analogue type → an event;
- everything else → an event with the decoded objects and the frame's bytes.

Parts become devices the first time they report (``Part``); the caller creates them and their channels.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

import msgspec

from gb26875 import Frame, Opaque, PartAnalogue, PartState, TimeLabel, Unit, UserDefined
from server.ingest.admit import MAX_CLOCK_SKEW_S
from server.ingest.wire import ParsedBatch, Sample, State

__all__ = ["ANALOGUE", "ELECTRICAL", "PAST_S", "Gateway", "Part", "Translation", "batch_id", "event_row",
           "part_serial", "summary", "translate", "when"]

# GB/T 26875.3 part types of electrical-fire monitoring (表 4): 16 监控报警器, 17 剩余电流式, 18 测温式 探测器.
ELECTRICAL = {16: ("combined", "电气火灾监控报警器"), 17: ("residual", "剩余电流式电气火灾监控探测器"),
              18: ("temperature", "测温式电气火灾监控探测器")}
# Standard analogue types (表 5) andian reads: type → (channel, scale); 3 temperature 0.1 °C, 8 voltage 0.1 V,
# 9 current 0.1 A.
ANALOGUE = {3: ("temp_c", 0.1), 8: ("voltage_v", 0.1), 9: ("current_a", 0.1)}
# Part status bits (表 3): bit 1 fire alarm (火警), bit 2 fault (故障). Bit 0 (normal / test) is not read: boxes in
# the field leave it clear in real fire alarms (the public frames' 0x0002), so it cannot mean test mode here.
FIRE, FAULT = 0x2, 0x4
# A time label further ahead of the server's clock than this is no use (a box whose clock was never set).
FUTURE_S = 86_400.0
# A time label older than this is no use either: a box whose clock was never set says about 2000, and a box does
# not hold a frame back for a month (its own buffer is for a lost link of hours or days).
PAST_S = 30 * 86_400.0


@dataclass(frozen=True)
class Gateway:
    id: int
    site_id: int
    address: str  # 12 lower-case hex digits
    mapping: dict[int, tuple[str, float]] = field(default_factory=dict)  # user-defined analogue type → channel, scale


@dataclass
class Part:
    serial: str
    kind: str
    name: str
    channels: set[str] = field(default_factory=set)  # the channels its values need


@dataclass
class Translation:
    parts: dict[str, Part] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    state_detail: list[dict[str, Any]] = field(default_factory=list)  # one per state: added to its alarm's detail
    events: list[dict[str, Any]] = field(default_factory=list)

    def batch(self, batch_id: str) -> ParsedBatch | None:
        if not self.samples and not self.states:
            return None
        return ParsedBatch(batch_id, self.samples, list(range(len(self.samples))), [], [],
                           states=self.states, state_index=list(range(len(self.states))),
                           state_detail=self.state_detail)


def part_serial(address: str, sys_type: int, sys_addr: int, part_type: int, part_addr: int) -> str:
    return f"gb26875:{address}:{sys_type}/{sys_addr}/{part_type}/{part_addr}"


def batch_id(raw: bytes) -> str:
    """One ingest batch per frame, named by its bytes: a box's resend of a frame is stored once."""
    return "gb26875-" + hashlib.sha256(raw).hexdigest()[:40]


def when(label: TimeLabel, tz: tzinfo, now: float) -> float:
    """A time label (the box's local time) as Unix seconds; the receive time when it is no date, lies ahead of the
    server's clock by more than the ingest takes, or lies more than PAST_S behind it (the box's clock is wrong: its
    values are still kept)."""
    return _stamp(label, tz, now)[0]


def _stamp(label: TimeLabel, tz: tzinfo, now: float) -> tuple[float, str | None]:
    """``when``, and the label as the box wrote it when it was replaced by the receive time (else None)."""
    local = label.as_datetime()
    if local is None:
        return now, "-".join(str(v) for v in (label.year, label.month, label.day, label.hour, label.min, label.sec))
    ts = local.replace(tzinfo=tz).timestamp()
    if ts > now + min(MAX_CLOCK_SKEW_S, FUTURE_S) or ts < now - PAST_S:
        return now, local.isoformat()
    return ts, None


def summary(unit: Unit | UserDefined | Opaque | None) -> dict[str, Any]:
    """The decoded objects as JSON, for the events table and the API."""
    match unit:
        case None:
            return {}
        case Unit():
            return {"type": unit.type, "objects": [_builtins(o) for o in unit.objects]}
        case UserDefined():
            return {"type": unit.type, "user_defined": True, "data": unit.data.hex()}
        case Opaque():
            return {"opaque": True, "reason": unit.reason, "data": unit.data.hex()}


def _builtins(obj: Any) -> dict[str, Any]:
    """An object as JSON; a description's raw bytes (only there when they are not the text) in hex."""
    out: dict[str, Any] = msgspec.to_builtins(obj)
    raw = out.pop("desc_raw", None)
    if raw is not None:
        out["desc_raw"] = getattr(obj, "desc_raw", b"").hex()
    return out


def _device_time(frame: Frame) -> str | None:
    local = frame.time.as_datetime()
    return local.isoformat() if local else None


def event_row(frame: Frame, raw: bytes, now: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    unit = frame.unit
    return {"received_at": now, "device_time": _device_time(frame), "command": frame.command,
            "type": unit.type if isinstance(unit, Unit | UserDefined) else (unit.data[0] if unit else None),
            "serial": frame.serial, "summary": {**summary(unit), **(extra or {})}, "raw": raw,
            "digest": hashlib.sha256(raw).hexdigest()}


def _part(out: Translation, gateway: Gateway, obj: PartState | PartAnalogue) -> Part:
    serial = part_serial(gateway.address, obj.sys_type, obj.sys_addr, obj.part_type, obj.part_addr)
    part = out.parts.get(serial)
    if part is None:
        kind, title = ELECTRICAL.get(obj.part_type, ("combined", "部件"))
        desc = obj.desc.strip() if isinstance(obj, PartState) else ""
        part = out.parts[serial] = Part(serial, kind, desc or f"{title} {obj.sys_addr}-{obj.part_addr}")
    return part


def translate(frame: Frame, raw: bytes, gateway: Gateway, channels_of: dict[str, frozenset[str]], tz: tzinfo,
              now: float) -> Translation:
    """What to keep of a SEND frame. ``channels_of``: the channels known parts have (a type-16 unit's alarm is
    ``overtemp`` when temperature is all it measures)."""
    out = Translation()
    unit = frame.unit
    if isinstance(unit, Unit) and unit.type == 2:
        other = []
        for obj in unit.objects:
            assert isinstance(obj, PartState)
            if obj.part_type not in ELECTRICAL:
                other.append(_builtins(obj))
                continue
            part = _part(out, gateway, obj)
            ts, label = _stamp(obj.ts, tz, now)
            detail = {"status": obj.status, **({"device_time": label} if label else {})}
            fire = bool(obj.status & FIRE)
            causes = [{17: "leakage", 18: "overtemp"}.get(obj.part_type)]
            if causes[0] is None:  # a 监控报警器's cause is guessed from its channels, which may change meanwhile:
                # its alarm ends whichever cause it was raised as
                causes = [("overtemp" if channels_of.get(part.serial, frozenset()) == {"temp_c"} else "leakage")
                          ] if fire else ["leakage", "overtemp"]
            for cause in causes:
                out.states.append(State(part.serial, ts, cause, "alarm", fire))  # type: ignore[arg-type]
                out.state_detail.append(detail)
            out.states.append(State(part.serial, ts, "sensor", "fault", bool(obj.status & FAULT)))
            out.state_detail.append(detail)
        if other:
            out.events.append(event_row(frame, raw, now, {"objects": other}))
        return out
    if isinstance(unit, Unit) and unit.type == 3:
        unmapped = []
        for obj in unit.objects:
            assert isinstance(obj, PartAnalogue)
            to = ANALOGUE.get(obj.analogue_type) or gateway.mapping.get(obj.analogue_type)
            if to is None:
                unmapped.append(_builtins(obj))
                continue
            part = _part(out, gateway, obj)
            part.channels.add(to[0])
            out.samples.append(Sample(part.serial, to[0], when(obj.ts, tz, now), round(obj.value * to[1], 6)))
        if unmapped:
            out.events.append(event_row(frame, raw, now, {"objects": unmapped, "unmapped": True}))
        return out
    out.events.append(event_row(frame, raw, now))
    return out


