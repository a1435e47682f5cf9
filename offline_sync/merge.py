"""Merge rules, the same in Python and in the PWA (pwa/src/features/sync), pinned by offline_sync/vectors/*.json. Pure.

- Scalar fields: last writer wins, per field, by HLC; an older write to a field that a newer one already set
  is kept out, and the mutation is answered ``merged`` (some fields lost to newer ones) instead of ``applied``.
- Answers, comments and photos append: an element is added once, by its id, whatever the order pushes arrive.
- Replays change nothing: applying the same mutation twice leaves the record as once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Record", "append", "update"]

Status = Literal["applied", "merged"]


@dataclass
class Record:
    """One synced record: its scalar fields with the stamp that set each, and its appended lists by id."""

    fields: dict[str, Any] = field(default_factory=dict)
    stamps: dict[str, str] = field(default_factory=dict)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)


def update(record: Record, changes: dict[str, Any], hlc: str) -> Status:
    """Apply each field whose stamp is newer than the one that set it; HLC strings compare as the clock does."""
    lost = False
    for name, value in changes.items():
        current = record.stamps.get(name)
        if current is None or hlc > current:
            record.fields[name] = value
            record.stamps[name] = hlc
        elif hlc != current:
            lost = True
    return "merged" if lost else "applied"


def append(record: Record, list_name: str, element_id: str, element: Any) -> Status:
    """Add an element once; a repeat of the same id (a replayed push) is a no-op."""
    record.lists.setdefault(list_name, {}).setdefault(element_id, element)
    return "applied"
