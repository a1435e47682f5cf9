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

from ..protocol.modbus import MAX_REGISTERS

__all__ = [
    "Block",
    "Profile",
    "Register",
    "ascii_words",
    "decode",
    "encode",
    "guess",
    "load_profile",
    "profiles",
    "read_plan",
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


class Register(Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    type: Literal["u16", "i16", "u32", "i32"] = "u16"  # 32-bit values are high word first
    scale: float = 1.0

    @property
    def words(self) -> int:
        return _WORDS[self.type]


class Block(Struct, frozen=True):
    address: Annotated[int, Meta(ge=0, le=0xFFFF)]
    words: Annotated[int, Meta(ge=1, le=MAX_REGISTERS)]


class Identity(Struct, frozen=True, forbid_unknown_fields=True):
    serial: Block  # ASCII, two characters per register, NUL padded
    firmware: Block


class Profile(Struct, frozen=True, forbid_unknown_fields=True):
    model: str
    kind: Kind
    name: Text
    protocol: Literal["modbus-rtu-nus"]
    local_name_prefix: str  # the advertised name starts with this: the scanner's model guess
    identity: Identity
    channels: list[Register]
    unit_id: Annotated[int, Meta(ge=1, le=247)] = 1
    poll_interval_s: Annotated[float, Meta(ge=1, le=3600)] = 30.0
    switch: Register | None = None  # breaker position: 1 closed, 0 open
    coils: dict[Action, Annotated[int, Meta(ge=0, le=0xFFFF)]] = {}
    arc_characteristic: str | None = None  # UUID of the arc-report notification (protocol/arc.py)
    self_test_s: float = 8.0  # how long the device's test function holds its test signal

    @property
    def controls(self) -> list[str]:
        return [action for action in ("trip", "close", "self_test") if action in self.coils]

    def channel_keys(self) -> list[str]:
        keys = [r.key for r in self.channels]
        return [*keys, "arc"] if self.arc_characteristic else keys


def load_profile(path: Path) -> Profile:
    """One register map file; a mistake names the file and the field."""
    try:
        profile = msgspec.toml.decode(path.read_bytes(), type=Profile)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:  # a wrong field, or not TOML at all
        raise ValueError(f"{path.name}: {exc}") from exc
    keys = [r.key for r in profile.channels]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: a channel key is listed twice")
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
    matches = [p for p in profiles().values() if local_name.startswith(p.local_name_prefix)]
    return max(matches, key=lambda p: len(p.local_name_prefix), default=None)


def read_plan(profile: Profile) -> list[Block]:
    """The fewest reads that cover every channel and the switch position."""
    registers = sorted([*profile.channels, *([profile.switch] if profile.switch else [])], key=lambda r: r.address)
    blocks: list[Block] = []
    for r in registers:
        end = r.address + r.words
        if blocks:
            last = blocks[-1]
            if r.address - (last.address + last.words) <= _MAX_GAP and end - last.address <= MAX_REGISTERS:
                blocks[-1] = Block(last.address, max(last.address + last.words, end) - last.address)
                continue
        blocks.append(Block(r.address, r.words))
    return blocks


def _value(r: Register, table: dict[int, int]) -> float:
    raw = table[r.address]
    if r.words == 2:
        raw = (raw << 16) | table[r.address + 1]
    bits = 16 * r.words
    if r.type.startswith("i") and raw >= 1 << (bits - 1):
        raw -= 1 << bits
    return round(raw * r.scale, 6)


def decode(profile: Profile, blocks: list[tuple[Block, list[int]]]) -> tuple[dict[str, float], str | None]:
    """Channel values and the switch position (``closed``/``open``, or None) from the registers read."""
    table: dict[int, int] = {}
    for block, words in blocks:
        if len(words) != block.words:
            raise ValueError(f"block at {block.address:#06x}: {len(words)} registers, expected {block.words}")
        table.update(zip(range(block.address, block.address + block.words), words, strict=True))
    values = {r.key: _value(r, table) for r in profile.channels}
    switch = None
    if profile.switch is not None:
        switch = "closed" if _value(profile.switch, table) else "open"
    return values, switch


def encode(register: Register, value: float) -> list[int]:
    """The words a device stores for ``value`` (the simulator's side of ``decode``)."""
    bits = 16 * register.words
    raw = round(value / register.scale)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if register.type.startswith("i") else (0, (1 << bits) - 1)
    raw = min(max(raw, lo), hi) & ((1 << bits) - 1)  # a sensor saturates at its range
    return [(raw >> 16) & 0xFFFF, raw & 0xFFFF] if register.words == 2 else [raw]


def text_of(words: list[int]) -> str:
    """ASCII text stored two characters per register, high byte first, NUL padded."""
    raw = b"".join(w.to_bytes(2, "big") for w in words)
    return raw.rstrip(b"\0").decode("ascii", errors="replace")


def ascii_words(text: str, words: int) -> list[int]:
    raw = text.encode("ascii")[: 2 * words].ljust(2 * words, b"\0")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
