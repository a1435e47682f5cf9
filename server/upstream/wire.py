"""What travels between a site box and its cloud (API.md "Site box and cloud"), as msgspec Structs decoded once at
each end. The box opens every connection; all four exchanges are authenticated with the box's gateway key.

- ``POST /api/v1/upstream/mirror``: the box's stamped field edits up, the site's merged records down (mirror).
- ``POST /api/v1/upstream/forward``: readings, events, alarm transitions and commissioning records up (forward).
- ``GET /api/v1/upstream/commands?wait=S``: commands for the box, long-polled (commands down).
- ``POST /api/v1/upstream/commands/{command_id}/result``: what the box did with one (the read-back state).

New fields get defaults; a wire field is never reordered or retyped (msgspec's schema-evolution rules), because a
box and its cloud are upgraded at different times.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.fields import LINE, TEXT

__all__ = [
    "Action", "AlarmUp", "AttachmentUp", "ChannelReadings", "ChannelRollups", "Command", "CommandResult", "Commands",
    "CommissioningUp", "CompanyDown", "EventUp", "Forward", "ForwardAnswer", "ForwardRejected", "MirrorAnswer",
    "MirrorRequest", "Record", "SiteDown", "UserDown",
]

# Every stream the box forwards, in the order a round sends them: alarm transitions first (API.md).
STREAMS = ("alarms", "commissionings", "events", "readings", "rollups")
Stream = Literal["alarms", "commissionings", "events", "readings", "rollups"]
# What a box sends is stored in TEXT columns: no control characters (PostgreSQL's text cannot even hold NUL), as in
# every other body (server/fields.py).
Serial = Annotated[str, Meta(min_length=1, max_length=64), LINE]
ChannelKey = Annotated[str, Meta(min_length=1, max_length=32), LINE]
Hlc = Annotated[str, Meta(min_length=20, max_length=90, description="a hybrid logical clock stamp (API.md 'Sync')")]
BatchId = Annotated[str, Meta(min_length=8, max_length=64), LINE]
Line = Annotated[str, LINE]
Note = Annotated[str, TEXT]


# ---- mirror ---------------------------------------------------------------------------------------------------

class Record(Struct, forbid_unknown_fields=True):
    """One device (``key`` its serial) or channel (``key`` "serial/channel key") with each field's value and stamp.

    Device fields: name, circuit, model, kind, link, ble_address, poll_interval_s, rated_current_a, state.
    Channel fields: label, and each channel setting as ``settings.<name>`` (settings.alarm, settings.prealarm, …);
    a setting removed is sent with the value null.
    """

    entity: Literal["device", "channel"]
    key: Annotated[str, Meta(min_length=1, max_length=100), LINE]
    fields: dict[str, tuple[Any, Hlc]]


class MirrorRequest(Struct, forbid_unknown_fields=True):
    """The box's records that carry a field stamped at the box newer than what the cloud last sent it."""

    edits: list[Record] = []
    box_version: Line = ""


class SiteDown(Struct):
    """The cloud's site as the box keeps it (the box's own site row mirrors it)."""

    name: str
    address: str
    region_code: str
    venue_type: str
    key_unit: bool
    lat: float | None
    lon: float | None
    owner: str | None  # username of the owner, one of ``users``


class CompanyDown(Struct):
    name: str
    hotline: str


class UserDown(Struct):
    """Someone who may log in at the box: the site's owner and its operator company's staff. Password hashes
    only (argon2), never a token."""

    username: str
    password_hash: str
    role: str
    display_name: str
    phone: str
    disabled: bool
    company: bool  # staff of the site's operator company


class MirrorAnswer(Struct):
    """The site as the cloud holds it after merging the box's edits: the box applies each field whose stamp is
    newer than its own. ``gateway_id`` is the box's gateway id in the cloud (its alarms' origin names it)."""

    gateway_id: int
    site: SiteDown
    company: CompanyDown | None
    users: list[UserDown]
    records: list[Record]
    rejected: list[str] = []  # edits the cloud refused, each saying which field and why (kept at the box)


# ---- forward --------------------------------------------------------------------------------------------------

class AlarmUp(Struct, forbid_unknown_fields=True):
    """One transition of a box alarm, with what the cloud needs to create the alarm the first time it sees it."""

    seq: int  # the box's transition id: increasing per box
    alarm_id: int  # the box's alarm id: the cloud's origin is "gateway:{gateway id}/{alarm_id}"
    transition: Literal["raised", "escalated", "cleared", "acknowledged"]
    ts: float
    level: Literal["prealarm", "alarm", "fault", "offline"]
    device: Serial
    channel: ChannelKey | None
    cause: Line
    started_at: float
    value: float | None = None
    threshold: float | None = None
    peak: float | None = None
    detail: dict[str, Any] = {}
    test: bool = False
    cleared_reason: Line | None = None
    acknowledged_by: Line | None = None  # a username, when the box knows it
    ack_note: Note = ""


class ChannelReadings(Struct, forbid_unknown_fields=True):
    device: Serial
    channel: ChannelKey
    ts: list[float]
    value: list[float]


class ChannelRollups(Struct, forbid_unknown_fields=True):
    """Minute aggregates of a channel for minutes whose raw readings the box's bounded backlog dropped."""

    device: Serial
    channel: ChannelKey
    start: list[int]
    n: list[int]
    vmin: list[float]
    vmax: list[float]
    vsum: list[float]


class EventUp(Struct, forbid_unknown_fields=True):
    device: Serial
    kind: Line
    ts: float
    count: int = 1


class CommissioningUp(Struct, forbid_unknown_fields=True):
    """A commissioning record as it stands at the box (sent again whenever it changes); attachments it cites
    (photos, the signature) are uploaded first with PUT /api/v1/attachments/{sha256}."""

    id: int  # the box's id: the cloud's origin is "gateway:{gateway id}/{id}"
    address: Line
    model: Line
    device: Serial | None
    state: Line
    steps: list[Any]
    answers: dict[str, Any] | None
    signed_by: Line | None
    created_by: Line | None  # a username
    created_at: float
    completed_at: float | None
    signature: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")] | None = None  # the drawn signature's sha256


class AttachmentUp(Struct, forbid_unknown_fields=True):
    """A file a forwarded record cites (a commissioning's photos, its drawn signature), sent before the record with
    PUT /api/v1/upstream/attachments/{sha256} (``data`` is base64 in JSON)."""

    content_type: Annotated[str, Meta(max_length=100)]
    data: bytes


class Forward(Struct, forbid_unknown_fields=True):
    """One batch of a forwarding round. ``batch_id`` is unique per box: the same batch sent twice (a lost answer, a
    restart before the cursor moved) is stored once. ``backlog``: what the box holds beyond this batch, per stream,
    for the operator's console. ``box_id``: the box database's random instance id (its alarm and record ids are
    numbers of that database); the cloud keeps the first one per gateway key and refuses another (409)."""

    batch_id: BatchId
    alarms: list[AlarmUp] = []
    commissionings: list[CommissioningUp] = []
    events: list[EventUp] = []
    readings: list[ChannelReadings] = []
    rollups: list[ChannelRollups] = []
    backlog: dict[str, int] = {}
    box_id: Annotated[str, Meta(max_length=64)] = ""  # "" from a box before this field: not checked


class ForwardRejected(Struct):
    stream: str
    index: int
    error: str


class ForwardAnswer(Struct):
    """The batch is stored (or was before: ``duplicate``); the box may move its cursors past it. Items the cloud
    could not take (a device it does not know yet, before the mirror brought it) are named; the box keeps them."""

    duplicate: bool
    accepted: int
    rejected: list[ForwardRejected] = []


# ---- commands -------------------------------------------------------------------------------------------------

Action = Literal["trip", "close", "self_test", "identify"]


class Command(Struct):
    id: int
    action: Action
    device: str  # serial
    reason: str
    by: str | None  # the operator's username
    created_at: float
    expires_at: float


class Commands(Struct):
    commands: list[Command]
    # The cloud's clock when it answered (added by commands down): the box measures each command's time left from
    # it with its own monotonic clock, whatever its wall clock says, and never starts one the cloud has expired.
    now: float | None = None


class CommandResult(Struct, forbid_unknown_fields=True):
    """What the box did: ``switch`` is the breaker's read-back position after a trip or close."""

    outcome: Literal["done", "failed"]
    switch: Literal["open", "closed"] | None = None
    code: Line | None = None
    error: Note | None = None
    at: float | None = None
