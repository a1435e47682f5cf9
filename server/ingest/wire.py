"""The ingest body at the edge: decoded once, item by item where it has to be, so one bad item costs only itself.

The fast path decodes the whole body with msgspec into typed Structs. When that fails, the body is decoded
again leniently (the stdlib also reads the ``NaN`` and ``Infinity`` that some gateways write) and every item is
checked alone, so the good items are kept and each bad one is named with its index and field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from litestar.dto import MsgspecDTO
from msgspec import Meta, Struct

from server.errors import InvalidInput
from server.fields import END

__all__ = ["EVENT_KINDS", "Event", "Fault", "IngestBatch", "IngestBatchDTO", "IngestResult",
           "ParsedBatch", "Rejected", "Sample", "State", "field_of", "parse_batch"]

EVENT_KINDS = ("arc", "self_test", "trip", "close", "tamper", "power_loss")
MAX_ITEMS = 100_000
T = TypeVar("T")

# Serials and channel keys are checked against the registered devices (an unknown one is a per-item error), so
# no pattern is run per sample here: the decode of a large batch stays at msgspec speed.
Serial = Annotated[str, Meta(min_length=1, max_length=64, description="the device's serial number")]
# Unix seconds after 2000-01-01: a device that reports 1970 has lost its clock.
Timestamp = Annotated[float, Meta(gt=946_684_800.0, description="Unix seconds")]


class Sample(Struct, forbid_unknown_fields=True):
    device: Serial
    channel: Annotated[str, Meta(min_length=1, max_length=32, description="channel key, e.g. residual_ma")]
    ts: Timestamp
    value: float


class Event(Struct, forbid_unknown_fields=True):
    device: Serial
    kind: Literal["arc", "self_test", "trip", "close", "tamper", "power_loss"]
    ts: Timestamp
    count: Annotated[int, Meta(ge=0, le=1_000_000, description="arc half-cycles in this burst")] = 1


class Fault(Struct, forbid_unknown_fields=True):
    """A channel whose sensor is at fault instead of a value (a current transformer open or shorted: a device's
    sentinel value or status word). It raises the channel's ``sensor`` fault; its next value ends it."""

    device: Serial
    channel: Annotated[str, Meta(min_length=1, max_length=32, description="channel key, e.g. residual_ma_3")]
    ts: Timestamp
    reason: Literal["ct_open", "ct_short", "sensor"]


class State(Struct, forbid_unknown_fields=True):
    """An alarm state the device judged itself (a detector's fire-alarm or fault bit, e.g. GB/T 26875.3 part states),
    not a reading: ``active`` raises a device-level alarm of ``cause`` at ``level`` (``fault``: cause ``sensor``),
    and a later state with ``active`` false ends it. ``channel`` (optional) is recorded in the alarm's detail;
    ``test``: the device is in test mode (a test alarm, shown as 自检 and never notified)."""

    device: Serial
    ts: Timestamp
    # Causes a device may report as its own judgement (level ``alarm``); its own faults are cause ``sensor``.
    cause: Literal["leakage", "overtemp", "overload", "arc", "short_circuit", "voltage", "imbalance", "sensor"]
    level: Literal["alarm", "fault"]
    active: bool
    channel: str | None = None  # a channel key, e.g. residual_ma (the DTO's OpenAPI takes no constraint on an optional)
    test: bool = False


class IngestBatch(Struct, forbid_unknown_fields=True):
    batch_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}" + END,
                                  description="unique per batch; a repeated id is acknowledged and stored once")]
    samples: Annotated[list[Sample], Meta(max_length=MAX_ITEMS)] = []
    events: Annotated[list[Event], Meta(max_length=MAX_ITEMS)] = []
    faults: Annotated[list[Fault], Meta(max_length=MAX_ITEMS)] = []
    states: Annotated[list[State], Meta(max_length=MAX_ITEMS)] = []


Kind = Literal["sample", "event", "fault", "state"]


class Rejected(Struct):
    index: int
    error: str
    kind: Kind = "sample"


class IngestResult(Struct):
    accepted: int
    duplicate: bool
    rejected: list[Rejected]


class _Loose(Struct, forbid_unknown_fields=True):
    batch_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}" + END)]
    samples: Annotated[list[Any], Meta(max_length=MAX_ITEMS)] = []
    events: Annotated[list[Any], Meta(max_length=MAX_ITEMS)] = []
    faults: Annotated[list[Any], Meta(max_length=MAX_ITEMS)] = []
    states: Annotated[list[Any], Meta(max_length=MAX_ITEMS)] = []


@dataclass
class ParsedBatch:
    batch_id: str
    samples: list[Sample]
    sample_index: list[int]  # position of each kept sample in the body
    events: list[Event]
    event_index: list[int]
    rejected: list[Rejected] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    fault_index: list[int] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    state_index: list[int] = field(default_factory=list)
    # Not on the wire: what a receiver adds to each state's alarm detail (GB/T 26875.3: the part's raw status word,
    # a time label andian did not use); empty, or one dict per state.
    state_detail: list[dict[str, Any]] = field(default_factory=list)


_strict = msgspec.json.Decoder(IngestBatch)


def parse_batch(body: bytes) -> ParsedBatch:
    try:
        batch = _strict.decode(body)
    except (msgspec.DecodeError, ValueError):  # ValueError: invalid UTF-8 inside a string
        return _lenient(body)
    bad = [i for i, s in enumerate(batch.samples) if not math.isfinite(s.value)]
    if not bad:
        return ParsedBatch(batch.batch_id, batch.samples, list(range(len(batch.samples))), batch.events,
                           list(range(len(batch.events))), [], batch.faults, list(range(len(batch.faults))),
                           batch.states, list(range(len(batch.states))))
    return _lenient(body)


def _lenient(body: bytes) -> ParsedBatch:
    if not body.strip():
        raise InvalidInput("body", "request body is missing; send a JSON object with batch_id and samples")
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("body", f"not valid JSON ({exc}); send a JSON object with batch_id and samples") from exc
    try:
        loose = msgspec.convert(raw, _Loose)
    except (msgspec.ValidationError, UnicodeEncodeError) as exc:  # a lone surrogate cannot become a str key
        raise InvalidInput(field_of(str(exc), "body"), str(exc)) from exc
    parsed = ParsedBatch(loose.batch_id, [], [], [], [])
    for i, sample in _each(loose.samples, Sample, "samples", "sample", parsed.rejected):
        if not math.isfinite(sample.value):
            parsed.rejected.append(Rejected(i, f"samples[{i}].value: must be a finite number, got {sample.value}"))
            continue
        parsed.samples.append(sample)
        parsed.sample_index.append(i)
    for i, event in _each(loose.events, Event, "events", "event", parsed.rejected):
        parsed.events.append(event)
        parsed.event_index.append(i)
    for i, fault in _each(loose.faults, Fault, "faults", "fault", parsed.rejected):
        parsed.faults.append(fault)
        parsed.fault_index.append(i)
    for i, state in _each(loose.states, State, "states", "state", parsed.rejected):
        parsed.states.append(state)
        parsed.state_index.append(i)
    return parsed


def _each(items: list[Any], kind: type[T], name: str, label: Kind,
          rejected: list[Rejected]) -> Iterator[tuple[int, T]]:
    """Each item of ``items`` that converts to ``kind``, with its index; the others go to ``rejected``."""
    for i, item in enumerate(items):
        try:
            value = msgspec.convert(item, kind)
        except (msgspec.ValidationError, UnicodeEncodeError) as exc:
            rejected.append(Rejected(i, f"{name}[{i}]: {exc}", label))
            continue
        yield i, value


def field_of(message: str, default: str) -> str:
    if "`$." in message:
        return message.split("`$.", 1)[1].split("`", 1)[0]
    if message.startswith("Object contains unknown field `"):
        return message.split("`", 2)[1]
    return default


class IngestBatchDTO(MsgspecDTO[IngestBatch]):
    """Documents the body as ``IngestBatch`` in OpenAPI, but decodes it with ``parse_batch``."""

    def decode_bytes(self, value: bytes) -> Any:
        return parse_batch(value)
