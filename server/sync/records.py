"""Pulled records, built in bulk: the same fields as ``GET /api/v1/hazards/{id}`` and
``GET /api/v1/inspections/{id}`` answer (tests/test_sync_api.py compares them), picked straight from the rows
without a round trip through the response Structs — a first pull builds thousands of them.

An inspection comes without its ``items``: it names its checklist copy (``checklist``, the entity id of a
``checklist`` record the pull sends once, storage.checklists), whose items are the inspection's."""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from server.hazards import workflow
from server.hazards.schemas import HazardDetail, HazardEventOut
from server.inspections.schemas import AnswerOut, InspectionOut, ItemOut

__all__ = ["ChecklistRecord", "InspectionRecord", "checklist_record", "hazard_record", "inspection_record"]


class InspectionRecord(InspectionOut):
    """A pulled inspection: ``GET /api/v1/inspections/{id}`` with ``checklist`` in place of ``items``."""

    summary: str = ""
    checklist: str = ""
    answers: list[AnswerOut] = []
    hazard_ids: list[int] = []


class ChecklistRecord(msgspec.Struct):
    """A pulled checklist copy: the items inspections that name it were started with, as
    ``GET /api/v1/inspections/{id}`` answers its ``items``."""

    template_id: str
    template_version: int
    title: dict[str, str]
    items: list[ItemOut]


@cache
def _names(kind: type[msgspec.Struct]) -> tuple[tuple[str, Any], ...]:
    """Each field's name and default (NODEFAULT when it has none), in the Struct's order."""
    out = []
    for f in msgspec.structs.fields(kind):
        default = f.default_factory() if f.default_factory is not msgspec.NODEFAULT else f.default
        out.append((f.name, default))
    return tuple(out)


def _pick(kind: type[msgspec.Struct], values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] if name in values or default is msgspec.NODEFAULT else default
            for name, default in _names(kind)}


def hazard_record(row: dict[str, Any], events: list[dict[str, Any]], now: float) -> dict[str, Any]:
    overdue = workflow.is_overdue(row["state"], row["due_at"], now)
    return _pick(HazardDetail, {**row, "overdue": overdue, "events": [_pick(HazardEventOut, e) for e in events]})


def inspection_record(row: dict[str, Any], title: dict[str, str]) -> dict[str, Any]:
    """``row`` as ``storage.inspections.get_inspections`` reads it: answers already shaped, no items."""
    return _pick(InspectionRecord, {**row, "title": title, "checklist": str(row["checklist_id"])})


def checklist_record(row: dict[str, Any], title: dict[str, str]) -> dict[str, Any]:
    """``row`` as ``storage.checklists.get_checklists`` reads it: items still JSON."""
    return _pick(ChecklistRecord, {**row, "title": title})
