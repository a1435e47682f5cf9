"""Request and response bodies of the notification endpoints (API.md "Notification subscriptions")."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType, field

from server.alarms.schemas import AlarmLevel
from server.fields import END, LINE, Id

__all__ = [
    "ALL_LEVELS", "AttemptOut", "DeliveryOut", "NotifyPolicyIn", "NotifyPolicyOut", "PhoneCallOut", "SubscriptionIn",
    "SubscriptionOut", "SubscriptionPatch", "TargetResultOut", "TestResult",
]

Lang = Literal["zh-CN", "en"]
Clock = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d" + END, description="local time HH:MM")]
# A digest at most every 5 minutes and at least once a day.
DigestInterval = Annotated[float, Meta(ge=300, le=86400)]
Label = Annotated[str, Meta(max_length=40), LINE]
# What a subscription may ask for: the alarm levels, and news of hazards at the site (assigned to the
# subscriber, rectified, rejected, closed, overdue, a comment on the thread).
NotifyLevel = Literal["prealarm", "alarm", "fault", "offline", "hazard"]
Levels = Annotated[list[NotifyLevel], Meta(min_length=1, max_length=5)]
SiteIds = Annotated[list[Id], Meta(max_length=1000)]
ALL_LEVELS: list[NotifyLevel] = ["alarm", "offline", "prealarm", "fault", "hazard"]


class SubscriptionIn(Struct, forbid_unknown_fields=True):
    url: Annotated[str, Meta(min_length=3, max_length=2000, description="an apprise URL, e.g. wecombot://KEY")]
    label: Label = ""
    site_ids: SiteIds | None = None  # None: every site the user sees, now and later
    levels: Levels = field(default_factory=lambda: list(ALL_LEVELS))
    lang: Lang = "zh-CN"
    digest_interval_s: DigestInterval = 3600.0
    quiet_start: Clock | None = None
    quiet_end: Clock | None = None


class SubscriptionPatch(Struct, forbid_unknown_fields=True):
    label: Label | UnsetType = UNSET
    site_ids: SiteIds | UnsetType | None = UNSET
    levels: Levels | UnsetType = UNSET
    lang: Lang | UnsetType = UNSET
    digest_interval_s: DigestInterval | UnsetType = UNSET
    quiet_start: Clock | UnsetType | None = UNSET
    quiet_end: Clock | UnsetType | None = UNSET


class SubscriptionOut(Struct):
    id: int
    label: str
    url_masked: str
    service: str
    scheme: str
    site_ids: list[int] | None
    levels: list[NotifyLevel]
    lang: Lang
    digest_interval_s: float
    quiet_start: str | None
    quiet_end: str | None
    created_at: float


Status = Literal["SUCCESS", "FAILURE", "TIMEOUT"]


class TargetResultOut(Struct):
    service: str
    target: str
    ok: bool
    status: Status
    error: str | None
    elapsed_s: float


class TestResult(Struct):
    ok: bool
    results: list[TargetResultOut]


class AttemptOut(Struct):
    ts: float
    ok: bool
    status: Status
    error: str | None
    elapsed_s: float


class DeliveryOut(Struct):
    id: int
    transition: Literal["raised", "escalated", "cleared"]
    transition_at: float
    level: AlarmLevel
    user: str
    role: str
    subscription_id: int
    target: str  # masked; empty unless the target is the caller's own (or the caller is an admin)
    service: str
    tier: int
    mode: Literal["immediate", "digest", "summary"]
    # waiting: held for a digest or by the rate limit; pending: about to go; retrying: failed, next try planned.
    state: Literal["waiting", "pending", "sent", "retrying", "cancelled"]
    # When its message is composed: at once; for a digest, the digest's time (past quiet hours); when held by the
    # rate limit, the time a slot frees. The sender keeps to it, within one of its rounds (every second).
    due_at: float
    sent_at: float | None
    attempts: list[AttemptOut]
    # How the person was told, for the words "已通过短信通知" (notify/channels.py); never the URL.
    channel: Literal["sms", "call", "email", "wecom", "wechat", "dingtalk", "feishu", "webhook", "other"] = "other"


class PhoneCallOut(Struct):
    available: bool  # the server has a voice service (ANDIAN_NOTIFY_VOICE_URL)
    called: bool  # the caller's role is called (owners): their number is rung for unacknowledged alarms
    phone: str
    after_s: float  # the default first rung: the call comes this long after the alarm (sites may set their own)


class NotifyPolicyIn(Struct, forbid_unknown_fields=True):
    # Seconds an alarm may stay unacknowledged before the operator company, then the grid inspector, is told.
    escalate_after_s: Annotated[list[Annotated[float, Meta(ge=60, le=86400)]], Meta(min_length=2, max_length=2)]


class NotifyPolicyOut(Struct):
    site_id: int
    escalate_after_s: list[float]
