"""GB/T 26875.3-2011, the city fire remote-monitoring network protocol: a pure codec, bytes in, typed frames out.

``frame`` (one frame: header, checksum, encode/decode), ``splitter`` (a byte stream → frames), ``units``
(application data units, table-driven), ``errors`` (GB26875Error with a ``code``). Imports nothing from ``server``.
"""

from __future__ import annotations

from .errors import CODES, Code, GB26875Error
from .frame import (
    CONFIRM,
    CONFIRM_WAIT_S,
    CONTROL,
    DENY,
    MAX_DATA,
    MAX_FRAME,
    REQUEST,
    RESENDS,
    RESPONSE,
    SEND,
    Frame,
    checksum,
    decode,
    encode,
)
from .splitter import Rejected, Splitter
from .units import (
    TYPES,
    DeviceConfig,
    DeviceOperation,
    DeviceSoftware,
    DeviceState,
    DeviceTime,
    DutyCheck,
    Object,
    Opaque,
    PartAnalogue,
    PartConfig,
    PartState,
    ReadDeviceOperations,
    ReadPart,
    ReadSystem,
    ReadSystemOperations,
    Reserved,
    SyncClock,
    SystemConfig,
    SystemOperation,
    SystemSoftware,
    SystemState,
    SystemTime,
    TimeLabel,
    Unit,
    UserDefined,
    decode_unit,
    encode_unit,
)

__all__ = [
    "CODES", "CONFIRM", "CONFIRM_WAIT_S", "CONTROL", "DENY", "MAX_DATA", "MAX_FRAME", "REQUEST", "RESENDS", "RESPONSE",
    "SEND", "TYPES", "Code", "DeviceConfig", "DeviceOperation", "DeviceSoftware", "DeviceState", "DeviceTime",
    "DutyCheck", "Frame", "GB26875Error", "Object", "Opaque", "PartAnalogue", "PartConfig", "PartState",
    "ReadDeviceOperations", "ReadPart", "ReadSystem", "ReadSystemOperations", "Rejected", "Reserved", "Splitter",
    "SyncClock", "SystemConfig", "SystemOperation", "SystemSoftware", "SystemState", "SystemTime", "TimeLabel", "Unit",
    "UserDefined", "checksum", "decode", "decode_unit", "encode", "encode_unit"
]
