"""Request and response shapes of alarms and acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from server.fields import TEXT

__all__ = ["AckIn", "AlarmCause", "AlarmLevel", "AlarmOut"]

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
