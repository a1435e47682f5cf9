"""Application data units: a type flag (1 B), an object count (1 B), the objects — one table row per type.

Each standard type's objects are a msgspec Struct whose fields are in wire order; ``_TABLE`` names the wire form
of each field, and one decoder and one encoder walk it. Types 128–254 are user-defined: kept as ``UserDefined``
(the bytes after the type flag, untouched). A unit that does not follow the standard (an unknown or reserved
type, a count that disagrees with the bytes, a text that is not GB 18030) is kept whole as ``Opaque``, so that
encode(decode(frame)) gives back the same bytes for every frame. A part's 31-byte description is read as firmware
writes it — a C string: the text up to the first NUL, GB 18030 with bad bytes replaced —; when its bytes are not
simply that text NUL-padded (leftovers after the NUL, bad bytes), they are kept as ``desc_raw`` and written back.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Literal

import msgspec

from .errors import GB26875Error

__all__ = [
    "DESCRIPTION", "TYPES", "DeviceConfig", "DeviceOperation", "DeviceSoftware", "DeviceState", "DeviceTime",
    "DutyCheck", "Object", "Opaque", "PartAnalogue", "PartConfig", "PartState", "ReadDeviceOperations", "ReadPart",
    "ReadSystem", "ReadSystemOperations", "Reserved", "SyncClock", "SystemConfig", "SystemOperation",
    "SystemSoftware", "SystemState", "SystemTime", "TimeLabel", "Unit", "UserDefined", "decode_unit", "encode_unit",
]

DESCRIPTION = 31  # bytes of a part's GB 18030 description, NUL-padded


class TimeLabel(msgspec.Struct, frozen=True):
    """The 6-byte time label as it stands: seconds, minutes, hours, day, month, year (0–99 → 2000–2099)."""

    sec: int
    min: int
    hour: int
    day: int
    month: int
    year: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> TimeLabel:
        return cls(*raw[:6])

    @classmethod
    def of(cls, when: datetime) -> TimeLabel:
        return cls(when.second, when.minute, when.hour, when.day, when.month, when.year % 100)

    @classmethod
    def at(cls, ts: float, tz: tzinfo) -> TimeLabel:
        """The label of Unix time ``ts`` in the local time of ``tz`` (labels carry local time, no zone)."""
        return cls.of(datetime.fromtimestamp(ts, tz))

    def to_bytes(self) -> bytes:
        values = (self.sec, self.min, self.hour, self.day, self.month, self.year)
        if not all(0 <= v <= 0xFF for v in values):
            raise GB26875Error("value", f"time label {values} has a field outside 0–255")
        return bytes(values)

    def as_datetime(self) -> datetime | None:
        """The label as a naive datetime (the sender's local time), or None when it is not a real date."""
        try:
            return datetime(2000 + self.year, self.month, self.day, self.hour, self.min, self.sec)
        except ValueError:
            return None


class _Obj(msgspec.Struct, frozen=True):
    pass


class SystemState(_Obj, frozen=True):  # 1
    sys_type: int
    sys_addr: int
    status: int
    ts: TimeLabel


class PartState(_Obj, frozen=True):  # 2
    sys_type: int
    sys_addr: int
    part_type: int
    part_addr: int
    status: int
    desc: str
    ts: TimeLabel
    desc_raw: bytes | None = None  # the description's 31 bytes when they are not ``desc`` NUL-padded (written back)


class PartAnalogue(_Obj, frozen=True):  # 3
    sys_type: int
    sys_addr: int
    part_type: int
    part_addr: int
    analogue_type: int
    value: int
    ts: TimeLabel


class SystemOperation(_Obj, frozen=True):  # 4
    sys_type: int
    sys_addr: int
    operation: int
    operator: int
    ts: TimeLabel


class SystemSoftware(_Obj, frozen=True):  # 5
    sys_type: int
    sys_addr: int
    main: int
    sub: int


class SystemConfig(_Obj, frozen=True):  # 6
    sys_type: int
    sys_addr: int
    config: str


class PartConfig(_Obj, frozen=True):  # 7
    sys_type: int
    sys_addr: int
    part_type: int
    part_addr: int
    desc: str
    desc_raw: bytes | None = None  # as PartState's


class SystemTime(_Obj, frozen=True):  # 8
    sys_type: int
    sys_addr: int
    ts: TimeLabel


class DeviceState(_Obj, frozen=True):  # 21
    status: int
    ts: TimeLabel


class DeviceOperation(_Obj, frozen=True):  # 24
    operation: int
    operator: int
    ts: TimeLabel


class DeviceSoftware(_Obj, frozen=True):  # 25
    main: int
    sub: int


class DeviceConfig(_Obj, frozen=True):  # 26
    config: str


class DeviceTime(_Obj, frozen=True):  # 28
    ts: TimeLabel


class ReadSystem(_Obj, frozen=True):  # 61, 65, 66, 68
    sys_type: int
    sys_addr: int


class ReadPart(_Obj, frozen=True):  # 62, 63, 67
    sys_type: int
    sys_addr: int
    part_addr: int


class ReadSystemOperations(_Obj, frozen=True):  # 64
    sys_type: int
    sys_addr: int
    count: int
    start: TimeLabel


class ReadDeviceOperations(_Obj, frozen=True):  # 84
    count: int
    start: TimeLabel


class Reserved(_Obj, frozen=True):  # 81, 85, 86, 88, 89: one reserved byte
    reserved: int = 0


class SyncClock(_Obj, frozen=True):  # 90
    ts: TimeLabel


class DutyCheck(_Obj, frozen=True):  # 91 查岗: minutes the centre waits for the answer
    timeout_min: int


Object = (SystemState | PartState | PartAnalogue | SystemOperation | SystemSoftware | SystemConfig | PartConfig
          | SystemTime | DeviceState | DeviceOperation | DeviceSoftware | DeviceConfig | DeviceTime | ReadSystem
          | ReadPart | ReadSystemOperations | ReadDeviceOperations | Reserved | SyncClock | DutyCheck)


class Unit(msgspec.Struct, frozen=True):
    """A standard data unit: its type flag and its objects (all of the type's Struct)."""

    type: int
    objects: tuple[Object, ...]


class UserDefined(msgspec.Struct, frozen=True):
    """A user-defined unit (type 128–254): the bytes after the type flag, as they came."""

    type: int
    data: bytes


class Opaque(msgspec.Struct, frozen=True):
    """A data unit that does not follow the standard, kept whole (type flag included)."""

    data: bytes
    reason: str = ""


Wire = Literal["u8", "u16", "u32", "i16", "time", "desc", "text"]
_SIZE: dict[Wire, int] = {"u8": 1, "u16": 2, "u32": 4, "i16": 2, "time": 6, "desc": DESCRIPTION}

_SYS: tuple[Wire, Wire] = ("u8", "u8")
_TABLE: dict[int, tuple[type[_Obj], tuple[Wire, ...]]] = {
    1: (SystemState, (*_SYS, "u16", "time")),
    2: (PartState, (*_SYS, "u8", "u32", "u16", "desc", "time")),
    3: (PartAnalogue, (*_SYS, "u8", "u32", "u8", "i16", "time")),
    4: (SystemOperation, (*_SYS, "u8", "u8", "time")),
    5: (SystemSoftware, (*_SYS, "u8", "u8")),
    6: (SystemConfig, (*_SYS, "text")),
    7: (PartConfig, (*_SYS, "u8", "u32", "desc")),
    8: (SystemTime, (*_SYS, "time")),
    21: (DeviceState, ("u8", "time")),
    24: (DeviceOperation, ("u8", "u8", "time")),
    25: (DeviceSoftware, ("u8", "u8")),
    26: (DeviceConfig, ("text",)),
    28: (DeviceTime, ("time",)),
    61: (ReadSystem, _SYS), 65: (ReadSystem, _SYS), 66: (ReadSystem, _SYS), 68: (ReadSystem, _SYS),
    62: (ReadPart, (*_SYS, "u32")), 63: (ReadPart, (*_SYS, "u32")), 67: (ReadPart, (*_SYS, "u32")),
    64: (ReadSystemOperations, (*_SYS, "u8", "time")),
    84: (ReadDeviceOperations, ("u8", "time")),
    81: (Reserved, ("u8",)), 85: (Reserved, ("u8",)), 86: (Reserved, ("u8",)), 88: (Reserved, ("u8",)),
    89: (Reserved, ("u8",)),
    90: (SyncClock, ("time",)),
    91: (DutyCheck, ("u8",)),
}
TYPES: dict[int, type[_Obj]] = {flag: row[0] for flag, row in _TABLE.items()}


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise GB26875Error("unit", f"text {raw.hex()} is not GB 18030") from exc
    if text.encode("gb18030") != raw:
        raise GB26875Error("unit", f"text {raw.hex()} does not encode back to the same bytes")
    return text


def _field(wire: Wire, data: bytes, at: int) -> tuple[object, int]:
    if wire == "text":
        if at >= len(data):
            raise GB26875Error("unit", "a text's length byte is missing")
        end = at + 1 + data[at]
        if end > len(data):
            raise GB26875Error("unit", f"a text of {data[at]} bytes runs past the unit")
        return _text(data[at + 1:end]), end
    end = at + _SIZE[wire]
    if end > len(data):
        raise GB26875Error("unit", f"the unit ends inside a {wire} field")
    raw = data[at:end]
    if wire == "time":
        return TimeLabel.from_bytes(raw), end
    if wire == "desc":
        return _read_desc(raw), end
    return int.from_bytes(raw, "little", signed=wire == "i16"), end


def _read_desc(raw: bytes) -> str:
    """A description as a C string: up to the first NUL, GB 18030, bad bytes replaced (never an error)."""
    return raw.split(b"\0", 1)[0].decode("gb18030", errors="replace")


def _desc_raw(text: str, raw: bytes) -> bytes | None:
    """``raw`` when ``text`` NUL-padded is not the same bytes (it must be written back as it came), else None."""
    try:
        return None if _desc(text) == raw else raw
    except GB26875Error:  # replaced bad bytes may take more room than 31 bytes
        return raw


def _desc(text: str) -> bytes:
    raw = text.encode("gb18030")
    if len(raw) > DESCRIPTION:
        raise GB26875Error("value", f"description {text!r} is {len(raw)} bytes in GB 18030; at most {DESCRIPTION}")
    return raw.ljust(DESCRIPTION, b"\0")


def _put(wire: Wire, value: object) -> bytes:
    if wire == "time":
        assert isinstance(value, TimeLabel)
        return value.to_bytes()
    if wire == "desc":
        if isinstance(value, bytes):  # desc_raw
            if len(value) != DESCRIPTION:
                raise GB26875Error("value", f"desc_raw is {len(value)} bytes; a description is {DESCRIPTION}")
            return value
        assert isinstance(value, str)
        return _desc(value)
    if wire == "text":
        assert isinstance(value, str)
        raw = value.encode("gb18030")
        if len(raw) > 0xFF:
            raise GB26875Error("value", f"text {value!r} is {len(raw)} bytes; at most 255")
        return bytes([len(raw)]) + raw
    assert isinstance(value, int)
    try:
        return value.to_bytes(_SIZE[wire], "little", signed=wire == "i16")
    except OverflowError as exc:
        raise GB26875Error("value", f"{value} does not fit a {wire} field") from exc


def _strict(data: bytes) -> Unit:
    flag, count = data[0], data[1]
    cls, wires = _TABLE[flag]
    at, objects = 2, []
    for _ in range(count):
        values, raw_desc = [], None
        for wire in wires:
            start = at
            value, at = _field(wire, data, at)
            values.append(value)
            if wire == "desc":
                assert isinstance(value, str)
                raw_desc = _desc_raw(value, data[start:at])
        objects.append(cls(*values, **({"desc_raw": raw_desc} if raw_desc is not None else {})))
    if at != len(data):
        raise GB26875Error("unit", f"{len(data) - at} bytes left after {count} objects of type {flag}")
    return Unit(flag, tuple(objects))  # type: ignore[arg-type]


def decode_unit(data: bytes) -> Unit | UserDefined | Opaque:
    """A non-empty data unit → Unit, UserDefined or Opaque; never raises."""
    if 128 <= data[0] <= 254:
        return UserDefined(data[0], bytes(data[1:]))
    if len(data) < 2 or data[0] not in _TABLE:
        return Opaque(bytes(data), f"type {data[0]} is not a standard type" if len(data) > 1 else "no count")
    try:
        return _strict(data)
    except GB26875Error as exc:
        return Opaque(bytes(data), str(exc))


def encode_unit(unit: Unit | UserDefined | Opaque) -> bytes:
    """The bytes of a unit; raises GB26875Error("value") when a field does not fit or an object has the wrong type."""
    if isinstance(unit, Opaque):
        return unit.data
    if isinstance(unit, UserDefined):
        if not 128 <= unit.type <= 254:
            raise GB26875Error("value", f"user-defined type {unit.type} is not 128–254")
        return bytes([unit.type]) + unit.data
    if unit.type not in _TABLE:
        raise GB26875Error("value", f"type {unit.type} is not a standard type; use UserDefined for 128–254")
    cls, wires = _TABLE[unit.type]
    if len(unit.objects) > 0xFF:
        raise GB26875Error("value", f"{len(unit.objects)} objects; at most 255 in one unit")
    out = bytearray([unit.type, len(unit.objects)])
    for obj in unit.objects:
        if type(obj) is not cls:
            raise GB26875Error("value", f"type {unit.type} carries {cls.__name__}, not {type(obj).__name__}")
        for wire, name in zip(wires, obj.__struct_fields__[:len(wires)], strict=True):
            value = getattr(obj, name)
            if wire == "desc" and isinstance(obj, PartState | PartConfig) and obj.desc_raw is not None:
                value = obj.desc_raw
            out += _put(wire, value)
    return bytes(out)
