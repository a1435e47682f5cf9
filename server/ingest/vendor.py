"""Vendor payloads: a declarative mapping per vendor turns the vendor's JSON into an ingest body.

A mapping is data, one TOML file per vendor in ``server/ingest/vendors/`` (the file name is the vendor's name in
the topic ``andian/{gateway_id}/vendor/{vendor}``). It names the JSON field that holds the device serial, the one
that holds the time (and its unit), and which fields become which channels, with a scale:

    serial = "imei"
    time = "time"
    time_unit = "ms"
    [channels]
    residual_ma = { field = "data.leak" }
    temp_c_1 = { field = "data.t1", scale = 0.1 }

``to_body`` is pure: a message in, an ingest body out, which then goes through the same item-by-item parser as an
HTTP body (``wire.parse_batch``). docs/operations.md, "MQTT ingress", documents the format.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from server.detection.settings import CHANNEL_KEY_PATTERN
from server.errors import InvalidInput
from server.ingest.wire import IngestResult, Rejected, field_of

__all__ = ["VENDORS_DIR", "VendorMap", "VendorMapError", "load_vendors", "name_fields", "to_body"]

VENDORS_DIR = Path(__file__).parent / "vendors"
# A vendor's name is a topic level and a file name: plain lower-case words.
_VENDOR_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # as wire.IngestBatch.batch_id
# A field path: dot-separated JSON object keys, e.g. "data.leak".
FieldPath = Annotated[str, Meta(pattern=r"^[^.\s]+(\.[^.\s]+)*$", max_length=128)]


class ChannelMap(Struct, forbid_unknown_fields=True, frozen=True):
    field: FieldPath
    # value × scale is the reading in the channel's unit (e.g. 0.1 for a temperature sent in tenths of a °C).
    scale: Annotated[float, Meta(gt=0)] = 1.0


class VendorMap(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    description: str = ""
    serial: FieldPath
    time: FieldPath
    time_unit: Literal["s", "ms"]
    channels: Annotated[dict[str, ChannelMap], Meta(min_length=1)]


class VendorMapError(ValueError):
    """A mapping file that cannot be used: the message names the file and the field."""


def load_vendors(directory: Path = VENDORS_DIR) -> dict[str, VendorMap]:
    """Every ``*.toml`` mapping of ``directory`` by vendor name; a bad one raises ``VendorMapError``."""
    return {path.stem: _load(path) for path in sorted(directory.glob("*.toml"))}


def _load(path: Path) -> VendorMap:
    if not _VENDOR_NAME.match(path.stem):
        raise VendorMapError(f"{path}: the file name is the vendor's topic level; use lower-case letters, digits, "
                             "'_' and '-' (at most 32), e.g. leak4g.toml")
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VendorMapError(f"{path}: not valid TOML ({exc})") from exc
    channels = raw.get("channels")
    for key, channel in (channels.items() if isinstance(channels, dict) else ()):
        try:  # one by one first, so an error names its channel (msgspec says only `$.channels[...]`)
            msgspec.convert(channel, ChannelMap)
        except msgspec.ValidationError as exc:
            inner = _field(str(exc))
            named = f"channels.{key}" if inner == "file" else f"channels.{key}.{inner}"
            raise VendorMapError(f"{path}: {named}: {exc}; write {key} = {{ field = \"a.b\", scale = 1.0 }}") from exc
    try:
        mapping = msgspec.convert(raw, VendorMap)
    except msgspec.ValidationError as exc:
        raise VendorMapError(f"{path}: {_field(str(exc))}: {exc}") from exc
    for key in mapping.channels:
        if not re.match(CHANNEL_KEY_PATTERN + "$", key):
            raise VendorMapError(f"{path}: channels.{key}: not a channel key; use one such as residual_ma, "
                                 f"temp_c_1 or voltage_v (the keys match {CHANNEL_KEY_PATTERN}$)")
    return mapping


def _field(message: str) -> str:
    """The dotted field of a msgspec error: ``Object missing required field `time_unit` - at `$.channels.x``` →
    ``channels.x.time_unit``."""
    at = field_of(message, "")
    missing = re.search(r"required field `([^`]+)`", message)
    if missing:
        return f"{at}.{missing.group(1)}" if at else missing.group(1)
    return at or "file"


_MISSING = object()


def _get(message: dict[str, Any], path: str) -> Any:
    value: Any = message
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_body(vendor: str, mapping: VendorMap, payload: bytes) -> tuple[bytes, list[str]]:
    """The ingest body for one vendor message, and the vendor field each of its samples came from (in order).

    A value that is not a number is handed on as it is, so the parser rejects that sample alone; a field the message
    lacks gives no sample (detectors send what they measured). The batch id comes from the serial and the time, so
    a message delivered twice is stored once.
    """
    try:
        message = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("body", f"not valid JSON ({exc}); send the {vendor} JSON object") from exc
    if not isinstance(message, dict):
        raise InvalidInput("body", f"must be a JSON object (the {vendor} message), got {type(message).__name__}")
    serial = _get(message, mapping.serial)
    if isinstance(serial, int) and not isinstance(serial, bool):
        serial = str(serial)  # an IMEI sent as a number
    if not isinstance(serial, str) or not serial:
        raise InvalidInput(mapping.serial, f"the device serial is missing or not a string; the {vendor} mapping "
                                           f"takes it from {mapping.serial}")
    when = _get(message, mapping.time)
    if not _number(when) or not math.isfinite(when):
        raise InvalidInput(mapping.time, f"the time is missing or not a number; the {vendor} mapping takes it "
                                         f"from {mapping.time}, in {mapping.time_unit} since 1970")
    ts = when / 1000.0 if mapping.time_unit == "ms" else float(when)
    samples: list[dict[str, Any]] = []
    fields: list[str] = []
    for key, channel in mapping.channels.items():
        value = _get(message, channel.field)
        if value is _MISSING:
            continue
        samples.append({"device": serial, "channel": key, "ts": ts,
                        "value": value * channel.scale if _number(value) else value})
        fields.append(channel.field)
    if not samples:
        named = ", ".join(c.field for c in mapping.channels.values())
        raise InvalidInput("body", f"none of the {vendor} mapping's fields is in the message ({named})")
    batch_id = f"{vendor}:{serial}:{round(ts * 1000)}"
    if not _BATCH_ID.match(batch_id):  # a serial with characters a batch id may not hold
        batch_id = f"{vendor}:" + hashlib.sha256(batch_id.encode()).hexdigest()[:40]
    return msgspec.json.encode({"batch_id": batch_id, "samples": samples}), fields


def name_fields(result: IngestResult, fields: list[str]) -> IngestResult:
    """The answer with each rejected sample named by the vendor field it came from, not only its index in the
    body the vendor never saw."""
    rejected = [Rejected(r.index, f"{fields[r.index]}: {r.error}" if r.index < len(fields) else r.error, r.kind)
                for r in result.rejected]
    return IngestResult(result.accepted, result.duplicate, rejected)
