"""Device models as data: a TOML register map per model over a protocol module (docs/devices.md).

A profile says how to find the device (advertised name), which registers hold which channel and how to
scale them, and which coils trip, close, self-test and identify it. ``decode`` turns the registers read
from a device into channel values; it is pure and tested with tables of bytes.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

from ..links import SerialLine
from ..protocol.modbus import MAX_REGISTERS

__all__ = [
    "Block",
    "Decoded",
    "Line",
    "Probe",
    "Profile",
    "Reason",
    "Register",
    "Threshold",
    "ascii_words",
    "decode",
    "encode",
    "guess",
    "load_profile",
    "profiles",
    "read_plan",
    "read_registers",
    "register_table",
    "text_of",
]

MODELS_DIR = Path(__file__).parent / "models"
# Extra register maps, e.g. on a site box: every *.toml there is loaded after the shipped ones.
PROFILES_ENV = "ANDIAN_PROFILES_DIR"
log = logging.getLogger("andian.ble.profiles")

Kind = Literal["breaker", "combined", "residual", "temperature", "arc"]
Action = Literal["trip", "close", "self_test", "identify"]
_WORDS = {"u16": 1, "i16": 1, "u32": 2, "i32": 2}
# Registers between two blocks that are read anyway instead of sending a second request.
_MAX_GAP = 8


class Text(Struct, frozen=True):
    zh_cn: str = field(name="zh-CN")
    en: str


Reason = Literal["ct_open", "ct_short", "sensor"]


class Sentinel(Struct, frozen=True, forbid_unknown_fields=True):
    """A raw value the device writes instead of a reading when its sensor is at fault (e.g. Acrel's 0xFAFA)."""

    value: Annotated[int, Meta(ge=0, le=0xFFFFFFFF)]
    reason: Reason


class Register(Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    type: Literal["u16", "i16", "u32", "i32"] = "u16"  # 32-bit word order: the profile's word_order
    scale: float = 1.0
    faults: list[Sentinel] = []  # sentinel values: a sensor fault of this channel, never a reading

    @property
    def words(self) -> int:
        return _WORDS[self.type]


class Block(Struct, frozen=True):
    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    words: Annotated[int, Meta(ge=1, le=MAX_REGISTERS)]


class Status(Struct, frozen=True, forbid_unknown_fields=True):
    """A status word's field (``(word >> shift) & mask``) whose values name a sensor fault of a channel. Alarm and
    pre-alarm states a device reports of itself are left to andian's own detection of the channel's values."""

    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    channel: str
    faults: list[Sentinel]
    shift: Annotated[int, Meta(ge=0, le=15)] = 0
    mask: Annotated[int, Meta(ge=1, le=0xFFFF)] = 0xFFFF


# The RS-485 settings a wired model ships with: the same shape a link's query gives (it overrides them).
Line = SerialLine


class Probe(Struct, frozen=True, forbid_unknown_fields=True):
    """An identity register where a model has one: a device of the model reads ``(word >> shift) & mask == value``
    there (a bus scan's model guess; e.g. the AIM-R100's meter type in 0x000B bits 15–12)."""

    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    value: Annotated[int, Meta(ge=0, le=0xFFFF)]
    shift: Annotated[int, Meta(ge=0, le=15)] = 0
    mask: Annotated[int, Meta(ge=1, le=0xFFFF)] = 0xFFFF

    def matches(self, word: int) -> bool:
        return (word >> self.shift) & self.mask == self.value


class Threshold(Struct, frozen=True, forbid_unknown_fields=True):
    """A register holding one of the device's own alarm levels of a channel (written with function 06): raw =
    value / scale, within the device's ``min``–``max`` (in the channel's unit)."""

    channel: str
    setting: Literal["alarm", "prealarm"]
    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    min: float
    max: float
    scale: Annotated[float, Meta(gt=0)] = 1.0


class Identity(Struct, frozen=True, forbid_unknown_fields=True):
    serial: Block  # ASCII, two characters per register, NUL padded
    firmware: Block


class Profile(Struct, frozen=True, forbid_unknown_fields=True):
    model: str
    kind: Kind
    name: Text
    # modbus-rtu-nus: Modbus RTU over a BLE UART service; modbus: registers over RS-485, TCP or RTU-over-TCP.
    protocol: Literal["modbus-rtu-nus", "modbus"]
    channels: list[Register]
    local_name_prefix: str = ""  # Bluetooth: the advertised name starts with this (the scanner's model guess)
    identity: Identity | None = None  # where the device keeps its serial number and firmware version
    vendor: str = "andian"
    line: Line = Line()  # RS-485 defaults (wired models)
    read_function: Literal[3, 4] = 3  # 3 holding registers, 4 input registers
    word_order: Literal["high", "low"] = "high"  # which word of a 32-bit value comes first
    status: list[Status] = []
    unit_id: Annotated[int, Meta(ge=1, le=247)] = 1
    poll_interval_s: Annotated[float, Meta(ge=1, le=3600)] = 30.0
    switch: Register | None = None  # breaker position: 1 closed, 0 open
    coils: dict[Action, Annotated[int, Meta(ge=0, le=0xFFFF)]] = {}
    arc_characteristic: str | None = None  # UUID of the arc-report notification (protocol/arc.py)
    self_test_s: float = 8.0  # how long the device's test function holds its test signal
    probe: Probe | None = None  # an identity register (wired models): the bus scan's guess
    thresholds: list[Threshold] = []  # the device's own alarm levels, as registers (wired models)

    @property
    def controls(self) -> list[str]:
        return [action for action in ("trip", "close", "self_test") if action in self.coils]

    @property
    def links(self) -> list[str]:
        """The link schemes a device of this model can be reached by."""
        return ["ble"] if self.protocol == "modbus-rtu-nus" else ["modbus-rtu", "modbus-tcp", "modbus-rtu-tcp"]

    def channel_keys(self) -> list[str]:
        keys = [r.key for r in self.channels]
        return [*keys, "arc"] if self.arc_characteristic else keys

    def thresholds_of(self, channel: str) -> dict[str, Threshold]:
        """The channel's level registers by setting (``alarm``, ``prealarm``); empty when the device has none."""
        return {t.setting: t for t in self.thresholds if t.channel == channel}


def load_profile(path: Path) -> Profile:
    """One register map file; a mistake names the file and the field."""
    try:
        profile = msgspec.toml.decode(path.read_bytes(), type=Profile)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:  # a wrong field, or not TOML at all
        raise ValueError(f"{path.name}: {exc}") from exc
    keys = [r.key for r in profile.channels]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: a channel key is listed twice")
    if profile.protocol == "modbus-rtu-nus" and not (profile.local_name_prefix and profile.identity):
        raise ValueError(f"{path.name}: a Bluetooth model needs local_name_prefix and [identity]")
    for status in profile.status:
        if status.channel not in keys:
            raise ValueError(f"{path.name}: status at {status.address:#06x} names channel {status.channel!r}, "
                             f"which is not one of {', '.join(keys)}")
    seen: set[tuple[str, str]] = set()
    for t in profile.thresholds:
        where = f"{path.name}: threshold at {t.address:#06x}"
        if profile.protocol != "modbus":
            raise ValueError(f"{where}: thresholds are written over a wired link (protocol = \"modbus\")")
        if t.channel not in keys:
            raise ValueError(f"{where} names channel {t.channel!r}, which is not one of {', '.join(keys)}")
        if (t.channel, t.setting) in seen:
            raise ValueError(f"{where}: {t.channel} {t.setting} is listed twice")
        seen.add((t.channel, t.setting))
        if not 0 <= t.min <= t.max or t.max / t.scale > 0xFFFF:
            raise ValueError(f"{where}: min and max must satisfy 0 ≤ min ≤ max ≤ 65535 × scale")
    return profile


@functools.cache
def profiles() -> dict[str, Profile]:
    """Every known model by name: the shipped register maps, then those in $ANDIAN_PROFILES_DIR.

    A broken shipped map is a bug and raises; a broken extra one is logged and left out, so one bad file in the
    directory does not take every other model down with it."""
    found = {}
    for path in sorted(MODELS_DIR.glob("*.toml")):
        profile = load_profile(path)
        found[profile.model] = profile
    extra = os.environ.get(PROFILES_ENV)
    for path in sorted(Path(extra).glob("*.toml")) if extra else []:
        try:
            profile = load_profile(path)
        except ValueError as exc:
            log.error("device register map left out: %s", exc)
            continue
        found[profile.model] = profile
    return found


def guess(local_name: str) -> Profile | None:
    """The model a device advertising ``local_name`` most likely is (longest matching prefix)."""
    matches = [p for p in profiles().values() if p.local_name_prefix and local_name.startswith(p.local_name_prefix)]
    return max(matches, key=lambda p: len(p.local_name_prefix), default=None)


def read_plan(profile: Profile) -> list[Block]:
    """The fewest reads that cover every channel, the switch position and the status words."""
    wanted = [(r.address, r.words) for r in profile.channels]
    wanted += [(profile.switch.address, profile.switch.words)] if profile.switch else []
    wanted += [(s.address, 1) for s in profile.status]
    blocks: list[Block] = []
    for address, words in sorted(wanted):
        end = address + words
        if blocks:
            last = blocks[-1]
            if address - (last.address + last.words) <= _MAX_GAP and end - last.address <= MAX_REGISTERS:
                blocks[-1] = Block(last.address, max(last.address + last.words, end) - last.address)
                continue
        blocks.append(Block(address, words))
    return blocks


def _raw(r: Register, table: dict[int, int], low_first: bool) -> int:
    raw = table[r.address]
    if r.words == 2:
        first, second = raw, table[r.address + 1]
        raw = (second << 16) | first if low_first else (first << 16) | second
    return raw


def _value(r: Register, raw: int) -> float:
    bits = 16 * r.words
    if r.type.startswith("i") and raw >= 1 << (bits - 1):
        raw -= 1 << bits
    return round(raw * r.scale, 6)


class Decoded(Struct, frozen=True):
    values: dict[str, float]
    switch: str | None  # "closed" / "open" for breakers
    faults: dict[str, Reason] = {}  # channel key → why it has no value (a sensor fault, never a reading)


def read_registers(profile: Profile, blocks: list[tuple[Block, list[int]]]) -> Decoded:
    """Channel values, the switch position and sensor faults from the registers read."""
    table: dict[int, int] = {}
    for block, words in blocks:
        if len(words) != block.words:
            raise ValueError(f"block at {block.address:#06x}: {len(words)} registers, expected {block.words}")
        table.update(zip(range(block.address, block.address + block.words), words, strict=True))
    low_first = profile.word_order == "low"
    values: dict[str, float] = {}
    faults: dict[str, Reason] = {}
    for r in profile.channels:
        raw = _raw(r, table, low_first)
        fault = next((s.reason for s in r.faults if s.value == raw), None)
        if fault is None:
            values[r.key] = _value(r, raw)
        else:
            faults[r.key] = fault
    for status in profile.status:
        code = (table[status.address] >> status.shift) & status.mask
        fault = next((s.reason for s in status.faults if s.value == code), None)
        if fault is not None:
            faults.setdefault(status.channel, fault)
            values.pop(status.channel, None)
    switch = None
    if profile.switch is not None:
        switch = "closed" if _value(profile.switch, _raw(profile.switch, table, low_first)) else "open"
    return Decoded(values, switch, faults)


def decode(profile: Profile, blocks: list[tuple[Block, list[int]]]) -> tuple[dict[str, float], str | None]:
    """Channel values and the switch position (``closed``/``open``, or None) from the registers read."""
    decoded = read_registers(profile, blocks)
    return decoded.values, decoded.switch


def encode(register: Register, value: float, word_order: Literal["high", "low"] = "high") -> list[int]:
    """The words a device stores for ``value`` (the simulator's side of ``decode``)."""
    bits = 16 * register.words
    raw = round(value / register.scale)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if register.type.startswith("i") else (0, (1 << bits) - 1)
    raw = min(max(raw, lo), hi) & ((1 << bits) - 1)  # a sensor saturates at its range
    if register.words == 1:
        return [raw]
    high, low = (raw >> 16) & 0xFFFF, raw & 0xFFFF
    return [low, high] if word_order == "low" else [high, low]


def register_table(profile: Profile, values: dict[str, float], raw: dict[int, int] | None = None) -> list[int]:
    """A device's holding registers from 0 up to the end of its read plan, holding ``values`` (channels left out
    hold 0) and ``raw`` words (sentinels, status words): the device side of ``read_registers``, for simulators."""
    words: dict[int, int] = {}
    for register in profile.channels:
        for i, word in enumerate(encode(register, values.get(register.key, 0.0), profile.word_order)):
            words[register.address + i] = word
    words.update(raw or {})
    top = max(max(words, default=-1) + 1, *(b.address + b.words for b in read_plan(profile)))
    return [words.get(i, 0) for i in range(top)]


def text_of(words: list[int]) -> str:
    """ASCII text stored two characters per register, high byte first, NUL padded."""
    raw = b"".join(w.to_bytes(2, "big") for w in words)
    return raw.rstrip(b"\0").decode("ascii", errors="replace")


def ascii_words(text: str, words: int) -> list[int]:
    raw = text.encode("ascii")[: 2 * words].ljust(2 * words, b"\0")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
