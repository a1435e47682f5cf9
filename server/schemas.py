"""Every request and response body, as msgspec Structs. New fields get defaults; never retype a wire field."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from .auth.principal import Role
from .detection.settings import CHANNEL_KEY_PATTERN, SETTING_NAMES

__all__ = [
    "AckIn",
    "AlarmOut",
    "ChannelIn",
    "ChannelOut",
    "ChannelPatch",
    "CompanyCreate",
    "CompanyOut",
    "DeviceCreate",
    "DeviceOut",
    "GatewayCreate",
    "GatewayCreated",
    "GatewayOut",
    "Health",
    "LoginRequest",
    "LoginResponse",
    "Readings",
    "SiteCreate",
    "SiteDetail",
    "SiteOut",
    "UserCreate",
    "UserOut",
]

DepartmentCode = Literal[
    "fire_rescue", "commerce", "civil_affairs", "emergency", "education", "health", "culture_tourism", "housing",
    "industry",
]
DeviceKind = Literal["breaker", "combined", "residual", "temperature", "arc"]
# power_off: a breaker of the site is open (tripped or switched off), and nothing worse is going on.
SiteStatus = Literal["normal", "prealarm", "alarm", "fault", "offline", "power_off"]

# Patterns end in END rather than "$", which also matches before a final newline ("owner_1\n" is not owner_1).
# A lookahead rather than "\Z" so the pattern means the same in the OpenAPI document's (ECMA) regex dialect.
END = r"(?![\s\S])"
# Control characters (NUL, escape sequences, C1 codes) have no place in what people read: they cut strings short in
# C code and PDFs, hide text in terminals and logs, and break exports. A name or a title is one line without any; a
# note may also have tabs and line breaks. Added to a str's other constraints: Annotated[str, Meta(...), LINE].
LINE = Meta(pattern=r"^[^\x00-\x1f\x7f-\x9f]*" + END, description="one line, no control characters")
TEXT = Meta(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*" + END,
            description="text; line breaks and tabs allowed, no other control characters")
Text = Annotated[str, Meta(max_length=200), LINE]
Name = Annotated[str, Meta(min_length=1, max_length=200), LINE]
# Every id fits SQLite's 64-bit INTEGER; a larger one is refused at the edge, never reaches SQL.
MAX_ID = 2**63 - 1
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
RegionCode = Annotated[str, Meta(pattern=r"^\d{6,15}" + END, description="GB/T 2260 code (6 digits) or a finer one")]


class Health(Struct):
    status: str
    version: str
    time: float
    site_box: bool


class LoginRequest(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class UserOut(Struct):
    id: int
    username: str
    role: Role
    display_name: str
    phone: str = ""
    company_id: Id | None = None
    regions: list[str] = []
    department: str | None = None


class LoginResponse(Struct):
    token: str
    expires_at: float
    user: UserOut


class UserCreate(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.@-]{3,64}" + END,
                                  description="3–64 letters, digits or _ . @ -")]
    password: Annotated[str, Meta(min_length=8, max_length=256)]
    role: Role
    display_name: Annotated[str, Meta(max_length=100), LINE] = ""
    phone: Annotated[str, Meta(pattern=r"^[0-9+ -]{0,20}" + END)] = ""
    regions: Annotated[list[RegionCode], Meta(max_length=100)] = []
    department: DepartmentCode | None = None
    company_id: Id | None = None


class SiteCreate(Struct, forbid_unknown_fields=True):
    name: Name
    address: Annotated[str, Meta(min_length=1, max_length=500), LINE]
    region_code: RegionCode
    venue_type: Annotated[str, Meta(min_length=1, max_length=40)]
    owner_id: Id | None = None
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180)] | None = None
    key_unit: bool = False
    company_id: Id | None = None


class ChannelOut(Struct):
    id: int
    device_id: int
    key: str
    unit: str
    settings: dict[str, Any]


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


class SiteOut(Struct):
    id: int
    name: str
    address: str
    region_code: str
    region_name: str
    venue_type: str
    department: str
    required_capabilities: list[str]
    key_unit: bool
    owner_id: int | None
    company_id: int | None
    lat: float | None
    lon: float | None
    created_at: float
    device_count: int
    status: SiteStatus


class SiteDetail(SiteOut):
    devices: list[DeviceOut] = []


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


class DeviceCreate(Struct, forbid_unknown_fields=True):
    serial: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}" + END, description="the device's serial number")]
    model: Annotated[str, Meta(min_length=1, max_length=64), LINE]
    kind: DeviceKind
    channels: Annotated[list[ChannelIn], Meta(min_length=1, max_length=32)]
    name: Annotated[str, Meta(max_length=100), LINE] = ""
    circuit: Annotated[str, Meta(max_length=100), LINE] = ""
    rated_current_a: Annotated[float, Meta(ge=1, le=630)] | None = None
    ble_address: Annotated[str, Meta(pattern=r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}" + END)] | None = None
    # How often the device reports; three intervals without data raise ``offline``.
    poll_interval_s: Annotated[float, Meta(ge=1, le=86400)] = 30.0


class ChannelPatch(Struct, forbid_unknown_fields=True):
    settings: SettingsIn


class GatewayCreate(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100), LINE] = "site box"


class GatewayOut(Struct):
    id: int
    site_id: int
    name: str
    key_prefix: str
    created_at: float
    revoked_at: float | None
    last_seen_at: float | None


class GatewayCreated(GatewayOut):
    api_key: str = ""


class CompanyCreate(Struct, forbid_unknown_fields=True):
    name: Name
    hotline: Annotated[str, Meta(pattern=r"^[0-9+ -]{0,20}" + END)] = ""


class CompanyOut(Struct):
    id: int
    name: str
    hotline: str


AlarmLevel = Literal["prealarm", "alarm", "fault", "offline"]
AlarmCause = Literal["overload", "leakage", "overtemp", "arc", "short_circuit", "hot_joint", "leakage_trend",
                     "imbalance", "voltage", "sensor", "offline"]


class AlarmOut(Struct):
    id: int
    site_id: int
    device_id: int
    channel: str | None
    level: AlarmLevel
    cause: AlarmCause
    started_at: float
    cleared_at: float | None
    peak: float | None
    acknowledged_at: float | None
    acknowledged_by: str | None
    device_name: str = ""
    device_serial: str = ""
    channel_id: int | None = None
    unit: str = ""
    # The setting the value crossed (for hot_joint: the temperature excess in K).
    threshold: float | None = None
    # Cause specifics: leakage_trend {"projected_at"}, sensor {"reason"}, hot_joint {"excess_c"},
    # offline {"last_seen_at", "poll_interval_s"}.
    detail: dict[str, Any] = {}
    ack_note: str = ""
    # How far the escalation ladder went: 0 the owner, 1 the operator company, 2 the grid inspector.
    escalated_tier: int = 0
    # Raised while the device was in self-test (自检): never sent, never a hazard, never counted.
    test: bool = False
    # "trip" when the alarm ended because the breaker opened (the cause is still there), with who tripped it
    # remotely (None: the breaker tripped by itself, or someone switched it off on site).
    cleared_reason: Literal["trip"] | None = None
    tripped_by: str | None = None
    # The value that raised it (what its first message quoted; for arc, the half-cycles in that second).
    raised_value: float | None = None


class AckIn(Struct, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=500), TEXT] = ""


class Readings(Struct):
    ts: list[float]
    value: list[float]
