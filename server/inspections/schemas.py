"""Bodies of the checklist and inspection endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct, field

from server.fields import LINE, Id
from server.hazards.schemas import Note, Photos, Sha256

__all__ = [
    "AcknowledgeIn", "AnswerIn", "AnswerOut", "AnswerResult", "AnswersIn", "AnswersOut", "CompleteIn",
    "InspectionCreate", "InspectionDetail", "InspectionOut", "ItemOut", "Notice", "NoticeFinding", "NoticeSite",
    "TemplateOut",
]

Answer = Literal["pass", "fail", "na"]


class ItemOut(Struct):
    key: str
    text: dict[str, str]  # {"zh-CN": …, "en": …}
    section: str
    major: bool
    photo: bool
    # What was found when it fails ({"zh-CN": …, "en": …}): the title of the hazard a failed item becomes.
    finding: dict[str, str] = {}


class TemplateOut(Struct):
    id: str
    version: int
    kind: str
    venue_types: list[str]
    title: dict[str, str]
    items: list[ItemOut]


class InspectionCreate(Struct, forbid_unknown_fields=True):
    site_id: Id
    # Default: the inspection template made for the site's venue type.
    template_id: Annotated[str, Meta(max_length=60)] | None = None


class AnswerIn(Struct, forbid_unknown_fields=True):
    key: Annotated[str, Meta(max_length=40)]
    answer: Answer
    note: Note = ""
    attachments: Photos = field(default_factory=list)


class AnswersIn(Struct, forbid_unknown_fields=True):
    answers: Annotated[list[AnswerIn], Meta(min_length=1, max_length=500)]


class CompleteIn(Struct, forbid_unknown_fields=True):
    signed_by: Annotated[str, Meta(min_length=1, max_length=60), LINE]
    summary: Note = ""


class AcknowledgeIn(Struct, forbid_unknown_fields=True):
    """The unit's representative signs the rectification notice on the inspector's phone: their name and the
    signature they drew (an image uploaded first with PUT /api/v1/attachments/{sha256})."""

    signed_by: Annotated[str, Meta(min_length=1, max_length=60), LINE]
    signature: Sha256 | None = None


class AnswerOut(Struct):
    key: str
    answer: Answer
    note: str
    attachments: list[str]
    answered_at: float
    answered_by: str | None


class InspectionOut(Struct):
    id: int
    site_id: int
    site_name: str
    template_id: str
    template_version: int
    title: dict[str, str]
    state: Literal["in_progress", "completed"]
    inspector: str
    started_at: float
    completed_at: float | None
    signed_by: str | None
    answered: int
    total: int
    failed: int
    # Who signed the rectification notice (整改通知书) for the unit, and when.
    unit_signed_by: str | None = None
    unit_signed_at: float | None = None
    # The drawing the unit's representative signed with: sha256 of an image (GET /api/v1/attachments/{sha256}).
    unit_signature: str | None = None


class InspectionDetail(InspectionOut):
    summary: str = ""
    items: list[ItemOut] = []
    answers: list[AnswerOut] = []
    hazard_ids: list[int] = []


class AnswerResult(Struct):
    index: int
    key: str
    status: Literal["saved", "rejected"]
    error: str | None = None


class AnswersOut(Struct):
    results: list[AnswerResult]
    inspection: InspectionDetail


class NoticeSite(Struct):
    id: int
    name: str
    address: str
    region_name: str
    venue_type_name: str


class NoticeFinding(Struct):
    number: int  # the item's number on the checklist
    key: str
    requirement: str
    title: str  # what was found: the hazard's title
    note: str
    severity: Literal["general", "major"]
    hazard_id: int | None
    due_at: float | None
    state: str | None
    assignee: str | None
    photos: list[str]  # sha256 of each photo (GET /api/v1/attachments/{sha256})


class Notice(Struct):
    """The rectification notice (整改通知书) of a signed inspection: what was found, by when it must be fixed."""

    inspection_id: int
    lang: str
    site: NoticeSite
    checklist: str
    inspector: str
    signed_by: str | None
    started_at: float
    completed_at: float | None
    unit_signed_by: str | None
    unit_signed_at: float | None
    total: int
    findings: list[NoticeFinding]
    generated_at: float
    # sha256 of the unit's drawn signature (GET /api/v1/attachments/{sha256}); None when signed by name alone.
    unit_signature: str | None = None
