"""Request and response shapes of devices, channels and gateways; of scanning, commissioning and remote control."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.detection.settings import CHANNEL_KEY_PATTERN, SETTING_NAMES
from server.fields import END, LINE, TEXT, Id

Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}" + END, description="sha256 of an uploaded attachment")]

__all__ = [
    "STEPS",
    "Answer",
    "ChannelIn",
    "ChannelLabel",
    "ChannelOut",
    "ChannelPatch",
    "ChecklistItem",
    "Circuit",
    "Commissioning",
    "CommissioningStart",
    "ControlIn",
    "ControlOut",
    "DeviceCreate",
    "DeviceKind",
    "DeviceOut",
    "DevicePatch",
    "GatewayCreate",
    "GatewayCreated",
    "GatewayOut",
    "IdentifyIn",
    "LatestReading",
    "ModelChannel",
    "ModelOut",
    "ModelThreshold",
    "ScanResult",
    "SettingsIn",
    "StepOut",
]

Step = Literal["pair", "identify", "live_read", "self_test", "thresholds", "accept"]
# The installer's flow, in order (ARCHITECTURE "BLE", USER_STORIES 2).
STEPS: tuple[Step, ...] = ("pair", "identify", "live_read", "self_test", "thresholds", "accept")
Address = Annotated[str, Meta(pattern=r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}" + END, description="BLE address")]


class ScanResult(Struct):
    address: str
    name: str
    rssi: int
    model: str | None
    model_name: str | None
    kind: str | None
    known: Literal["here", "elsewhere"] | None  # already registered at this site, or at another one
    device_id: int | None  # only when known here


class CommissioningStart(Struct, forbid_unknown_fields=True):
    """Exactly one of ``address`` (a device found by a Bluetooth scan) and ``device_id`` (a registered wired device)."""

    site_id: Id
    address: Address | None = None
    model: Annotated[str, Meta(min_length=1, max_length=64)] | None = None  # when the advertised name does not tell
    device_id: Annotated[Id, Meta(description="a registered device with a wired link (modbus-…://)")] | None = None


class StepOut(Struct):
    step: Step
    status: Literal["pending", "done", "failed"]
    at: float | None = None
    code: str | None = None  # for the PWA's texts: not_found, timeout, pairing_failed, …
    error: str | None = None
    result: dict[str, Any] | None = None


class ChecklistItem(Struct):
    key: str
    text: dict[str, str]  # {"zh-CN": …, "en": …}
    photo: bool = False  # evidence: answering it (pass or fail) needs at least one photo in ``attachments``


class ChannelBrief(Struct):
    id: int
    key: str
    unit: str
    settings: dict[str, Any]


class Commissioning(Struct):
    id: int
    site_id: int
    address: str
    model: str
    model_name: str
    kind: str
    serial: str | None
    device_id: int | None
    state: Literal["in_progress", "commissioned"]
    steps: list[StepOut]
    channels: list[ChannelBrief]
    checklist: list[ChecklistItem]
    created_at: float
    completed_at: float | None
    via: Literal["ble", "wired"] = "ble"  # wired: address is the device's link (modbus-rtu://…?unit=3)
    # The signed acceptance, once given: the answers with their photos, who signed, the drawn signature.
    answers: list[Answer] = []
    checklist_version: int | None = None
    signed_by: str | None = None
    signature: str | None = None  # sha256 of the signature image (GET /api/v1/attachments/{sha256})


class Circuit(Struct):
    """A circuit of a site: the name its devices give the circuit they protect."""

    name: str
    devices: int  # how many of the site's devices protect it


class IdentifyIn(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=100), LINE] | None = None
    circuit: Annotated[str, Meta(max_length=100), LINE] | None = None
    rated_current_a: Annotated[float, Meta(ge=1, le=630)] | None = None


class ThresholdsIn(Struct, forbid_unknown_fields=True):
    channels: dict[str, dict[str, Any]] = {}


class Answer(Struct, forbid_unknown_fields=True):
    key: str
    answer: Literal["pass", "fail", "na"]
    note: Annotated[str, Meta(max_length=500), TEXT] = ""
    # Photos as evidence (uploaded first with PUT /api/v1/attachments/{sha256}); required by items with ``photo``.
    attachments: Annotated[list[Sha256], Meta(max_length=20)] = []


class AcceptIn(Struct, forbid_unknown_fields=True):
    answers: list[Answer]
    signed_by: Annotated[str, Meta(min_length=1, max_length=100), LINE]
    # The drawn signature: an image the signer uploaded (PUT /api/v1/attachments/{sha256}), shown with the record.
    signature: Sha256 | None = None


class ControlIn(Struct, forbid_unknown_fields=True):
    # identify: the device blinks and beeps, so someone on site finds it (models with an identify coil)
    action: Literal["trip", "close", "self_test", "identify"]
    reason: Annotated[str, Meta(min_length=4, max_length=500, description="why; kept in the audit log"), TEXT]


class ControlOut(Struct):
    id: int
    device_id: int
    action: str
    reason: str
    outcome: Literal["done", "failed"]
    switch: Literal["closed", "open"] | None
    code: str | None
    error: str | None
    at: float
    by: str
    # "gateway:{id}": a cloud relayed it to the site box that reads the device; "cloud": a box ran it for the
    # cloud's operator ``by``; None: this server's own radio ran it
    via: str | None = None


# Kinds of device that are registered; "gateway" is a site box as a device of its site in the cloud
# (server/upstream/presence.py), made on the box's first contact and never registered by hand.
RegisteredKind = Literal["breaker", "combined", "residual", "temperature", "arc"]
DeviceKind = Literal["breaker", "combined", "residual", "temperature", "arc", "gateway"]


class LatestReading(Struct):
    """A channel's newest reading: what the site page shows at once, before the live stream sends the next one."""

    ts: float
    value: float


class ChannelOut(Struct):
    id: int
    device_id: int
    key: str
    unit: str
    settings: dict[str, Any]
    # What it measures in people's words ("二楼走廊照明 进线端子"); empty: "<device circuit> · <quantity>" is shown.
    label: str = ""
    latest: LatestReading | None = None  # in a site's answer (GET /api/v1/sites/{id}); null: it never reported


class DeviceOut(Struct):
    id: int
    site_id: int
    serial: str
    model: str
    kind: DeviceKind
    name: str
    circuit: str
    rated_current_a: float | None
    ble_address: str | None
    state: Literal["registered", "commissioned"]
    created_at: float
    channels: list[ChannelOut]
    poll_interval_s: float = 30.0
    last_seen_at: float | None = None
    switch: Literal["closed", "open"] | None = None  # a breaker's last known position
    switch_at: float | None = None  # when it last moved
    switch_by: str | None = None  # who moved it remotely (None: the device itself, or someone on site)
    controls: list[str] = []  # remote actions the device's model supports (trip, close, self_test)
    link: str | None = None  # how the site box reaches it (API.md "Device links and models")


# Channel settings as a client sends them: the known names only; the ranges depend on the channel's quantity and
# are checked by detection.settings (400 naming the setting and its allowed range).
SettingsIn = Annotated[dict[str, Any], Meta(extra_json_schema={
    "properties": {name: {"type": "boolean"} if name == "enabled" else {"type": "number"} for name in SETTING_NAMES},
    "additionalProperties": False,
    "description": "alarm thresholds; which apply and their ranges depend on the channel (docs/detection.md)",
})]


class ChannelIn(Struct, forbid_unknown_fields=True):
    key: Annotated[str, Meta(pattern=CHANNEL_KEY_PATTERN + END)]
    settings: SettingsIn = {}


Link = Annotated[str, Meta(min_length=6, max_length=300, description=(
    "how the site box reaches the device: ble://AA:BB:CC:DD:EE:FF, modbus-rtu:///dev/ttyUSB0?unit=3, "
    "modbus-tcp://192.168.1.20:502?unit=3 or modbus-rtu-tcp://192.168.1.21:4001?unit=3")), LINE]


class DeviceCreate(Struct, forbid_unknown_fields=True):
    serial: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}" + END, description="the device's serial number")]
    model: Annotated[str, Meta(min_length=1, max_length=64), LINE]
    # Both may be left out when ``model`` is a known device model (GET /api/v1/models): its kind and channels.
    kind: RegisteredKind | None = None
    channels: Annotated[list[ChannelIn], Meta(max_length=32)] = []
    name: Annotated[str, Meta(max_length=100), LINE] = ""
    circuit: Annotated[str, Meta(max_length=100), LINE] = ""
    rated_current_a: Annotated[float, Meta(ge=1, le=630)] | None = None
    ble_address: Annotated[str, Meta(pattern=r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}" + END)] | None = None
    # How often the device reports; three intervals without data raise ``offline``. Default: the model's, else 30 s.
    poll_interval_s: Annotated[float, Meta(ge=1, le=86400)] | None = None
    link: Link | None = None


class DevicePatch(Struct, forbid_unknown_fields=True):
    """Change how a device is reached or how often it is read; fields left out stay as they are."""

    link: Link | None = None
    poll_interval_s: Annotated[float, Meta(ge=1, le=86400)] | None = None
    name: Annotated[str, Meta(min_length=1, max_length=100), LINE] | None = None
    circuit: Annotated[str, Meta(max_length=100), LINE] | None = None


class ModelChannel(Struct):
    key: str
    unit: str


class ModelThreshold(Struct):
    """One of the device's own alarm levels andian can write (POST /api/v1/devices/{id}/thresholds)."""

    channel: str
    setting: Literal["alarm", "prealarm"]
    min: float  # the device's range, in the channel's unit
    max: float
    scale: float  # the device keeps it in steps of this


class ModelOut(Struct):
    """A device model andian knows as data (a register map): how to reach it and what it measures."""

    model: str
    vendor: str
    kind: DeviceKind
    name: dict[str, str]  # zh-CN, en
    links: list[str]  # link schemes a device of this model speaks
    channels: list[ModelChannel]
    poll_interval_s: float
    unit_id: int  # its factory Modbus address
    line: dict[str, Any] | None  # RS-485 defaults (baud, parity, stop) of wired models
    controls: list[str]  # remote actions it supports (trip, close, self_test)
    thresholds: list[ModelThreshold] = []  # the device's own alarm levels andian can write (wired models)


ChannelLabel = Annotated[str, Meta(max_length=60, description=(
    "what the channel measures, in words people at the site use (e.g. 二楼走廊照明 进线端子); empty clears it")), LINE]


class ChannelPatch(Struct, forbid_unknown_fields=True):
    """Change a channel's settings, its label, or both; what is left out stays as it is."""

    settings: SettingsIn | None = None
    label: ChannelLabel | None = None


# A GB/T 26875.3 transmission device's 6-byte address as 12 hex digits, in the order the bytes stand on the wire.
GB26875_ADDRESS = r"^[0-9A-Fa-f]{12}$"
GatewayProtocol = Literal["andian", "gb26875"]


class GatewayCreate(Struct, forbid_unknown_fields=True):
    """``andian``: a site box or DTU with an API key (HTTP, MQTT, upstream). ``gb26875``: a user information
    transmission device (用户信息传输装置) that reports over GB/T 26875.3 with its ``address``."""

    name: Annotated[str, Meta(min_length=1, max_length=100), LINE] = "site box"
    protocol: GatewayProtocol = "andian"
    address: Annotated[str, Meta(pattern=GB26875_ADDRESS, description=(
        "gb26875 only: the device's 6-byte address as 12 hex digits, e.g. 1527082020fe"))] | None = None


class GatewayOut(Struct):
    id: int
    site_id: int
    name: str
    key_prefix: str
    created_at: float
    revoked_at: float | None
    last_seen_at: float | None
    # A site box's own count of what it still holds for the cloud, per stream (alarms, commissionings, events,
    # readings — estimated —, rollups), as its last forwarded batch said, and when; None before its first batch.
    backlog: dict[str, int] | None = None
    backlog_at: float | None = None
    protocol: GatewayProtocol = "andian"
    address: str | None = None  # gb26875: 12 lower-case hex digits


class GatewayCreated(GatewayOut):
    api_key: str = ""
