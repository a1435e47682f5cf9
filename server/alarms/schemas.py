"""Request and response shapes of alarms and acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.devices.schemas import ControlOut
from server.fields import MAX_ID, TEXT

__all__ = [
    "AckIn", "AckManyIn", "AckManyOut", "AckResult", "AlarmCause", "AlarmLevel", "AlarmOut", "PowerOffConfirm",
    "PowerOffDecline", "PowerOffIn", "PowerOffOut", "PowerOffState",
]

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
    # Where it is and whom to call: the site, its district (区/县, GB/T 2260), the operator company that runs it
    # and that company's 24-hour hotline ("" when it has none).
    site_name: str = ""
    circuit: str = ""
    region_code: str = ""
    district_code: str | None = None
    district: str = ""
    company_id: int | None = None
    hotline: str = ""
    # How many times the escalation ladder climbed (the console's count of escalations).
    escalations: int = 0
    # A site box's alarm forwarded to the cloud: "gateway:{gateway id}/{box alarm id}" (API.md "Site box and
    # cloud"); None for an alarm this server raised itself.
    origin: str | None = None


class AckIn(Struct, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=500), TEXT] = ""


# An alarm acknowledged from the console with others at once; at most one screenful.
MAX_BULK_ACK = 200


class AckManyIn(Struct, forbid_unknown_fields=True):
    alarm_ids: Annotated[list[Annotated[int, Meta(ge=1, le=MAX_ID)]], Meta(min_length=1, max_length=MAX_BULK_ACK)]
    note: Annotated[str, Meta(max_length=500), TEXT] = ""


class AckResult(Struct):
    alarm_id: int
    # acknowledged now; already (someone acknowledged it before); not_found (unknown, or not the caller's to see)
    result: Literal["acknowledged", "already", "not_found"]
    status_code: int


class AckManyOut(Struct):
    results: list[AckResult]
    acknowledged: int


PowerOffState = Literal["pending", "tripped", "declined"]


class PowerOffIn(Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=500), TEXT] = ""


class PowerOffConfirm(Struct, forbid_unknown_fields=True):
    # The reason the trip is audited with (as POST /api/v1/devices/{id}/control asks).
    reason: Annotated[str, Meta(min_length=4, max_length=500), TEXT]


class PowerOffDecline(Struct, forbid_unknown_fields=True):
    # What the owner is told instead: why not, and what to do.
    note: Annotated[str, Meta(min_length=1, max_length=500), TEXT]


class PowerOffOut(Struct):
    id: int
    alarm_id: int
    site_id: int
    site_name: str
    device_id: int
    device_name: str
    circuit: str
    requested_by: str
    requested_at: float
    reason: str
    state: PowerOffState
    decided_by: str | None
    decided_at: float | None
    decision_note: str
    control_id: int | None
    # The answer to this call when it tried a trip: "done" with the switch read back ("open"), or "failed" with
    # the error; None on reads.
    control: ControlOut | None = None
