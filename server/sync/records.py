"""Pulled records, built in bulk: the same fields as ``GET /api/v1/hazards/{id}`` and
``GET /api/v1/inspections/{id}`` answer (tests/test_sync_api.py compares them), picked straight from the rows
without a round trip through the response Structs — a first pull builds thousands of them."""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from server.hazards import workflow
from server.hazards.schemas import HazardDetail, HazardEventOut
from server.inspections.schemas import InspectionDetail

__all__ = ["hazard_record", "inspection_record"]


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
    """``row`` as ``storage.inspections.get_inspections`` reads it: answers already shaped, items still JSON."""
    return _pick(InspectionDetail, {**row, "title": title})
