"""Request and response bodies of the hazard endpoints (API.md "Hazards, inspections, checklists, reports")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from server.fields import END, LINE, TEXT, Id

__all__ = [
    "AssigneeOut", "CommentIn", "DispatchIn", "HazardCreate", "HazardDetail", "HazardEventOut", "HazardOut",
    "HazardRules", "HazardTransition", "Sha256",
]

Severity = Literal["general", "major"]  # 一般隐患 / 重大隐患
Source = Literal["alarm", "inspection", "commissioning"]
Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}" + END, description="sha256 of an uploaded attachment")]
Note = Annotated[str, Meta(max_length=2000), TEXT]
Photos = Annotated[list[Sha256], Meta(max_length=20)]
Epoch = Annotated[float, Meta(ge=0, le=1e11, description="Unix seconds")]


class HazardCreate(Struct, forbid_unknown_fields=True):
    site_id: Id
    title: Annotated[str, Meta(min_length=1, max_length=100), LINE]
    description: Note = ""
    severity: Severity = "general"
    source: Source = "inspection"
    alarm_id: Id | None = None
    # Assign at once (an inspector's finding goes straight to the site's responsible person).
    assignee_id: Id | None = None
    due: Epoch | None = None
    attachments: Photos = field(default_factory=list)


class HazardTransition(Struct, forbid_unknown_fields=True):
    to: Literal["assigned", "rectified", "verified", "closed", "rejected"]
    assignee_id: Id | None = None
    due: Epoch | None = None
    note: Note = ""
    attachments: Photos = field(default_factory=list)


class DispatchIn(Struct, forbid_unknown_fields=True):
    """Dispatch an alarm from the console: to one of the company's electricians, by a date (default: the
    severity's, 3 days for a hazard from an alarm)."""

    assignee_id: Id
    due: Epoch | None = None
    note: Note = ""


class CommentIn(Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=2000), TEXT]
    attachments: Photos = field(default_factory=list)


class HazardOut(Struct):
    id: int
    site_id: int
    site_name: str
    title: str
    description: str
    severity: Severity
    source: Source
    alarm_id: int | None
    commissioning_id: int | None
    state: Literal["open", "assigned", "rectified", "verified", "closed"]
    overdue: bool
    assignee_id: int | None
    assignee: str | None
    due_at: float
    created_by: str | None
    created_at: float
    updated_at: float
    rectified_by: str | None
    rectified_at: float | None
    verified_by: str | None
    verified_at: float | None
    closed_at: float | None
    inspection_id: int | None = None
    # Ids beside the names, so a client can tell who may act (never verify your own work; the owner rectifies).
    rectifier_id: int | None = None
    owner_id: int | None = None


class HazardEventOut(Struct):
    id: int
    ts: float
    # created | assigned | rectified | verified | rejected | closed | comment | overdue | alarm_again
    kind: str
    state: str
    note: str
    actor: str | None
    actor_role: str | None
    attachments: list[str]
    # assigned: {"assignee_id", "assignee", "due_at"}; created from an inspection or commissioning: where from;
    # alarm_again (the same device raised the same cause while this hazard was open): {"alarm_id", "cause",
    # "level", "started_at", "peak", "unit"}.
    detail: dict[str, Any] = {}


class HazardDetail(HazardOut):
    events: list[HazardEventOut] = []


class AssigneeOut(Struct):
    id: int
    display_name: str
    role: str
    tier: int  # 0 the site's owner, 1 its operator company, 2 an inspector of its grid


class HazardRules(Struct, forbid_unknown_fields=True):
    # An alarm still active this many minutes after it started becomes a hazard (None: never).
    alarm_uncleared_min: Annotated[int, Meta(ge=1, le=10080)] | None = 30
    # Every fault-arc alarm becomes a hazard, even one that cleared by itself (arcs come back).
    arc_always: bool = True
    # Every alarm that a breaker trip ended becomes a hazard: the trip removed the symptom, not the cause.
    trip_always: bool = True
